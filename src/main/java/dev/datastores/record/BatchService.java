package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.ChecksFailed;
import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.TooManyKeys;
import dev.datastores.domain.DomainException.ValueTooLarge;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.tenant.Plan;
import dev.datastores.tenant.PlanDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import dev.datastores.record.RecordStorage.DeleteOutcome;
import dev.datastores.record.RecordStorage.Expiring;
import dev.datastores.record.RecordStorage.PutManyOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.Set;

/** Many records at once: all-or-nothing batches, batch reads, and the difference between two stores. */
@ApplicationScoped
public class BatchService {

    private final RecordStorage records;
    private final Clock clock;
    private final PlanDirectory plans;
    private final QuotaService quota;

    public BatchService(RecordStorage records, PlanDirectory plans, QuotaService quota, Clock clock) {
        this.records = records;
        this.clock = clock;
        this.plans = plans;
        this.quota = quota;
    }


    /** The live records among the keys asked for, in the order asked, and the keys that have none. */
    public record BatchGet(List<StoredRecord> records, List<String> missing) {
    }

    /** What a batch did. */
    public record BatchResult(int set, int deleted) {
    }

    /**
     * Sets and deletes up to 1,024 records in one transaction, checks counted among them: all or nothing. Every check
     * must hold at commit, or nothing is written ({@link ChecksFailed}, naming the keys whose checks failed). Quota is
     * checked for the batch as a whole: its new keys and bytes, less what it deletes or replaces.
     */
    public Uni<BatchResult> batch(String workspaceId, String storeId, List<SetItem> sets, List<String> deletes,
            List<Check> checks) {
        if (sets.size() + deletes.size() + checks.size() > RecordService.MAX_PAGE) {
            throw new TooManyKeys(RecordService.MAX_PAGE);
        }
        Set<String> seen = new LinkedHashSet<>();
        sets.forEach(item -> requireOnce(seen, item.key()));
        deletes.forEach(key -> requireOnce(seen, key));
        // a key may be checked and also set or deleted: the check is on the record as the batch finds it
        Set<String> checked = new LinkedHashSet<>();
        checks.forEach(check -> {
            if (!checked.add(check.key())) {
                throw DomainException.invalidRequest("The key '" + check.key() + "' is checked more than once in the batch");
            }
        });
        return plans.planOf(workspaceId).chain(plan -> {
            long bytes = 0;
            for (SetItem item : sets) {
                if (item.json().length > plan.maxValueBytes) {
                    throw new ValueTooLarge(item.json().length, plan.maxValueBytes);
                }
                bytes += item.stored().length;
            }
            Delta asIfAllNew = new Delta(0, sets.size(), bytes);
            return quota.guardTransaction(workspaceId, plan, asIfAllNew, tx -> write(tx, workspaceId, storeId, sets, deletes, checks))
                    .onFailure(failure -> QuotaExceeded.at(failure, Limit.KEYS, Limit.STORAGE_BYTES))
                    .recoverWithUni(refusal -> withNetReservation(plan, workspaceId, storeId, sets, deletes, checks, asIfAllNew));
        });
    }

    public Uni<BatchGet> batchGet(String workspaceId, String storeId, List<String> keys) {
        if (keys.size() > RecordService.MAX_PAGE) {
            throw new TooManyKeys(RecordService.MAX_PAGE);
        }
        List<String> unique = List.copyOf(new LinkedHashSet<>(keys));
        return records.storeExists(workspaceId, storeId)
                .chain(exists -> {
                    if (!exists) {
                        throw new NotFound("Store " + storeId);
                    }
                    return records.getMany(storeId, unique);
                })
                .map(found -> {
                    Map<String, StoredRecord> byKey = new HashMap<>();
                    found.forEach(record -> byKey.put(record.key(), record));
                    List<StoredRecord> present = new ArrayList<>();
                    List<String> missing = new ArrayList<>();
                    for (String key : unique) {
                        StoredRecord record = byKey.get(key);
                        if (record == null) {
                            missing.add(key);
                        } else {
                            present.add(record);
                        }
                    }
                    return new BatchGet(present, missing);
                });
    }

    /** Records of this store whose key {@code otherStoreId} lacks, paged like a listing. */
    public Uni<RecordService.Page> diff(String workspaceId, String storeId, String otherStoreId, Integer limit,
            String cursor, boolean values) {
        if (otherStoreId == null || otherStoreId.isBlank()) {
            throw DomainException.invalidRequest("against names the store to compare with");
        }
        int size = RecordService.pageSize(limit);
        String afterKey = cursor == null || cursor.isEmpty() ? "" : Cursor.keyOf(cursor);
        return records.storeExists(workspaceId, storeId)
                .chain(exists -> exists ? records.storeExists(workspaceId, otherStoreId) : Uni.createFrom().item(false))
                .chain(bothExist -> {
                    if (!bothExist) {
                        throw new NotFound("Store");
                    }
                    return records.diff(storeId, otherStoreId, afterKey, size + 1, values);
                })
                .map(rows -> RecordService.Page.of(rows, size));
    }

    private Uni<BatchResult> withNetReservation(Plan plan, String workspaceId, String storeId, List<SetItem> sets,
            List<String> deletes, List<Check> checks, Delta asIfAllNew) {
        List<String> touched = new ArrayList<>(deletes);
        sets.forEach(item -> touched.add(item.key()));
        return records.physicalMany(storeId, touched).chain(existing -> {
            Delta net = new Delta(0, asIfAllNew.keys() - existing.rows(), asIfAllNew.bytes() - existing.storedBytes()).growth();
            return quota.guardTransaction(workspaceId, plan, net, tx -> write(tx, workspaceId, storeId, sets, deletes, checks));
        });
    }

    /**
     * Locks every key the batch touches or checks (with the store's other writers of many rows kept out), evaluates
     * the checks on the locked rows, then deletes and sets. A failed check throws inside the transaction: it rolls
     * back, and the quota reserved for it is released.
     */
    private Uni<Written<BatchResult>> write(SqlConnection tx, String workspaceId, String storeId, List<SetItem> sets,
            List<String> deletes, List<Check> checks) {
        List<String> touched = Stream.of(sets.stream().map(SetItem::key), deletes.stream(), checks.stream().map(Check::key))
                .flatMap(keys -> keys).distinct().toList();
        Uni<List<DeleteOutcome>> deleted = records.lockKeys(tx, storeId, touched)
                .chain(() -> checks.isEmpty() ? Uni.createFrom().voidItem() : records.check(tx, workspaceId, storeId, checks)
                        .invoke(outcome -> {
                            if (!outcome.storeFound()) {
                                throw new NotFound("Store " + storeId);
                            }
                            if (!outcome.failed().isEmpty()) {
                                throw new ChecksFailed(outcome.failed());
                            }
                        }).replaceWithVoid())
                .chain(() -> deletes.isEmpty() ? Uni.createFrom().item(List.of())
                        : records.deleteMany(tx, workspaceId, storeId, deletes));
        return deleted.chain(deleteRows -> {
            Uni<PutManyOutcome> put = sets.isEmpty()
                    ? Uni.createFrom().item(PutManyOutcome.NOTHING)
                    : records.putMany(tx, workspaceId, storeId, expiring(sets));
            return put.map(outcome -> settle(storeId, outcome, deleteRows));
        });
    }

    private static Written<BatchResult> settle(String storeId, PutManyOutcome put, List<DeleteOutcome> deletions) {
        if (!put.storeFound()) {
            throw new NotFound("Store " + storeId);
        }
        long keys = put.keysAdded();
        long bytes = put.storedDelta();
        long raw = put.rawDelta();
        int deleted = 0;
        for (DeleteOutcome deletion : deletions) {
            if (deletion.kind() == DeleteOutcome.Kind.NO_STORE) {
                throw new NotFound("Store " + storeId);
            }
            if (deletion.removedRow()) {
                keys--;
                bytes -= deletion.oldStoredBytes();
                raw -= deletion.oldRawBytes();
            }
            deleted += deletion.kind() == DeleteOutcome.Kind.DELETED ? 1 : 0;
        }
        return new Written<>(new BatchResult(put.set(), deleted), new Delta(0, keys, bytes),
                new StoreDelta(storeId, keys, bytes, raw));
    }

    /** The items with their expiry, counted from now: the batch is written now. */
    private List<Expiring> expiring(List<SetItem> items) {
        List<Expiring> expiring = new ArrayList<>(items.size());
        items.forEach(item -> expiring.add(new Expiring(item.key(), item.json(), item.stored(),
                item.expiresAt() != null ? item.expiresAt() : Ttl.expiryOf(item.ttl(), clock))));
        return expiring;
    }

    private static void requireOnce(Set<String> seen, String key) {
        if (!seen.add(key)) {
            throw DomainException.invalidRequest("The key '" + key + "' appears more than once in the batch");
        }
    }
}
