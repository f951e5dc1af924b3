package dev.datastores.transfer;

import dev.datastores.codec.RawJson;
import dev.datastores.http.ProblemException;
import dev.datastores.record.BatchService;
import dev.datastores.record.BatchService.SetItem;
import dev.datastores.record.RecordRepository;
import dev.datastores.record.Records;
import dev.datastores.http.Problems;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads NDJSON {@code {"key","value","ttl"?}} lines from a request stream and commits them in chunks,
 * each an all-or-nothing batch checked against the quota. It runs on a worker thread, reading the
 * request as it arrives, so memory holds one chunk whatever the body's size.
 */
@ApplicationScoped
public class ImportService {

    static final int CHUNK = 1000;
    private static final Duration CHUNK_TIMEOUT = Duration.ofMinutes(2);

    private final BatchService batches;
    private final RecordRepository records;

    public ImportService(BatchService batches, RecordRepository records) {
        this.batches = batches;
        this.records = records;
    }

    /** Imports every line; returns how many records were stored. A bad line stops it with invalid-line. */
    public long importLines(String workspaceId, String storeId, InputStream body) {
        if (!onEventLoop(() -> records.storeExists(workspaceId, storeId))) {
            throw Problems.notFound("Store " + storeId);
        }
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 64 * 1024);
        List<SetItem> chunk = new ArrayList<>(CHUNK);
        Set<String> chunkKeys = new HashSet<>();
        long imported = 0;
        long lineNumber = 0;
        try {
            while (true) {
                String line;
                try {
                    line = lines.readLine();
                } catch (CharacterCodingException e) {
                    throw invalidLine(lineNumber + 1, imported + commit(workspaceId, storeId, chunk, imported), "not valid UTF-8");
                }
                if (line == null) {
                    break;
                }
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                SetItem item;
                try {
                    item = Records.parseSetItem(RawJson.parseObject(line.getBytes(StandardCharsets.UTF_8)));
                } catch (ProblemException bad) {
                    throw invalidLine(lineNumber, imported + commit(workspaceId, storeId, chunk, imported), bad.getMessage());
                }
                if (!chunkKeys.add(item.key()) || chunk.size() == CHUNK) {
                    imported += commit(workspaceId, storeId, chunk, imported);
                    chunkKeys.clear();
                    chunkKeys.add(item.key());
                }
                chunk.add(item);
            }
            return imported + commit(workspaceId, storeId, chunk, imported);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits and empties the chunk; a refusal (quota…) reports how many records came before it. */
    private long commit(String workspaceId, String storeId, List<SetItem> chunk, long importedBefore) {
        if (chunk.isEmpty()) {
            return 0;
        }
        try {
            List<SetItem> items = List.copyOf(chunk);
            int stored = onEventLoop(() -> batches.batch(workspaceId, storeId, items, List.of())).set();
            chunk.clear();
            return stored;
        } catch (ProblemException refused) {
            Map<String, Object> extensions = new HashMap<>(refused.extensions());
            extensions.put("imported", importedBefore);
            throw new ProblemException(refused.status(), refused.slug(), refused.title(), refused.getMessage(), extensions);
        }
    }

    /** Reactive database clients must be driven from a Vert.x context, not from this worker thread. */
    private static <T> T onEventLoop(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> work.get().ifNoItem().after(CHUNK_TIMEOUT).fail());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProblemException invalidLine(long line, long imported, String why) {
        return new ProblemException(400, "invalid-line", "Invalid line",
                "Line " + line + " is not a record {\"key\", \"value\", \"ttl\"?}: " + why
                        + ". The lines before it were imported; resume after it",
                Map.of("line", line, "imported", imported));
    }
}
