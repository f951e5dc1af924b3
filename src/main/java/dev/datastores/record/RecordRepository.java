package dev.datastores.record;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Record SQL: one statement per method, each a single round trip that also checks the store belongs
 * to the workspace. Expired records are invisible to every read.
 */
@ApplicationScoped
public class RecordRepository {

    private static final String PUT = "SELECT * FROM put_record($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    private static final String DELETE = "SELECT * FROM delete_record($1, $2, $3, $4)";
    private static final String GET = """
            SELECT r.key, r.value, r.version, r.updated_at, r.expires_at
              FROM stores s
              LEFT JOIN records r ON r.store_id = s.id AND r.key = $3 AND (r.expires_at IS NULL OR r.expires_at > now())
             WHERE s.id = $1 AND s.workspace_id = $2""";
    private static final String PAGE = "SELECT * FROM records_page($1, $2, $3, $4, $5, $6)";
    private static final String PHYSICAL = """
            SELECT r.version, r.stored_bytes, (r.expires_at IS NULL OR r.expires_at > now()) AS live
              FROM records r JOIN stores s ON s.id = r.store_id
             WHERE r.store_id = $1 AND s.workspace_id = $2 AND r.key = $3""";
    private static final String LIVE_COUNT =
            "SELECT count(*) FROM records WHERE store_id = $1 AND (expires_at IS NULL OR expires_at > now())";
    private static final String LOCK_ROW = """
            SELECT r.value, r.version, r.raw_bytes, r.stored_bytes, r.expires_at,
                   (r.expires_at IS NULL OR r.expires_at > now()) AS live
              FROM records r JOIN stores s ON s.id = r.store_id AND s.workspace_id = $2
             WHERE r.store_id = $1 AND r.key = $3
               FOR UPDATE OF r""";
    private static final String REWRITE = """
            UPDATE records SET value = $3, raw_bytes = $4, stored_bytes = $5, version = nextval('record_version'),
                   updated_at = now(), expires_at = $6,
                   created_at = CASE WHEN expires_at IS NULL OR expires_at > now() THEN created_at ELSE now() END
             WHERE store_id = $1 AND key = $2
            RETURNING version, expires_at""";
    private static final String EXPIRE = """
            UPDATE records r SET expires_at = $4
              FROM stores s
             WHERE s.id = r.store_id AND s.workspace_id = $2 AND r.store_id = $1 AND r.key = $3
               AND (r.expires_at IS NULL OR r.expires_at > now())
            RETURNING r.expires_at""";
    private static final String LOCK_STORE = "SELECT 1 FROM stores WHERE id = $1 AND workspace_id = $2 FOR KEY SHARE";
    private static final String LOCK_MANY = "SELECT * FROM lock_records($1, $2)";
    private static final String REWRITE_MANY = "SELECT rewrite_records($1, $2, $3, $4, $5, $6)";
    private static final String INSERT_MANY = """
            INSERT INTO records (store_id, key, value, raw_bytes, stored_bytes, version, created_at, updated_at, expires_at)
            SELECT $1, u.key, u.value, u.raw, u.stored, nextval('record_version'), now(), now(), u.expires
              FROM unnest($2::text[], $3::bytea[], $4::int[], $5::int[], $6::timestamptz[]) AS u(key, value, raw, stored, expires)
             ORDER BY u.key COLLATE "C"
            ON CONFLICT DO NOTHING
            RETURNING key""";
    private static final String DELETE_MANY = """
            SELECT d.outcome, d.old_stored, d.old_raw
              FROM unnest($3::text[]) AS u(key)
             CROSS JOIN LATERAL delete_record($1, $2, u.key, NULL) AS d""";
    private static final String GET_MANY = """
            SELECT key, value, version, updated_at, expires_at FROM records
             WHERE store_id = $1 AND key = ANY($2) AND (expires_at IS NULL OR expires_at > now())""";
    private static final String PHYSICAL_MANY = """
            SELECT count(*) AS rows, coalesce(sum(stored_bytes), 0) AS stored_bytes FROM records
             WHERE store_id = $1 AND key = ANY($2)""";
    private static final String DIFF = "SELECT * FROM records_missing_from($1, $2, $3, $4, $5)";
    private static final String STORE_EXISTS = "SELECT 1 FROM stores WHERE id = $1 AND workspace_id = $2";
    // r.store_id = $1 (not only the join) lets PostgreSQL prune the plan to the store's partition
    private static final String CLEAR = """
            WITH store AS (SELECT id FROM stores WHERE id = $1 AND workspace_id = $2),
                 gone AS (DELETE FROM records r USING store WHERE r.store_id = $1 AND r.store_id = store.id
                          RETURNING (r.expires_at IS NULL OR r.expires_at > now()) AS live, r.raw_bytes, r.stored_bytes)
            SELECT (SELECT count(*) FROM store) AS stores,
                   count(*) FILTER (WHERE live) AS live, count(*) AS rows,
                   coalesce(sum(raw_bytes), 0) AS raw_bytes, coalesce(sum(stored_bytes), 0) AS stored_bytes
              FROM gone""";

    private final Pool pool;

    public RecordRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<PutOutcome> put(SqlClient client, String workspaceId, String storeId, String key, byte[] storedValue, int rawBytes,
            Instant expiresAt, Long ifMatch, boolean ifExists, boolean ifAbsent) {
        Tuple args = Tuple.of(workspaceId, storeId, key, Buffer.buffer(storedValue), rawBytes, storedValue.length)
                .addValue(utc(expiresAt)).addValue(ifMatch).addValue(ifExists).addValue(ifAbsent);
        return client.preparedQuery(PUT).execute(args).map(rows -> {
            Row row = rows.iterator().next();
            return new PutOutcome(PutOutcome.Kind.valueOf(row.getString("outcome").toUpperCase().replace('-', '_')),
                    row.getLong("version") == null ? 0 : row.getLong("version"), instant(row, "expires_at"),
                    row.getInteger("old_raw"), row.getInteger("old_stored"), row.getBoolean("old_existed"));
        });
    }

    /** The live record; {@link Lookup#storeFound()} is false when the workspace has no such store. */
    public Uni<Lookup> get(String workspaceId, String storeId, String key) {
        return pool.preparedQuery(GET).execute(Tuple.of(storeId, workspaceId, key)).map(rows -> {
            if (rows.size() == 0) {
                return new Lookup(false, null);
            }
            Row row = rows.iterator().next();
            return new Lookup(true, row.getString("key") == null ? null : toRecord(row));
        });
    }

    public Uni<DeleteOutcome> delete(SqlClient client, String workspaceId, String storeId, String key, Long ifMatch) {
        return client.preparedQuery(DELETE).execute(Tuple.of(workspaceId, storeId, key, ifMatch)).map(rows -> {
            Row row = rows.iterator().next();
            return new DeleteOutcome(DeleteOutcome.Kind.valueOf(row.getString("outcome").toUpperCase().replace('-', '_')),
                    row.getInteger("old_raw"), row.getInteger("old_stored"));
        });
    }

    /** The row stored under the key, live or expired, or null; for settling a replace within quota. */
    public Uni<Row> physical(String workspaceId, String storeId, String key) {
        return pool.preparedQuery(PHYSICAL).execute(Tuple.of(storeId, workspaceId, key))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** The record's row locked for the rest of the transaction, or null when there is no row. */
    public Uni<LockedRow> lockRow(SqlClient transaction, String workspaceId, String storeId, String key) {
        return transaction.preparedQuery(LOCK_ROW).execute(Tuple.of(storeId, workspaceId, key)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new LockedRow(row.getBuffer("value").getBytes(), row.getLong("version"), row.getInteger("raw_bytes"),
                    row.getInteger("stored_bytes"), instant(row, "expires_at"), row.getBoolean("live"));
        });
    }

    /** Rewrites a row locked by {@link #lockRow}; returns its new version and expiry. */
    public Uni<PutOutcome> rewrite(SqlClient transaction, String storeId, String key, byte[] storedValue, int rawBytes,
            Instant expiresAt, LockedRow old) {
        Tuple args = Tuple.of(storeId, key, Buffer.buffer(storedValue), rawBytes, storedValue.length).addValue(utc(expiresAt));
        return transaction.preparedQuery(REWRITE).execute(args).map(rows -> {
            Row row = rows.iterator().next();
            return new PutOutcome(old.live() ? PutOutcome.Kind.REPLACED : PutOutcome.Kind.CREATED, row.getLong("version"),
                    instant(row, "expires_at"), old.rawBytes(), old.storedBytes(), true);
        });
    }

    /** Sets or clears a live record's expiry; false when there is no live record (or no such store). */
    public Uni<Boolean> expire(String workspaceId, String storeId, String key, Instant expiresAt) {
        return pool.preparedQuery(EXPIRE).execute(Tuple.of(storeId, workspaceId, key).addValue(utc(expiresAt)))
                .map(rows -> rows.size() > 0);
    }

    /** Upserts many records in one statement; the store is checked by each put. */
    /**
     * Sets many records in the caller's transaction, a statement for all rather than one per record:
     * existing rows are locked and rewritten, the rest inserted, both in key order so that concurrent
     * batches cannot deadlock. A key another writer inserts meanwhile is locked and rewritten in a further round,
     * so what each record replaced is always known exactly, for quota.
     */
    public Uni<PutManyOutcome> putMany(SqlConnection transaction, String workspaceId, String storeId,
            List<BatchService.SetItem> items) {
        return transaction.preparedQuery(LOCK_STORE).execute(Tuple.of(storeId, workspaceId)).chain(store -> store.size() == 0
                ? Uni.createFrom().item(PutManyOutcome.NO_STORE)
                : putExistingOrNew(transaction, storeId, items, PutManyOutcome.NOTHING));
    }

    private Uni<PutManyOutcome> putExistingOrNew(SqlConnection transaction, String storeId, List<BatchService.SetItem> items,
            PutManyOutcome sofar) {
        return transaction.preparedQuery(LOCK_MANY)
                .execute(Tuple.of(storeId, items.stream().map(BatchService.SetItem::key).toArray(String[]::new)))
                .chain(locked -> {
                    Map<String, Row> existing = new HashMap<>();
                    locked.forEach(row -> existing.put(row.getString("key"), row));
                    List<BatchService.SetItem> replacing = new ArrayList<>();
                    List<BatchService.SetItem> fresh = new ArrayList<>();
                    long storedDelta = 0;
                    long rawDelta = 0;
                    for (BatchService.SetItem item : items) {
                        Row old = existing.get(item.key());
                        if (old == null) {
                            fresh.add(item);
                        } else {
                            replacing.add(item);
                            storedDelta += item.stored().length - old.getInteger("stored_bytes");
                            rawDelta += item.json().length - old.getInteger("raw_bytes");
                        }
                    }
                    PutManyOutcome replaced = sofar.plus(replacing.size(), 0, storedDelta, rawDelta);
                    return (replacing.isEmpty() ? Uni.createFrom().voidItem()
                            : transaction.preparedQuery(REWRITE_MANY).execute(itemArrays(storeId, replacing)).replaceWithVoid())
                            .chain(() -> fresh.isEmpty() ? Uni.createFrom().item(replaced) : insertNew(transaction, storeId, fresh, replaced));
                });
    }

    private Uni<PutManyOutcome> insertNew(SqlConnection transaction, String storeId, List<BatchService.SetItem> fresh,
            PutManyOutcome sofar) {
        return transaction.preparedQuery(INSERT_MANY).execute(itemArrays(storeId, fresh)).chain(insertedRows -> {
            Set<String> inserted = new HashSet<>();
            insertedRows.forEach(row -> inserted.add(row.getString("key")));
            List<BatchService.SetItem> takenMeanwhile = new ArrayList<>();
            long stored = 0;
            long raw = 0;
            for (BatchService.SetItem item : fresh) {
                if (inserted.contains(item.key())) {
                    stored += item.stored().length;
                    raw += item.json().length;
                } else {
                    takenMeanwhile.add(item);
                }
            }
            PutManyOutcome added = sofar.plus(inserted.size(), inserted.size(), stored, raw);
            return takenMeanwhile.isEmpty() ? Uni.createFrom().item(added)
                    : putExistingOrNew(transaction, storeId, takenMeanwhile, added);
        });
    }

    private static Tuple itemArrays(String storeId, List<BatchService.SetItem> items) {
        return Tuple.of(storeId, items.stream().map(BatchService.SetItem::key).toArray(String[]::new),
                        items.stream().map(item -> Buffer.buffer(item.stored())).toArray(Buffer[]::new),
                        items.stream().map(item -> item.json().length).toArray(Integer[]::new),
                        items.stream().map(item -> item.stored().length).toArray(Integer[]::new))
                .addValue(items.stream().map(item -> utc(item.expiresAt())).toArray(OffsetDateTime[]::new));
    }

    /** What a many-record put did: records set, keys it added, and how stored and raw bytes changed. */
    public record PutManyOutcome(boolean storeFound, int set, long keysAdded, long storedDelta, long rawDelta) {
        static final PutManyOutcome NO_STORE = new PutManyOutcome(false, 0, 0, 0, 0);
        static final PutManyOutcome NOTHING = new PutManyOutcome(true, 0, 0, 0, 0);

        PutManyOutcome plus(int moreSet, long moreKeys, long moreStored, long moreRaw) {
            return new PutManyOutcome(storeFound, set + moreSet, keysAdded + moreKeys, storedDelta + moreStored,
                    rawDelta + moreRaw);
        }
    }

    public Uni<List<Row>> deleteMany(SqlClient transaction, String workspaceId, String storeId, List<String> keys) {
        return transaction.preparedQuery(DELETE_MANY).execute(Tuple.of(workspaceId, storeId, keys.toArray(String[]::new)))
                .map(RecordRepository::toList);
    }

    /** Live records among {@code keys}; the caller checks the store first. */
    public Uni<List<StoredRecord>> getMany(String storeId, List<String> keys) {
        return pool.preparedQuery(GET_MANY).execute(Tuple.of(storeId, keys.toArray(String[]::new)))
                .map(RecordRepository::toRecords);
    }

    /** How many rows (live or expired) exist among {@code keys}, and their stored bytes. */
    public Uni<long[]> physicalMany(String storeId, List<String> keys) {
        return pool.preparedQuery(PHYSICAL_MANY).execute(Tuple.of(storeId, keys.toArray(String[]::new)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] {row.getLong("rows"), row.getLong("stored_bytes")};
                });
    }

    /** Live records of {@code storeId} after {@code afterKey} whose key {@code otherStoreId} lacks: an anti-join. */
    public Uni<List<StoredRecord>> diff(String storeId, String otherStoreId, String afterKey, int limit, boolean withValues) {
        Tuple args = Tuple.of(storeId, afterKey, otherStoreId, limit).addValue(withValues);
        return pool.preparedQuery(DIFF).execute(args).map(RecordRepository::toRecords);
    }

    private static List<Row> toList(RowSet<Row> rows) {
        List<Row> list = new ArrayList<>(rows.size());
        rows.forEach(list::add);
        return list;
    }

    public Uni<Long> liveCount(String storeId) {
        return pool.preparedQuery(LIVE_COUNT).execute(Tuple.of(storeId)).map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Boolean> storeExists(String workspaceId, String storeId) {
        return pool.preparedQuery(STORE_EXISTS).execute(Tuple.of(storeId, workspaceId)).map(rows -> rows.size() > 0);
    }

    /**
     * Live records in key order, starting after {@code afterKey} (exclusive) within [{@code from}, {@code below}).
     * The caller checks the store first.
     */
    public Uni<List<StoredRecord>> page(String storeId, String from, String below, String afterKey, int limit,
            boolean withValues) {
        Tuple args = Tuple.of(storeId, from, below, afterKey).addValue(limit).addValue(withValues);
        return pool.preparedQuery(PAGE).execute(args).map(RecordRepository::toRecords);
    }

    public Uni<Cleared> clear(SqlClient client, String workspaceId, String storeId) {
        return client.preparedQuery(CLEAR).execute(Tuple.of(storeId, workspaceId)).map(rows -> {
            Row row = rows.iterator().next();
            return new Cleared(row.getLong("stores") > 0, row.getLong("live"), row.getLong("rows"),
                    row.getLong("raw_bytes"), row.getLong("stored_bytes"));
        });
    }

    private static List<StoredRecord> toRecords(RowSet<Row> rows) {
        List<StoredRecord> records = new ArrayList<>(rows.size());
        rows.forEach(row -> records.add(toRecord(row)));
        return records;
    }

    private static StoredRecord toRecord(Row row) {
        io.vertx.mutiny.core.buffer.Buffer value = row.getBuffer("value");
        return new StoredRecord(row.getString("key"), value == null ? null : value.getBytes(), row.getLong("version"),
                instant(row, "updated_at"), instant(row, "expires_at"));
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime time = row.getOffsetDateTime(column);
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** What a put did, with what it replaced so quota can be settled. */
    public record PutOutcome(Kind kind, long version, Instant expiresAt, int oldRawBytes, int oldStoredBytes,
            boolean oldRowExisted) {

        public boolean written() {
            return kind == Kind.CREATED || kind == Kind.REPLACED;
        }

        /** created, replaced, or why nothing was written. */
        public enum Kind { CREATED, REPLACED, NO_STORE, PRECONDITION_FAILED }
    }

    /** What a delete did. */
    public record DeleteOutcome(Kind kind, int oldRawBytes, int oldStoredBytes) {

        /** Whether a row went, live or expired: a stored row always has at least its tag byte. */
        public boolean removedRow() {
            return oldStoredBytes > 0;
        }

        /** deleted, or why not. */
        public enum Kind { DELETED, ABSENT, NO_STORE, PRECONDITION_FAILED }
    }

    /** A record's row as locked for a read-modify-write inside one transaction. */
    public record LockedRow(byte[] storedValue, long version, int rawBytes, int storedBytes, Instant expiresAt, boolean live) {
    }

    /** A point read: whether the store exists, and the live record if any. */
    public record Lookup(boolean storeFound, StoredRecord record) {
    }

    /** A cleared store: live records removed, and all rows (expired too) with their sizes, for quota. */
    public record Cleared(boolean storeFound, long liveRecords, long rows, long rawBytes, long storedBytes) {
    }
}
