package dev.datastores.record;

import dev.datastores.codec.JsonValues;
import dev.datastores.codec.ValueCodec;
import dev.datastores.http.Problems;
import dev.datastores.record.RecordRepository.DeleteOutcome;
import dev.datastores.record.RecordRepository.PutOutcome;
import dev.datastores.workspace.PlanDirectory;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** The rules of records: plan limits, conditions, TTL, paging. */
@ApplicationScoped
public class RecordService {

    public static final int MAX_PAGE = 1024;
    public static final int DEFAULT_PAGE = 100;

    private final RecordRepository records;
    private final PlanDirectory plans;

    public RecordService(RecordRepository records, PlanDirectory plans) {
        this.records = records;
        this.plans = plans;
    }

    /** Stores a value; the condition is the request's If-Match / If-None-Match. */
    public Uni<PutResult> put(String workspaceId, String storeId, String key, byte[] json, Instant expiresAt,
            WriteCondition condition) {
        return plans.planOf(workspaceId).chain(plan -> {
            if (json.length > plan.maxValueBytes) {
                throw Problems.valueTooLarge(json.length, plan.maxValueBytes);
            }
            JsonValues.requireSingleValue(json);
            byte[] stored = ValueCodec.encode(json);
            return records.put(workspaceId, storeId, key, stored, json.length, expiresAt, condition.version(),
                    condition.mustExist(), condition.mustBeAbsent())
                    .map(outcome -> switch (outcome.kind()) {
                        case CREATED, REPLACED -> new PutResult(key, Etags.of(outcome.version()), outcome.expiresAt(),
                                json.length, stored.length, outcome.kind() == PutOutcome.Kind.CREATED);
                        case NO_STORE -> throw Problems.notFound("Store " + storeId);
                        case PRECONDITION_FAILED -> throw Problems.preconditionFailed(condition.describe(key));
                    });
        });
    }

    public Uni<StoredRecord> get(String workspaceId, String storeId, String key) {
        return records.get(workspaceId, storeId, key).map(lookup -> {
            if (!lookup.storeFound()) {
                throw Problems.notFound("Store " + storeId);
            }
            if (lookup.record() == null) {
                throw Problems.recordNotFound(key);
            }
            return lookup.record();
        });
    }

    public Uni<Void> delete(String workspaceId, String storeId, String key, WriteCondition condition) {
        return records.delete(workspaceId, storeId, key, condition.version()).map(outcome -> switch (outcome.kind()) {
            case DELETED -> null;
            case ABSENT -> throw Problems.recordNotFound(key);
            case NO_STORE -> throw Problems.notFound("Store " + storeId);
            case PRECONDITION_FAILED -> throw Problems.preconditionFailed(condition.describe(key));
        });
    }

    /** One page of live records in key order; {@code cursor} comes from the previous page. */
    public Uni<Page> list(String workspaceId, String storeId, String prefix, Integer limit, String cursor, boolean values) {
        int size = pageSize(limit);
        String from = prefix == null ? "" : prefix;
        String afterKey = cursor == null || cursor.isEmpty() ? "" : Cursor.keyOf(cursor);
        return requireStore(workspaceId, storeId)
                .chain(() -> records.page(storeId, from, Keys.prefixUpperBound(from), afterKey, size + 1, values))
                .map(rows -> {
                    boolean more = rows.size() > size;
                    List<StoredRecord> page = more ? rows.subList(0, size) : rows;
                    return new Page(page, more ? Cursor.after(page.get(page.size() - 1).key()) : null);
                });
    }

    /** Removes every record of the store; returns how many live records there were. */
    public Uni<Long> clear(String workspaceId, String storeId) {
        return records.clear(workspaceId, storeId).map(cleared -> {
            if (!cleared.storeFound()) {
                throw Problems.notFound("Store " + storeId);
            }
            return cleared.liveRecords();
        });
    }

    private Uni<Void> requireStore(String workspaceId, String storeId) {
        return records.storeExists(workspaceId, storeId).invoke(exists -> {
            if (!exists) {
                throw Problems.notFound("Store " + storeId);
            }
        }).replaceWithVoid();
    }

    private static int pageSize(Integer limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        if (limit > MAX_PAGE) {
            throw Problems.tooManyKeys(MAX_PAGE);
        }
        if (limit < 1) {
            throw Problems.invalidRequest("limit must be 1 to " + MAX_PAGE);
        }
        return limit;
    }

    /** The outcome of a put. */
    public record PutResult(String key, String etag, Instant expiresAt, long rawBytes, long storageBytes, boolean created) {
    }

    /** A page of records and the cursor of the next one (null on the last page). */
    public record Page(List<StoredRecord> records, String nextCursor) {
    }

    /** The precondition of a write, from If-Match / If-None-Match. */
    public record WriteCondition(Long version, boolean mustExist, boolean mustBeAbsent) {

        public static final WriteCondition NONE = new WriteCondition(null, false, false);

        public static WriteCondition fromHeaders(String ifMatch, String ifNoneMatch) {
            if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
                throw Problems.invalidRequest("On writes If-None-Match only takes *");
            }
            boolean anyMatch = ifMatch != null && ifMatch.trim().equals("*");
            return new WriteCondition(Etags.versionOf(ifMatch), anyMatch, ifNoneMatch != null);
        }

        String describe(String key) {
            if (mustBeAbsent) {
                return "The record '" + key + "' already exists";
            }
            if (version == null) {
                return "The record '" + key + "' does not exist";
            }
            return "The record '" + key + "' is not at version " + Etags.of(version);
        }
    }
}
