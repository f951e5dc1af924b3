package dev.datastores.it;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own: a fresh cluster (initdb) in a data directory named after its port, on
 * loopback, that the test stops and starts at will. Root runs it as the {@code postgres} user, as PostgreSQL
 * requires; anyone else runs it as themselves.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final long COMMAND_TIMEOUT_SECONDS = 90;

    private final int port;
    private final Path dataDirectory;
    private final Path log;
    private final Path commandLog;
    private final Path binaries;

    private LocalPostgres(int port, Path binaries) {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        this.port = port;
        this.dataDirectory = temp.resolve("datastores-it-postgres-" + port);
        this.log = temp.resolve("datastores-it-postgres-" + port + ".log");
        this.commandLog = temp.resolve("datastores-it-postgres-" + port + "-commands.log");
        this.binaries = binaries;
    }

    /** Creates a cluster and starts it on {@code port}, first removing what an aborted earlier run left there. */
    public static LocalPostgres start(int port) throws IOException, InterruptedException {
        LocalPostgres postgres = new LocalPostgres(port, binaries());
        postgres.removeLeftovers();
        if (portInUse(port)) {
            throw new IllegalStateException("Port " + port + " is taken by a process this test did not start");
        }
        postgres.run("initdb", "-D", postgres.dataDirectory.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        postgres.start();
        return postgres;
    }

    /** Starts the server and waits until it accepts connections. */
    public void start() throws IOException, InterruptedException {
        run("pg_ctl", "start", "-D", dataDirectory.toString(), "-l", log.toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dataDirectory + " -c listen_addresses=127.0.0.1");
    }

    /** A fast shutdown, as an operator's restart does: open transactions are rolled back, clients disconnected. */
    public void stop() throws IOException, InterruptedException {
        run("pg_ctl", "stop", "-D", dataDirectory.toString(), "-m", "fast", "-w", "-t", "60");
    }

    /** A connection to the database {@code name}, for checking what the service stored. */
    public Connection connect(String name) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + name, "postgres", "");
    }

    public int port() {
        return port;
    }

    /** Stops the server at once and deletes its data. */
    @Override
    public void close() {
        try {
            removeLeftovers();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("Could not remove the PostgreSQL of port " + port, e);
        }
    }

    private void removeLeftovers() throws IOException, InterruptedException {
        if (Files.exists(dataDirectory.resolve("postmaster.pid"))) {
            runIgnoringFailure("pg_ctl", "stop", "-D", dataDirectory.toString(), "-m", "immediate", "-w", "-t", "30");
        }
        if (Files.exists(dataDirectory)) {
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.deleteIfExists(log);
        Files.deleteIfExists(commandLog);
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process process = launch(command);
        if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish:\n" + logs());
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + logs());
        }
    }

    private void runIgnoringFailure(String... command) throws IOException, InterruptedException {
        Process process = launch(command);
        if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private Process launch(String... command) throws IOException {
        List<String> line = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.add(binaries.resolve(command[0]).toString());
        line.addAll(List.of(command).subList(1, command.length));
        // The server that pg_ctl starts outlives pg_ctl: it must hold no pipe of this JVM.
        return new ProcessBuilder(line).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(commandLog.toFile()))
                .start();
    }

    private String logs() {
        StringBuilder text = new StringBuilder();
        for (Path file : List.of(commandLog, log)) {
            try {
                if (Files.exists(file)) {
                    text.append(Files.readString(file));
                }
            } catch (IOException e) {
                text.append("(unreadable ").append(file).append(": ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    /** The newest installed PostgreSQL's programs (Debian keeps initdb and pg_ctl off the PATH). */
    private static Path binaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                return versions.filter(version -> Files.isExecutable(version.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(version -> Integer.parseInt(version.getFileName().toString().replaceAll("\\D", "0"))))
                        .map(version -> version.resolve("bin"))
                        .orElseThrow(() -> new IllegalStateException("No initdb under " + debian));
            }
        }
        return Path.of("/usr/bin");
    }

    private static boolean portInUse(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException free) {
            return false;
        }
    }
}
