package dev.datastores.transfer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;

/** An export job as stored and as shown: where it sends, what it has done, and where it stopped. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExportJob(String id, @JsonIgnore String workspaceId, String storeId, String url, int chunkSize,
        boolean deleteAfterExport, String prefix, String status, long chunks, long exported, long deleted,
        @JsonIgnore String lastKey, String error, Instant startedAt, Instant finishedAt) {

    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    static ExportJob of(Row row) {
        return new ExportJob(row.getString("id"), row.getString("workspace_id"), row.getString("store_id"),
                row.getString("url"), row.getInteger("chunk_size"), row.getBoolean("delete_after"), row.getString("prefix"),
                row.getString("status"), row.getLong("chunks"), row.getLong("exported"), row.getLong("deleted"),
                row.getString("last_key"), row.getString("error"), instant(row.getOffsetDateTime("started_at")),
                instant(row.getOffsetDateTime("finished_at")));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
