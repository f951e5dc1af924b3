package dev.datastores.transfer;

import dev.datastores.domain.DomainException.NotFound;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.datastores.codec.JsonText;
import dev.datastores.codec.ValueCodec;
import dev.datastores.record.Keys;
import dev.datastores.record.RecordStorage;
import dev.datastores.record.StoredRecord;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A store as NDJSON, one record per line in key order, read a page at a time by key (keyset
 * pagination): memory stays flat whatever the store's size, and {@code after} resumes a broken download.
 */
@ApplicationScoped
public class ExportService {

    static final int PAGE = 1000;
    private static final int LINES_PER_PIECE = 100;
    /** A line's bytes besides its key and value: member names, etag, expiry, punctuation. */
    private static final int LINE_OVERHEAD = 96;
    private static final JsonFactory JSON = new JsonFactory();

    private final RecordStorage records;
    private final ParallelCodec codec;

    public ExportService(RecordStorage records, ParallelCodec codec) {
        this.records = records;
        this.codec = codec;
    }

    /**
     * Checks the store, then streams its live records; each item is one page of lines. The next page is
     * read from PostgreSQL while the current one is decompressed and written out, on a worker thread
     * and with its values decompressed in parallel, so the stream is bound by the slowest step, not their sum.
     */
    public Uni<Multi<Buffer>> export(String workspaceId, String storeId, String prefix, String after) {
        String from = prefix == null ? "" : requireKeyText(prefix);
        String afterKey = after == null ? "" : requireKeyText(after);
        String below = Keys.prefixUpperBound(from);
        return records.storeExists(workspaceId, storeId).map(exists -> {
            if (!exists) {
                throw new NotFound("Store " + storeId);
            }
            PagesAhead pages = new PagesAhead(storeId, from, below, afterKey);
            return Multi.createBy().repeating().uni(pages::next)
                    .whilst(Lines::more)
                    .onItem().transformToIterable(Lines::pieces);
        });
    }

    /** One page written as NDJSON, in pieces, and whether a page may follow it. */
    private record Lines(List<Buffer> pieces, boolean more) {
    }

    /** Pages of a store in key order, each requested from PostgreSQL as soon as the one before it arrives. */
    private final class PagesAhead {
        private final String storeId;
        private final String from;
        private final String below;
        private CompletableFuture<List<StoredRecord>> ahead;

        PagesAhead(String storeId, String from, String below, String afterKey) {
            this.storeId = storeId;
            this.from = from;
            this.below = below;
            this.ahead = fetch(afterKey);
        }

        Uni<Lines> next() {
            return Uni.createFrom().completionStage(ahead).chain(page -> {
                boolean more = page.size() == PAGE;
                if (more) {
                    ahead = fetch(page.get(page.size() - 1).key());
                }
                return Uni.createFrom().item(() -> new Lines(lines(page, codec.decodeValues(page)), more))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            });
        }

        private CompletableFuture<List<StoredRecord>> fetch(String afterKey) {
            return records.page(storeId, from, below, afterKey, PAGE, true).subscribeAsCompletionStage();
        }
    }

    /**
     * NDJSON lines {@code {"key","value","etag","expiresAt"}}, the value as stored but on one line, in pieces of
     * {@link #LINES_PER_PIECE} lines: small enough for the heap to take in its stride (a whole page, over
     * a MiB, would be a humongous object to G1 at a small heap). Quarkus REST ends each item of an NDJSON
     * stream with a newline, so a piece's last line has none of its own.
     */
    static List<Buffer> lines(List<StoredRecord> page, List<byte[]> values) {
        List<Buffer> pieces = new ArrayList<>(page.size() / LINES_PER_PIECE + 1);
        for (int start = 0; start < page.size(); start += LINES_PER_PIECE) {
            int end = Math.min(page.size(), start + LINES_PER_PIECE);
            pieces.add(piece(page.subList(start, end), values.subList(start, end)));
        }
        return pieces;
    }

    private static Buffer piece(List<StoredRecord> records, List<byte[]> values) {
        int size = 0;
        for (int i = 0; i < records.size(); i++) {
            size += values.get(i).length + records.get(i).key().length() * 2 + LINE_OVERHEAD;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        try (JsonGenerator line = JSON.createGenerator(out)) {
            line.setRootValueSeparator(null);
            for (int i = 0; i < records.size(); i++) {
                StoredRecord record = records.get(i);
                if (i > 0) {
                    line.writeRaw('\n');
                }
                line.writeStartObject();
                writeKeyAndValue(line, out, record.key(), values.get(i));
                line.writeStringField("etag", record.etag());
                line.writeFieldName("expiresAt");
                if (record.expiresAt() == null) {
                    line.writeNull();
                } else {
                    line.writeString(record.expiresAt().toString());
                }
                line.writeEndObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }


    /**
     * The members {@code "key"} and {@code "value"} of an exported record, the value as stored less the whitespace
     * between its tokens: a value sent pretty-printed would otherwise break its line in two, and the export could
     * not be imported. The value's bytes go straight to {@code out}, the generator's own output, after the
     * generator has been told a value stands there and has flushed what it holds: no String of the value is made.
     */
    static void writeKeyAndValue(JsonGenerator json, OutputStream out, String key, byte[] value) throws IOException {
        json.writeStringField("key", key);
        json.writeFieldName("value");
        json.writeRawValue("");
        json.flush();
        out.write(JsonText.compact(value));
    }

    private static String requireKeyText(String key) {
        return key.isEmpty() ? key : Keys.require(key);
    }
}
