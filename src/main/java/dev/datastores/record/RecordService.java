package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.PreconditionFailed;
import dev.datastores.domain.DomainException.RecordNotFound;
import dev.datastores.domain.DomainException.TooManyKeys;
import dev.datastores.domain.DomainException.TooManyRecords;
import dev.datastores.domain.DomainException.ValueTooLarge;
import dev.datastores.codec.JsonValues;
import dev.datastores.codec.ValueCodec;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.record.RecordStorage.DeleteOutcome;
import dev.datastores.record.RecordStorage.PutOutcome;
import dev.datastores.tenant.Plan;
import dev.datastores.tenant.PlanDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** The rules of records: plan limits and quota, conditions, TTL, paging. */
@ApplicationScoped
public class RecordService {

    public static final int MAX_PAGE = 1024;
    public static final int DEFAULT_PAGE = 100;
    private static final int REPLACE_ATTEMPTS = 3;

    private final RecordStorage records;
    private final Clock clock;
    private final PlanDirectory plans;
    private final QuotaService quota;
    private final ValueSizes sizes;

    public RecordService(RecordStorage records, PlanDirectory plans, QuotaService quota, Clock clock, ValueSizes sizes) {
        this.records = records;
        this.sizes = sizes;
        this.clock = clock;
        this.plans = plans;
        this.quota = quota;
    }

    /**
     * Stores a value; the condition is the request's If-Match / If-None-Match. Quota is reserved as if
     * the key were new; a replace that this refuses at the limit is retried with its exact growth.
     */
    public Uni<PutResult> put(String workspaceId, String storeId, String key, byte[] json, Ttl ttl,
            WriteCondition condition) {
        return plans.planOf(workspaceId).chain(plan -> {
            if (json.length > plan.maxValueBytes) {
                throw new ValueTooLarge(json.length, plan.maxValueBytes);
            }
            JsonValues.requireSingleValue(json);
            Put put = new Put(workspaceId, storeId, key, json.length, ValueCodec.encode(json), Ttl.expiryOf(ttl, clock));
            return quota.guard(workspaceId, plan, new Delta(0, 1, put.stored.length), client -> write(client, put, condition))
                    .onFailure(failure -> QuotaExceeded.at(failure, Limit.KEYS, Limit.STORAGE_BYTES))
                    .recoverWithUni(refusal -> replaceWithinQuota(plan, put, condition, (QuotaExceeded) refusal, 1))
                    .map(outcome -> put.result(checked(outcome, put, condition)))
                    .invoke(() -> sizes.written(put.rawBytes, put.stored.length));
        });
    }

    public Uni<StoredRecord> get(String workspaceId, String storeId, String key) {
        return records.get(workspaceId, storeId, key).map(lookup -> {
            if (!lookup.storeFound()) {
                throw new NotFound("Store " + storeId);
            }
            if (lookup.record() == null) {
                throw new RecordNotFound(key);
            }
            return lookup.record();
        });
    }

    public Uni<Void> delete(String workspaceId, String storeId, String key, WriteCondition condition) {
        return plans.planOf(workspaceId)
                .chain(plan -> quota.guard(workspaceId, plan, Delta.NONE, client ->
                        records.delete(client, workspaceId, storeId, key, condition.version())
                                .map(outcome -> new Written<>(outcome, freed(outcome), storeFreed(storeId, outcome)))))
                .map(outcome -> switch (outcome.kind()) {
                    case DELETED -> null;
                    case ABSENT -> throw new RecordNotFound(key);
                    case NO_STORE -> throw new NotFound("Store " + storeId);
                    case PRECONDITION_FAILED -> throw new PreconditionFailed(condition.describe(key));
                });
    }

    /** One page of live records in key order; {@code cursor} comes from the previous page. */
    public Uni<Page> list(String workspaceId, String storeId, String prefix, Integer limit, String cursor, boolean values) {
        int size = pageSize(limit);
        String from = prefix == null ? "" : prefix;
        String afterKey = cursor == null || cursor.isEmpty() ? "" : Cursor.keyOf(cursor);
        return requireStore(workspaceId, storeId)
                .chain(() -> records.page(storeId, from, Keys.prefixUpperBound(from), afterKey, size + 1, values))
                .map(rows -> Page.of(rows, size));
    }

    /**
     * Every live record of a small store, in key order: at most {@value #MAX_PAGE}, else 426
     * too-many-records with the store's record count.
     */
    public Uni<List<StoredRecord>> whole(String workspaceId, String storeId, boolean values) {
        return requireStore(workspaceId, storeId)
                .chain(() -> records.page(storeId, "", null, "", MAX_PAGE + 1, values))
                .call(rows -> rows.size() <= MAX_PAGE ? Uni.createFrom().voidItem()
                        : records.liveCount(storeId).invoke(count -> {
                            throw new TooManyRecords(count, MAX_PAGE);
                        }));
    }

    /** Removes every record of the store; returns how many live records there were. */
    public Uni<Long> clear(String workspaceId, String storeId) {
        return plans.planOf(workspaceId)
                .chain(plan -> quota.guard(workspaceId, plan, Delta.NONE, client -> records.clear(client, workspaceId, storeId)
                        .map(cleared -> new Written<>(cleared, new Delta(0, -cleared.rows(), -cleared.storedBytes()),
                                new StoreDelta(storeId, -cleared.rows(), -cleared.storedBytes(), -cleared.rawBytes())))))
                .map(cleared -> {
                    if (!cleared.storeFound()) {
                        throw new NotFound("Store " + storeId);
                    }
                    return cleared.liveRecords();
                });
    }

    private Uni<Written<PutOutcome>> write(SqlClient client, Put put, WriteCondition condition) {
        return records.put(client, put.workspaceId, put.storeId, put.key, put.stored, put.rawBytes, put.expiresAt,
                condition.version(), condition.mustExist(), condition.mustBeAbsent())
                .map(outcome -> {
                    if (outcome.kind() == PutOutcome.Kind.NO_STORE) {
                        // a failure here, not an outcome: the answer then waits for the reservation's release, so a
                        // store deleted under racing writes leaves no phantom usage behind its 404s
                        throw new NotFound("Store " + put.storeId);
                    }
                    return new Written<>(outcome, put.growth(outcome), put.storeGrowth(outcome));
                });
    }

    /**
     * At the limit a replace is refused by the reservation that assumed a new key. Looks at the row it
     * replaces and reserves only the real growth, writing on condition that the row is still that one.
     */
    private Uni<PutOutcome> replaceWithinQuota(Plan plan, Put put, WriteCondition condition, QuotaExceeded refusal,
            int attempt) {
        return records.physical(put.workspaceId, put.storeId, put.key).chain(row -> {
            if (row == null || !row.live() || attempt > REPLACE_ATTEMPTS) {
                return Uni.createFrom().failure(refusal);
            }
            long version = row.version();
            if (condition.mustBeAbsent() || (condition.version() != null && condition.version() != version)) {
                return Uni.createFrom().failure(new PreconditionFailed(condition.describe(put.key)));
            }
            Delta growth = new Delta(0, 0, Math.max(0, put.stored.length - row.storedBytes()));
            WriteCondition sameRow = new WriteCondition(version, false, false);
            return quota.guard(put.workspaceId, plan, growth, client -> write(client, put, sameRow))
                    .chain(outcome -> outcome.kind() == PutOutcome.Kind.PRECONDITION_FAILED
                            ? replaceWithinQuota(plan, put, condition, refusal, attempt + 1)
                            : Uni.createFrom().item(outcome));
        });
    }

    private static PutOutcome checked(PutOutcome outcome, Put put, WriteCondition condition) {
        return switch (outcome.kind()) {
            case CREATED, REPLACED -> outcome;
            case NO_STORE -> throw new NotFound("Store " + put.storeId);
            case PRECONDITION_FAILED -> throw new PreconditionFailed(condition.describe(put.key));
        };
    }

    private static Delta freed(DeleteOutcome outcome) {
        return outcome.removedRow() ? new Delta(0, -1, -outcome.oldStoredBytes()) : Delta.NONE;
    }

    private static StoreDelta storeFreed(String storeId, DeleteOutcome outcome) {
        return outcome.removedRow() ? new StoreDelta(storeId, -1, -outcome.oldStoredBytes(), -outcome.oldRawBytes()) : null;
    }

    private Uni<Void> requireStore(String workspaceId, String storeId) {
        return records.storeExists(workspaceId, storeId).invoke(exists -> {
            if (!exists) {
                throw new NotFound("Store " + storeId);
            }
        }).replaceWithVoid();
    }

    static int pageSize(Integer limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        if (limit > MAX_PAGE) {
            throw new TooManyKeys(MAX_PAGE);
        }
        if (limit < 1) {
            throw DomainException.invalidRequest("limit must be 1 to " + MAX_PAGE);
        }
        return limit;
    }

    /** One value on its way in: sizes as sent and as stored. */
    private record Put(String workspaceId, String storeId, String key, int rawBytes, byte[] stored, Instant expiresAt) {

        Delta growth(PutOutcome outcome) {
            if (!outcome.written()) {
                return Delta.NONE;
            }
            return new Delta(0, outcome.oldRowExisted() ? 0 : 1, stored.length - outcome.oldStoredBytes());
        }

        StoreDelta storeGrowth(PutOutcome outcome) {
            if (!outcome.written()) {
                return null;
            }
            return new StoreDelta(storeId, outcome.oldRowExisted() ? 0 : 1, stored.length - outcome.oldStoredBytes(),
                    rawBytes - outcome.oldRawBytes());
        }

        PutResult result(PutOutcome outcome) {
            return new PutResult(key, Etags.of(outcome.version()), outcome.expiresAt(), rawBytes, stored.length,
                    outcome.kind() == PutOutcome.Kind.CREATED);
        }
    }

    /** The outcome of a put. */
    public record PutResult(String key, String etag, Instant expiresAt, long rawBytes, long storageBytes, boolean created) {
    }

    /** A page of records and the cursor of the next one (null on the last page). */
    public record Page(List<StoredRecord> records, String nextCursor) {

        /** A page from up to {@code size + 1} rows: the extra row only says there is a next page. */
        static Page of(List<StoredRecord> rows, int size) {
            boolean more = rows.size() > size;
            List<StoredRecord> page = more ? rows.subList(0, size) : rows;
            return new Page(page, more ? Cursor.after(page.get(page.size() - 1).key()) : null);
        }
    }

    /** The precondition of a write, from If-Match / If-None-Match. */
    public record WriteCondition(Long version, boolean mustExist, boolean mustBeAbsent) {

        public static WriteCondition fromHeaders(String ifMatch, String ifNoneMatch) {
            if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
                throw DomainException.invalidRequest("On writes If-None-Match only takes *");
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
            return version == Etags.NO_VERSION ? "The record '" + key + "' does not have the ETag sent"
                    : "The record '" + key + "' is not at version " + Etags.of(version);
        }
    }
}
