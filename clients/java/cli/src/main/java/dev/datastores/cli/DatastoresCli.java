package dev.datastores.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.datastores.client.Change;
import dev.datastores.client.ChangeStream;
import dev.datastores.client.Datastores;
import dev.datastores.client.DatastoresException;
import dev.datastores.client.Put;
import dev.datastores.client.StoreClient;
import dev.datastores.client.StoredValue;
import dev.datastores.client.Watch;
import dev.datastores.client.Written;
import dev.datastores.client.model.Imported;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code datastores} command: records of one store, from a terminal or a script. */
@Command(name = "datastores", mixinStandardHelpOptions = true, version = "datastores 0.1.0",
        description = "Reads and writes the records of a Datastores store.",
        subcommands = {DatastoresCli.Get.class, DatastoresCli.PutCommand.class, DatastoresCli.Delete.class,
                DatastoresCli.ListCommand.class, DatastoresCli.Export.class, DatastoresCli.Import.class,
                DatastoresCli.WatchCommand.class},
        footerHeading = "%n",
        footer = {"Settings: a flag, else the environment (DATASTORES_URL, DATASTORES_TOKEN,",
                "DATASTORES_WORKSPACE, DATASTORES_STORE), else the config file: --config,",
                "else $DATASTORES_CONFIG, else ~/.config/datastores/config.properties",
                "(properties url, token, workspace, store).",
                "",
                "Exit codes: 0 ok, 1 not found (404), 2 usage or settings,",
                "3 precondition failed (412), 4 any other refusal by the service,",
                "5 the service cannot be reached or a local read or write failed."})
public final class DatastoresCli {

    static final int NOT_FOUND = 1;
    static final int USAGE = 2;
    static final int PRECONDITION_FAILED = 3;
    static final int REFUSED = 4;
    static final int UNREACHABLE = 5;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The service, e.g. http://localhost:8080 (DATASTORES_URL).")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "A workspace API key dsk_… (DATASTORES_TOKEN). Prefer the variable: flags show in ps.")
    String token;

    @Option(names = {"-w", "--workspace"}, scope = ScopeType.INHERIT, paramLabel = "WS",
            description = "The workspace ID ws_… (DATASTORES_WORKSPACE).")
    String workspace;

    @Option(names = {"-s", "--store"}, scope = ScopeType.INHERIT, paramLabel = "STORE",
            description = "The store: its ID ds_… or its name (DATASTORES_STORE).")
    String store;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "A properties file with url, token, workspace, store.")
    Path config;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final InputStream stdin;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final Supplier<Boolean> terminal;

    DatastoresCli(Map<String, String> env, InputStream stdin, PrintStream stdout, PrintStream stderr,
            Supplier<Boolean> terminal) {
        this.env = env;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), 64 * 1024), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        int exit = run(args, System.getenv(), System.in, out, err, Progress::onTerminal);
        out.flush();
        System.exit(exit);
    }

    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
            Supplier<Boolean> terminal) {
        CommandLine line = new CommandLine(new DatastoresCli(env, in, out, err, terminal));
        line.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        line.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        line.setExecutionExceptionHandler((failure, command, parsed) -> {
            if (failure instanceof DatastoresException refused) {
                err.println("datastores: " + describe(refused));
                return refused.status() == 404 ? NOT_FOUND
                        : refused.status() == 412 ? PRECONDITION_FAILED
                        : REFUSED;
            }
            if (failure instanceof UncheckedIOException io) {
                err.println("datastores: " + oneLine(io.getMessage()));
                return UNREACHABLE;
            }
            if (failure instanceof IOException io) {
                err.println("datastores: " + oneLine(io.getMessage()));
                return UNREACHABLE;
            }
            if (failure instanceof IllegalArgumentException bad) {
                err.println("datastores: " + oneLine(bad.getMessage()));
                return USAGE;
            }
            throw failure;
        });
        line.setParameterExceptionHandler((failure, arguments) -> {
            err.println("datastores: " + oneLine(failure.getMessage()));
            err.println("Try 'datastores " + commandName(failure.getCommandLine()) + "--help'.");
            return USAGE;
        });
        return line.execute(args);
    }

    private static String commandName(CommandLine command) {
        String name = command.getCommandSpec().qualifiedName(" ");
        return name.equals("datastores") ? "" : name.substring("datastores ".length()) + " ";
    }

    /** A problem document as one line: {@code 412 precondition-failed: detail (line 3, imported 2)}. */
    static String describe(DatastoresException refused) {
        StringBuilder text = new StringBuilder(refused.oneLine());
        StringBuilder members = new StringBuilder();
        for (String member : new String[] {"line", "imported", "limit", "allowed", "used", "recordCount", "oldest", "next"}) {
            refused.member(member).ifPresent(value -> members.append(members.length() == 0 ? "" : ", ")
                    .append(member).append(' ').append(value.asText()));
        }
        if (members.length() > 0) {
            text.append(" (").append(members).append(')');
        }
        return oneLine(text.toString());
    }

    private static String oneLine(String text) {
        return text == null ? "failed" : text.replaceAll("\\s+", " ").strip();
    }

    /** The store the settings name, through a client of the settings' service. */
    StoreClient store() throws IOException {
        Settings settings = Settings.load(config, env);
        String resolvedUrl = settings.resolve(url, "DATASTORES_URL", "url");
        String resolvedToken = settings.resolve(token, "DATASTORES_TOKEN", "token");
        String resolvedWorkspace = settings.resolve(workspace, "DATASTORES_WORKSPACE", "workspace");
        String resolvedStore = settings.resolve(store, "DATASTORES_STORE", "store");
        StringBuilder missing = new StringBuilder();
        if (resolvedUrl == null) {
            missing.append(" --url (DATASTORES_URL)");
        }
        if (resolvedToken == null) {
            missing.append(" --token (DATASTORES_TOKEN)");
        }
        if (resolvedWorkspace == null) {
            missing.append(" --workspace (DATASTORES_WORKSPACE)");
        }
        if (resolvedStore == null) {
            missing.append(" --store (DATASTORES_STORE)");
        }
        if (missing.length() > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "missing" + missing + "; or set them in " + settings.fileName());
        }
        return Datastores.connect(resolvedUrl, resolvedToken).store(resolvedWorkspace, resolvedStore);
    }

    boolean onTerminal() {
        return terminal.get();
    }

    InputStream stdin() {
        return stdin;
    }

    PrintStream stdout() {
        return stdout;
    }

    PrintStream stderr() {
        return stderr;
    }

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        DatastoresCli root;

        @Spec
        CommandSpec spec;

        CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints the value under KEY (its exact JSON).")
    static final class Get extends Sub {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--etag", description = "Print the record's ETag instead of its value.")
        boolean etag;

        @Override
        public Integer call() throws IOException {
            StoredValue value = root.store().get(key);
            PrintStream out = root.stdout();
            if (etag) {
                out.print(value.etag() + "\n");
            } else {
                out.write(value.bytes());
                // a newline only for a person at a terminal: piped, the bytes are the value's, so get | put keeps it
                if (System.console() != null) {
                    out.write('\n');
                }
            }
            return 0;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Stores a JSON value under KEY (from VALUE, --file, or standard input) and prints its ETag.",
            footerHeading = "%n", footer = {"Standard input is read for VALUE '-', --file -, or no VALUE while input is piped."})
    static final class PutCommand extends Sub {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "JSON text, or - for standard input.")
        String value;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the value from FILE (- for standard input).")
        String file;

        @Option(names = "--string", description = "Store VALUE (or the input) as a JSON string, not as JSON text.")
        boolean string;

        @Option(names = "--ttl", paramLabel = "SECONDS", description = "Expire the record after SECONDS (1 to 315360000).")
        Long ttl;

        @Option(names = "--if-match", paramLabel = "ETAG",
                description = "Write only if the record is still at ETAG (as printed by put or get --etag; * : only if it exists).")
        String ifMatch;

        @Option(names = "--if-absent", description = "Write only if the key has no record (If-None-Match: *).")
        boolean ifAbsent;

        @Override
        public Integer call() throws IOException {
            if (ifMatch != null && ifAbsent) {
                throw usage("--if-match and --if-absent exclude each other");
            }
            if (value != null && file != null) {
                throw usage("give the value as VALUE or with --file, not both");
            }
            byte[] body;
            if (file != null && !file.equals("-")) {
                try {
                    body = Files.readAllBytes(Path.of(file));
                } catch (NoSuchFileException missing) {
                    throw usage("no such file: " + file);
                }
            } else if ("-".equals(file) || "-".equals(value)) {
                body = root.stdin().readAllBytes();
            } else if (value != null) {
                body = value.getBytes(StandardCharsets.UTF_8);
            } else if (!root.onTerminal()) {
                body = root.stdin().readAllBytes();
            } else {
                throw usage("give a VALUE, --file FILE, or - to read standard input");
            }
            if (string) {
                String text = new String(body, StandardCharsets.UTF_8);
                if (value == null && text.endsWith("\n")) {
                    text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
                }
                body = new ObjectMapper().writeValueAsBytes(text);
            }
            Put put = new Put(ttl, ifMatch, ifAbsent);
            Written written = root.store().put(key, body, put);
            root.stdout().print(written.etag() + "\n");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes the record under KEY.")
    static final class Delete extends Sub {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--if-match", paramLabel = "ETAG", description = "Delete only if the record is still at ETAG.")
        String ifMatch;

        @Override
        public Integer call() throws IOException {
            root.store().delete(key, ifMatch);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints every key (starting with PREFIX) in key order, page after page.")
    static final class ListCommand extends Sub {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX")
        String prefix;

        @Option(names = "--page-size", paramLabel = "N", defaultValue = "100",
                description = "Records fetched per request, 1 to 1024 (default ${DEFAULT-VALUE}).")
        int pageSize;

        @Option(names = "--json", description = "Print each record as a JSON line {key, etag, updatedAt, expiresAt[, value]}.")
        boolean json;

        @Option(names = "--values", description = "With --json: include the values.")
        boolean values;

        @Override
        public Integer call() throws IOException {
            if (pageSize < 1 || pageSize > 1024) {
                throw usage("--page-size must be 1 to 1024");
            }
            StoreClient store = root.store();
            PrintStream out = root.stdout();
            ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();
            try (Stream<dev.datastores.client.model.ListedRecord> records = store.list(prefix, pageSize, json && values)) {
                records.forEach(record -> {
                    if (!json) {
                        out.print(record.getKey() + "\n");
                        return;
                    }
                    ObjectNode line = mapper.createObjectNode();
                    line.put("key", record.getKey());
                    if (values) {
                        line.set("value", mapper.valueToTree(record.getValue()));
                    }
                    line.put("etag", record.getEtag());
                    line.put("updatedAt", record.getUpdatedAt() == null ? null : record.getUpdatedAt().toString());
                    line.put("expiresAt", record.getExpiresAt() == null ? null : record.getExpiresAt().toString());
                    out.print(line + "\n");
                });
            }
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Writes the store as NDJSON lines {key, value, etag, expiresAt}.",
            footerHeading = "%n", footer = {"To --output FILE (with a progress bar on a terminal) or standard output."})
    static final class Export extends Sub {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
        Path output;

        @Option(names = "--prefix", paramLabel = "PREFIX")
        String prefix;

        @Option(names = "--after", paramLabel = "KEY", description = "Resume after KEY (the last key of a broken export).")
        String after;

        @Override
        public Integer call() throws IOException {
            StoreClient store = root.store();
            boolean bar = output != null && root.onTerminal();
            long total = bar && prefix == null && after == null ? valueOrZero(store.info().getRecordCount()) : 0;
            long lines = 0;
            OutputStream out = output == null ? root.stdout() : Files.newOutputStream(output);
            try (InputStream body = store.exportStream(prefix, after);
                    Progress progress = new Progress(root.stderr(), bar, "records", total)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = body.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    long newlines = 0;
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            newlines++;
                        }
                    }
                    lines += newlines;
                    progress.advance(newlines);
                }
                out.flush();
            } finally {
                if (output != null) {
                    out.close();
                }
            }
            if (output != null) {
                root.stderr().println("exported " + lines + " records to " + output);
            }
            return 0;
        }

        private static long valueOrZero(Long value) {
            return value == null ? 0 : value;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Uploads NDJSON records {key, value, ttl?} or an export's lines.",
            footerHeading = "%n", footer = {"From FILE (with a progress bar on a terminal) or standard input (- or no FILE), streamed."})
    static final class Import extends Sub {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE")
        String file;

        @Override
        public Integer call() throws IOException {
            StoreClient store = root.store();
            InputStream in;
            long size = 0;
            if (file == null || file.equals("-")) {
                in = root.stdin();
            } else {
                Path path = Path.of(file);
                if (!Files.isRegularFile(path)) {
                    throw usage("no such file: " + file);
                }
                size = Files.size(path);
                in = Files.newInputStream(path);
            }
            Imported imported;
            try (Progress progress = new Progress(root.stderr(), size > 0 && root.onTerminal(), "bytes", size);
                    InputStream counted = new FilterInputStream(in) {
                        @Override
                        public int read() throws IOException {
                            int b = super.read();
                            if (b >= 0) {
                                progress.advance(1);
                            }
                            return b;
                        }

                        @Override
                        public int read(byte[] buffer, int offset, int length) throws IOException {
                            int n = super.read(buffer, offset, length);
                            if (n > 0) {
                                progress.advance(n);
                            }
                            return n;
                        }
                    }) {
                imported = store.importFrom(counted);
            }
            long skipped = imported.getSkippedExpired() == null ? 0 : imported.getSkippedExpired();
            root.stdout().print("imported " + imported.getImported() + " records"
                    + (skipped > 0 ? ", skipped " + skipped + " expired" : "") + "\n");
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Prints the store's changes as they are committed, one line each, until the store is deleted.",
            footerHeading = "%n",
            footer = {"A line is POSITION, TYPE and, for set and delete, KEY, separated by tabs; a set adds its",
                    "value (unless --no-values), a delete by expiry adds 'expired'. TYPE is set, delete, clear",
                    "or store-deleted. --json prints each change as the long poll has it:",
                    "{position, type, key?, etag?, value?, expiresAt?, reason?}.",
                    "",
                    "A lost connection is resumed after the last change printed (said on standard error),",
                    "so nothing is skipped or repeated; to go on later, pass the last POSITION to --since.",
                    "Exits 0 after store-deleted; 4 with 410 history-expired when --since is older than",
                    "the history kept (re-read the store, then watch --since the 'next' it names)."})
    static final class WatchCommand extends Sub {
        @Parameters(index = "0", arity = "0..1", paramLabel = "STORE",
                description = "The store (its ID or name); else --store / DATASTORES_STORE.")
        String storeArgument;

        @Option(names = "--since", paramLabel = "POSITION",
                description = "Start after this position (a line's first field); default: from the next change.")
        String since;

        @Option(names = "--prefix", paramLabel = "PREFIX", description = "Only changes of keys starting with PREFIX.")
        String prefix;

        @Option(names = "--no-values", description = "Leave the values out.")
        boolean noValues;

        @Option(names = "--json", description = "One JSON object per change.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            if (since != null && !since.matches("[0-7][0-9a-f]{15}")) {
                throw usage("--since must be a position: 16 lowercase hex digits, as the first field of a line");
            }
            if (storeArgument != null) {
                if (root.store != null && !root.store.equals(storeArgument)) {
                    throw usage("name the store once: STORE or --store");
                }
                root.store = storeArgument;
            }
            StoreClient store = root.store();
            PrintStream out = root.stdout();
            PrintStream err = root.stderr();
            ObjectMapper mapper = new ObjectMapper();
            Watch watch = Watch.from(since).prefix(prefix).values(!noValues).onReconnect(reconnect ->
                    err.println("datastores: " + oneLine(String.valueOf(reconnect.cause().getMessage()))
                            + "; resuming after " + reconnect.position() + " in "
                            + reconnect.delay().toMillis() + " ms"));
            try (ChangeStream changes = store.watch(watch)) {
                while (changes.hasNext()) {
                    Change change = changes.next();
                    out.print((json ? jsonLine(mapper, change) : line(change)) + "\n");
                    out.flush();
                }
            }
            return 0;
        }

        private static String line(Change change) {
            StringBuilder line = new StringBuilder(change.position()).append('\t').append(change.type());
            if (change.key() != null) {
                line.append('\t').append(change.key());
            }
            if (change.value() != null) {
                line.append('\t').append(change.value());
            }
            if (change.reason() != null) {
                line.append('\t').append(change.reason());
            }
            return line.toString();
        }

        private static String jsonLine(ObjectMapper mapper, Change change) {
            ObjectNode line = mapper.createObjectNode();
            line.put("position", change.position());
            line.put("type", change.type());
            if (change.key() != null) {
                line.put("key", change.key());
            }
            if (change.etag() != null) {
                line.put("etag", change.etag());
            }
            if (change.value() != null) {
                line.set("value", change.value());
            }
            if (change.expiresAt() != null) {
                line.put("expiresAt", change.expiresAt());
            }
            if (change.reason() != null) {
                line.put("reason", change.reason());
            }
            return line.toString();
        }
    }
}
