package dev.datastores.transfer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.datastores.codec.ValueCodec;
import dev.datastores.http.Problems;
import dev.datastores.record.Keys;
import dev.datastores.record.RecordRepository;
import dev.datastores.record.StoredRecord;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A store as NDJSON, one record per line in key order, read a page at a time by key (keyset
 * pagination): memory stays flat whatever the store's size, and {@code after} resumes a broken download.
 */
@ApplicationScoped
public class ExportService {

    static final int PAGE = 1000;
    private static final JsonFactory JSON = new JsonFactory();

    private final RecordRepository records;

    public ExportService(RecordRepository records) {
        this.records = records;
    }

    /** Checks the store, then streams its live records; each item is one page of lines. */
    public Uni<Multi<Buffer>> export(String workspaceId, String storeId, String prefix, String after) {
        String from = prefix == null ? "" : requireKeyText(prefix);
        String afterKey = after == null ? "" : requireKeyText(after);
        String below = Keys.prefixUpperBound(from);
        return records.storeExists(workspaceId, storeId).map(exists -> {
            if (!exists) {
                throw Problems.notFound("Store " + storeId);
            }
            return Multi.createBy().repeating()
                    .uni(() -> new String[] {afterKey}, last -> records.page(storeId, from, below, last[0], PAGE, true)
                            .invoke(page -> {
                                if (!page.isEmpty()) {
                                    last[0] = page.get(page.size() - 1).key();
                                }
                            }))
                    .whilst(page -> page.size() == PAGE)
                    .filter(page -> !page.isEmpty())
                    .map(ExportService::lines);
        });
    }

    /**
     * NDJSON lines {@code {"key","value","etag","expiresAt"}}, the value as stored. Quarkus REST ends each
     * item of an NDJSON stream with a newline, so the page's last line has none of its own.
     */
    static Buffer lines(List<StoredRecord> page) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(page.size() * 256);
        try (JsonGenerator line = JSON.createGenerator(out)) {
            line.setRootValueSeparator(null);
            for (StoredRecord record : page) {
                if (record != page.get(0)) {
                    line.writeRaw('\n');
                }
                line.writeStartObject();
                writeKeyAndValue(line, record);
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

    /** The members {@code "key"} and {@code "value"} of an exported record, the value exactly as stored. */
    static void writeKeyAndValue(JsonGenerator json, StoredRecord record) throws IOException {
        json.writeStringField("key", record.key());
        json.writeFieldName("value");
        json.writeRawValue(new String(ValueCodec.decode(record.storedValue()), StandardCharsets.UTF_8));
    }

    private static String requireKeyText(String key) {
        return key.isEmpty() ? key : Keys.require(key);
    }
}
