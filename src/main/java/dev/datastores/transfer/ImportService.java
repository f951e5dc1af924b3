package dev.datastores.transfer;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.ImportStopped;
import dev.datastores.domain.DomainException.InvalidLine;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.codec.RawJson;
import dev.datastores.record.BatchService;
import dev.datastores.record.SetItem;
import dev.datastores.record.RecordStorage;
import dev.datastores.record.Records;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reads NDJSON {@code {"key","value","ttl"?}} lines from a request stream and commits them in chunks,
 * each an all-or-nothing batch checked against the quota. It runs on a worker thread reading the body as
 * it arrives, so memory holds three chunks whatever the body's size. It is a pipeline: while one chunk
 * commits, the next is parsed and compressed (in parallel, the costly part) and the one after it read;
 * chunks commit in order, one at a time, so a refusal still says exactly how many records came before it.
 */
@ApplicationScoped
public class ImportService {

    static final int CHUNK = 1000;
    /** A line holds one record; a value may be at most a few MiB, so this bounds memory, not records. */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    private static final Duration CHUNK_TIMEOUT = Duration.ofMinutes(2);

    private final BatchService batches;
    private final RecordStorage records;
    private final Vertx vertx;
    private final ParallelCodec codec;
    private final Clock clock;

    public ImportService(BatchService batches, RecordStorage records, Vertx vertx, ParallelCodec codec, Clock clock) {
        this.batches = batches;
        this.records = records;
        this.vertx = vertx;
        this.codec = codec;
        this.clock = clock;
    }

    /**
     * Imports every line; answers how many records were stored, and how many were skipped because the moment their
     * line's {@code expiresAt} gives has passed (a backup restored late). A bad line stops it with invalid-line.
     */
    public Imported importLines(String workspaceId, String storeId, InputStream body) {
        if (!await(submit(() -> records.storeExists(workspaceId, storeId)), 0)) {
            throw new NotFound("Store " + storeId);
        }
        LineReader lines = new LineReader(body, MAX_LINE_BYTES);
        Import progress = new Import(workspaceId, storeId);
        Chunk current = readChunk(lines);
        CompletableFuture<List<Parsed>> parsing = parseLater(current);
        while (true) {
            Chunk next = current.last() ? null : readChunk(lines);
            CompletableFuture<List<Parsed>> nextParsing = next == null ? null : parseLater(next);
            commitParsed(progress, parsing.join());
            if (current.unreadable() != null) {
                throw new InvalidLine(current.unreadableLine(), progress.finish(), current.unreadable());
            }
            if (next == null) {
                return new Imported(progress.finish(), progress.skippedExpired);
            }
            current = next;
            parsing = nextParsing;
        }
    }

    /** Parses and compresses a chunk's lines in parallel, while the caller reads the next chunk. */
    private CompletableFuture<List<Parsed>> parseLater(Chunk chunk) {
        return codec.map(chunk.lines(), ImportService::parse);
    }

    /** Commits parsed lines in order, a batch at a time; a bad line commits those before it, then stops the import. */
    private void commitParsed(Import progress, List<Parsed> parsed) {
        Instant now = clock.instant();
        List<SetItem> batch = new ArrayList<>(CHUNK);
        Set<String> batchKeys = new HashSet<>();
        for (Parsed line : parsed) {
            if (line.failure() != null) {
                progress.commit(batch);
                throw new InvalidLine(line.number(), progress.finish(), line.failure().getMessage());
            }
            if (line.item().expiresAt() != null && !line.item().expiresAt().isAfter(now)) {
                progress.skippedExpired++;
                continue;
            }
            if (!batchKeys.add(line.item().key())) {
                progress.commit(batch);
                batch = new ArrayList<>(CHUNK);
                batchKeys.clear();
                batchKeys.add(line.item().key());
            }
            batch.add(line.item());
        }
        progress.commit(batch);
    }

    /** Up to {@link #CHUNK} non-blank lines; a line that cannot be read ends the chunk, and the import after it. */
    private static Chunk readChunk(LineReader lines) {
        List<NumberedLine> chunk = new ArrayList<>(CHUNK);
        try {
            while (chunk.size() < CHUNK) {
                String line = lines.next();
                if (line == null) {
                    return new Chunk(chunk, null, 0, true);
                }
                if (!line.isBlank()) {
                    chunk.add(new NumberedLine(lines.lineNumber(), line));
                }
            }
            return new Chunk(chunk, null, 0, false);
        } catch (CharacterCodingException e) {
            return new Chunk(chunk, "not valid UTF-8", lines.lineNumber(), true);
        } catch (LineReader.LineTooLong e) {
            return new Chunk(chunk, "longer than " + MAX_LINE_BYTES + " bytes", lines.lineNumber(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Parsed parse(NumberedLine line) {
        try {
            return new Parsed(line.number(), Records.parseImportLine(RawJson.parseObject(line.text().getBytes(StandardCharsets.UTF_8))), null);
        } catch (DomainException bad) {
            return new Parsed(line.number(), null, bad);
        }
    }

    /** The batches of one import: at most one committing while the next is prepared. */
    private final class Import {
        private final String workspaceId;
        private final String storeId;
        private long imported;
        private long skippedExpired;
        private CompletableFuture<BatchService.BatchResult> committing;

        Import(String workspaceId, String storeId) {
            this.workspaceId = workspaceId;
            this.storeId = storeId;
        }

        /** Waits for the batch before, then starts committing this one. */
        void commit(List<SetItem> batch) {
            if (batch.isEmpty()) {
                return;
            }
            finish();
            List<SetItem> items = List.copyOf(batch);
            committing = submit(() -> batches.batch(workspaceId, storeId, items, List.of(), List.of()));
        }

        /** Waits for the last batch; returns every record stored. */
        long finish() {
            if (committing != null) {
                imported += await(committing, imported).set();
                committing = null;
            }
            return imported;
        }
    }

    /** Runs reactive database work on a Vert.x context, where it must run, and returns without waiting. */
    private <T> CompletableFuture<T> submit(Supplier<Uni<T>> work) {
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            try {
                work.get().subscribe().with(result::complete, result::completeExceptionally);
            } catch (RuntimeException failure) {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    /** The outcome of {@code pending}; a refusal (quota…) says how many records were imported before it. */
    private static <T> T await(CompletableFuture<T> pending, long importedBefore) {
        try {
            return pending.get(CHUNK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DomainException refused) {
                throw new ImportStopped(refused, importedBefore);
            }
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("An import chunk took longer than " + CHUNK_TIMEOUT + " to commit", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }


    /** What an import did: records stored, and lines skipped as already expired. */
    public record Imported(long imported, long skippedExpired) {
    }

    private record NumberedLine(long number, String text) {
    }

    /** Lines read together; {@code last} when nothing may follow (the body ended, or a line could not be read). */
    private record Chunk(List<NumberedLine> lines, String unreadable, long unreadableLine, boolean last) {
    }

    private record Parsed(long number, SetItem item, DomainException failure) {
    }
}
