package dev.datastores.transfer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/** An export job as stored and as shown: where it sends, what it has done, and where it stopped. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExportJob(String id, @JsonIgnore String workspaceId, String storeId, String url, int chunkSize,
        boolean deleteAfterExport, String prefix, Status status, long chunks, long exported, long deleted,
        @JsonIgnore String lastKey, String error, Instant startedAt, Instant finishedAt) {

    /** Where a job stands; the word is how the API and the {@code export_jobs.status} column spell it. */
    public enum Status {
        RUNNING("running"), SUCCEEDED("succeeded"), FAILED("failed");

        private final String word;

        Status(String word) {
            this.word = word;
        }

        @JsonValue
        public String word() {
            return word;
        }

        static Status of(String word) {
            for (Status status : values()) {
                if (status.word.equals(word)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("no export job status '" + word + "'");
        }
    }
}
