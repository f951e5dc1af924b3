package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.TooManyKeys;
import dev.datastores.domain.DomainException.ValueTooLarge;
import dev.datastores.codec.ValueCodec;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.workspace.Plan;
import dev.datastores.workspace.PlanDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Many records at once: all-or-nothing batches, batch reads, and the difference between two stores. */
@ApplicationScoped
public class BatchService {

    private final RecordRepository records;
    private final PlanDirectory plans;
    private final QuotaService quota;

    public BatchService(RecordRepository records, PlanDirectory plans, QuotaService quota) {
        this.records = records;
        this.plans = plans;
        this.quota = quota;
    }

    /** One value of a batch: as sent, and in its stored (compressed) form. */
    public record SetItem(String key, byte[] json, byte[] stored, Instant expiresAt) {

        /** Compresses the value: the costly part of a write, so callers may do it on any thread, in parallel. */
        public static SetItem encoding(String key, byte[] json, Instant expiresAt) {
            return new SetItem(key, json, ValueCodec.encode(json), expiresAt);
        }
    }

    /** The live records among the keys asked for, in the order asked, and the keys that have none. */
    public record BatchGet(List<StoredRecord> records, List<String> missing) {
    }

    /** What a batch did. */
    public record BatchResult(int set, int deleted) {
    }

    /**
     * Sets and deletes up to 1,024 records in one transaction: all or nothing. Quota is checked for the
     * batch as a whole: its new keys and bytes, less what it deletes or replaces.
     */
    public Uni<BatchResult> batch(String workspaceId, String storeId, List<SetItem> sets, List<String> deletes) {
        if (sets.size() + deletes.size() > RecordService.MAX_PAGE) {
            throw new TooManyKeys(RecordService.MAX_PAGE);
        }
        Set<String> seen = new LinkedHashSet<>();
        sets.forEach(item -> requireOnce(seen, item.key()));
        deletes.forEach(key -> requireOnce(seen, key));
        return plans.planOf(workspaceId).chain(plan -> {
            long bytes = 0;
            for (SetItem item : sets) {
                if (item.json().length > plan.maxValueBytes) {
                    throw new ValueTooLarge(item.json().length, plan.maxValueBytes);
                }
                bytes += item.stored().length;
            }
            Delta asIfAllNew = new Delta(0, sets.size(), bytes);
            return quota.guardTransaction(workspaceId, plan, asIfAllNew, tx -> write(tx, workspaceId, storeId, sets, deletes))
                    .onFailure(failure -> QuotaExceeded.at(failure, Limit.KEYS, Limit.STORAGE_BYTES))
                    .recoverWithUni(refusal -> withNetReservation(plan, workspaceId, storeId, sets, deletes, asIfAllNew));
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
            List<String> deletes, Delta asIfAllNew) {
        List<String> touched = new ArrayList<>(deletes);
        sets.forEach(item -> touched.add(item.key()));
        return records.physicalMany(storeId, touched).chain(existing -> {
            Delta net = new Delta(0, asIfAllNew.keys() - existing[0], asIfAllNew.bytes() - existing[1]).growth();
            return quota.guardTransaction(workspaceId, plan, net, tx -> write(tx, workspaceId, storeId, sets, deletes));
        });
    }

    private Uni<Written<BatchResult>> write(SqlConnection tx, String workspaceId, String storeId, List<SetItem> sets,
            List<String> deletes) {
        Uni<List<Row>> deleted = deletes.isEmpty() ? Uni.createFrom().item(List.of())
                : records.deleteMany(tx, workspaceId, storeId, deletes);
        return deleted.chain(deleteRows -> {
            Uni<RecordRepository.PutManyOutcome> put = sets.isEmpty()
                    ? Uni.createFrom().item(RecordRepository.PutManyOutcome.NOTHING)
                    : records.putMany(tx, workspaceId, storeId, sets);
            return put.map(outcome -> settle(storeId, outcome, deleteRows));
        });
    }

    private static Written<BatchResult> settle(String storeId, RecordRepository.PutManyOutcome put, List<Row> deleteRows) {
        if (!put.storeFound()) {
            throw new NotFound("Store " + storeId);
        }
        long keys = put.keysAdded();
        long bytes = put.storedDelta();
        long raw = put.rawDelta();
        int deleted = 0;
        for (Row row : deleteRows) {
            if (row.getString("outcome").equals("no-store")) {
                throw new NotFound("Store " + storeId);
            }
            if (row.getInteger("old_stored") > 0) {
                keys--;
                bytes -= row.getInteger("old_stored");
                raw -= row.getInteger("old_raw");
            }
            deleted += row.getString("outcome").equals("deleted") ? 1 : 0;
        }
        return new Written<>(new BatchResult(put.set(), deleted), new Delta(0, keys, bytes),
                new StoreDelta(storeId, keys, bytes, raw));
    }

    private static void requireOnce(Set<String> seen, String key) {
        if (!seen.add(key)) {
            throw DomainException.invalidRequest("The key '" + key + "' appears more than once in the batch");
        }
    }
}
