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
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records in PostgreSQL, on the reactive client: one statement per method, each a single round trip that also checks
 * the store belongs to the workspace. Liveness is the SQL function {@code record_live(expires_at, at)} (V7), with
 * {@code at} this service's clock, passed to every statement: the same clock that computed the expiry. Point
 * reads, puts and deletes go through {@link PgPointRecords}, where concurrent ones share statements.
 */
@ApplicationScoped
public class PgRecordStorage implements RecordStorage {

    private static final String PAGE = "SELECT * FROM records_page($1, $2, $3, $4, $5, $6, $7)";
    private static final String PHYSICAL = """
            SELECT r.version, r.stored_bytes, record_live(r.expires_at, $4) AS live
              FROM records r JOIN stores s ON s.id = r.store_id
             WHERE r.store_id = $1 AND s.workspace_id = $2 AND r.key = $3""";
    private static final String LIVE_COUNT = "SELECT count(*) FROM records WHERE store_id = $1 AND record_live(expires_at, $2)";
    private static final String LOCK_ROW = """
            SELECT r.value, r.version, r.raw_bytes, r.stored_bytes, r.expires_at, record_live(r.expires_at, $4) AS live
              FROM records r JOIN stores s ON s.id = r.store_id AND s.workspace_id = $2
             WHERE r.store_id = $1 AND r.key = $3
               FOR UPDATE OF r""";
    private static final String REWRITE = """
            UPDATE records SET value = $3, raw_bytes = $4, stored_bytes = $5, version = nextval('record_version'),
                   updated_at = $7, expires_at = $6,
                   created_at = CASE WHEN record_live(expires_at, $7) THEN created_at ELSE $7 END
             WHERE store_id = $1 AND key = $2
            RETURNING version, expires_at""";
    private static final String EXPIRE = """
            UPDATE records r SET expires_at = $4
              FROM stores s
             WHERE s.id = r.store_id AND s.workspace_id = $2 AND r.store_id = $1 AND r.key = $3
               AND record_live(r.expires_at, $5)
            RETURNING r.expires_at""";
    private static final String LOCK_STORE = "SELECT 1 FROM stores WHERE id = $1 AND workspace_id = $2 FOR KEY SHARE";
    private static final String LOCK_MANY = "SELECT * FROM lock_records($1, $2)";
    // One writer of many rows per store at a time (the lock is the transaction's): a batch locks the rows that exist in
    // key order, but a key another batch creates meanwhile is locked later, out of order. Two batches then deadlocked
    // (issue 17's attack: a third of 48 concurrent batches answered 500); in turn they do not.
    private static final String LOCK_MANY_WRITERS = "SELECT pg_advisory_xact_lock(hashtextextended('batch:' || $1, 0))";
    private static final String REWRITE_MANY = "SELECT rewrite_records($1, $2, $3, $4, $5, $6, $7)";
    private static final String INSERT_MANY = """
            INSERT INTO records (store_id, key, value, raw_bytes, stored_bytes, version, created_at, updated_at, expires_at)
            SELECT $1, u.key, u.value, u.raw, u.stored, nextval('record_version'), $7, $7, u.expires
              FROM unnest($2::text[], $3::bytea[], $4::int[], $5::int[], $6::timestamptz[]) AS u(key, value, raw, stored, expires)
             ORDER BY u.key COLLATE "C"
            ON CONFLICT DO NOTHING
            RETURNING key""";
    private static final String DELETE_MANY = """
            SELECT d.outcome, d.old_stored, d.old_raw
              FROM unnest($3::text[]) WITH ORDINALITY AS u(key, at)
             CROSS JOIN LATERAL delete_record($1, $2, u.key, NULL, $4) AS d
             ORDER BY u.at""";
    // A key an absent check finds without any row gets a row that is never live (expired as it is written, version 0
    // that no record has), removed again before the batch writes: a writer that would create the key meanwhile waits,
    // on the key's index entry, until the batch's transaction ends, so the check holds until commit.
    private static final String HOLD_ABSENT = """
            INSERT INTO records (store_id, key, value, raw_bytes, stored_bytes, version, created_at, updated_at, expires_at)
            SELECT $1, u.key, '\\x'::bytea, 0, 0, 0, $3, $3, $3
              FROM unnest($2::text[]) AS u(key)
             ORDER BY u.key COLLATE "C"
            ON CONFLICT DO NOTHING
            RETURNING key""";
    private static final String RELEASE_ABSENT = "DELETE FROM records WHERE store_id = $1 AND key = ANY($2) AND version = 0";
    // Version 0 stands for "no live record": record versions start at 1, and a foreign ETag's -1 matches nothing.
    private static final String CHECK_MANY = """
            SELECT c.key
              FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS c(key, version, at)
              LEFT JOIN records r ON r.store_id = $1 AND r.key = c.key AND record_live(r.expires_at, $4)
             WHERE coalesce(r.version, 0) <> c.version
             ORDER BY c.at""";
    private static final String GET_MANY = """
            SELECT key, value, version, updated_at, expires_at FROM records
             WHERE store_id = $1 AND key = ANY($2) AND record_live(expires_at, $3)""";
    private static final String PHYSICAL_MANY = """
            SELECT count(*) AS rows, coalesce(sum(raw_bytes), 0) AS raw_bytes, coalesce(sum(stored_bytes), 0) AS stored_bytes
              FROM records WHERE store_id = $1 AND key = ANY($2)""";
    private static final String DIFF = "SELECT * FROM records_missing_from($1, $2, $3, $4, $5, $6)";
    private static final String STORE_EXISTS = "SELECT 1 FROM stores WHERE id = $1 AND workspace_id = $2";
    // clear_store (V10): the rows are locked in key order before they go, as every other writer of many rows locks them
    // (a clear racing a batch or a group of single writes waits for it instead of deadlocking: issue 17's attack), and
    // the clear is one change in the store's history, not one per key.
    private static final String CLEAR = "SELECT * FROM clear_store($1, $2, $3)";
    private static final String DELETE_ALL_OF = """
            WITH locked AS (SELECT key FROM records WHERE store_id = $1 ORDER BY key FOR UPDATE),
                 gone AS (DELETE FROM records r USING locked l WHERE r.store_id = $1 AND r.key = l.key
                          RETURNING r.raw_bytes, r.stored_bytes)
            SELECT count(*) AS rows, coalesce(sum(raw_bytes), 0) AS raw_bytes, coalesce(sum(stored_bytes), 0) AS stored_bytes
              FROM gone""";
    private static final String DELETE_IF_UNCHANGED = """
            WITH exported AS (SELECT * FROM unnest($2::text[], $3::bigint[]) AS e(key, version)),
                 gone AS (DELETE FROM records r USING exported e
                           WHERE r.store_id = $1 AND r.key = e.key AND r.version = e.version
                          RETURNING r.raw_bytes, r.stored_bytes)
            SELECT count(*) AS rows, coalesce(sum(raw_bytes), 0) AS raw_bytes, coalesce(sum(stored_bytes), 0) AS stored_bytes
              FROM gone""";
    private static final String OLDEST_EXPIRED = "SELECT min(expires_at) AS oldest FROM records WHERE NOT record_live(expires_at, $1)";
    // sweep_expired (V10): the deletions are changes with reason 'expired'.
    private static final String SWEEP = "SELECT * FROM sweep_expired($1, $2)";

    private final Pool pool;
    private final Clock clock;
    private final PgPointRecords points;

    public PgRecordStorage(Pool pool, Clock clock, PgPointRecords points) {
        this.pool = pool;
        this.clock = clock;
        this.points = points;
    }

    @Override
    public Uni<PutOutcome> put(SqlClient client, String workspaceId, String storeId, String key, byte[] storedValue, int rawBytes,
            Instant expiresAt, Long ifMatch, boolean ifExists, boolean ifAbsent) {
        return points.put(client, workspaceId, storeId, key, storedValue, rawBytes, expiresAt, ifMatch, ifExists, ifAbsent);
    }

    @Override
    public Uni<Lookup> get(String workspaceId, String storeId, String key) {
        return points.get(workspaceId, storeId, key);
    }

    @Override
    public Uni<DeleteOutcome> delete(SqlClient client, String workspaceId, String storeId, String key, Long ifMatch) {
        return points.delete(client, workspaceId, storeId, key, ifMatch);
    }

    @Override
    public Uni<Physical> physical(String workspaceId, String storeId, String key) {
        return pool.preparedQuery(PHYSICAL).execute(Tuple.of(storeId, workspaceId, key, now())).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new Physical(row.getLong("version"), row.getInteger("stored_bytes"), row.getBoolean("live"));
        });
    }

    @Override
    public Uni<LockedRow> lockRow(SqlConnection transaction, String workspaceId, String storeId, String key) {
        return transaction.preparedQuery(LOCK_ROW).execute(Tuple.of(storeId, workspaceId, key, now())).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new LockedRow(row.getBuffer("value").getBytes(), row.getLong("version"), row.getInteger("raw_bytes"),
                    row.getInteger("stored_bytes"), instant(row, "expires_at"), row.getBoolean("live"));
        });
    }

    @Override
    public Uni<PutOutcome> rewrite(SqlConnection transaction, String storeId, String key, byte[] storedValue, int rawBytes,
            Instant expiresAt, LockedRow old) {
        Tuple args = Tuple.of(storeId, key, Buffer.buffer(storedValue), rawBytes, storedValue.length)
                .addValue(utc(expiresAt)).addValue(now());
        return transaction.preparedQuery(REWRITE).execute(args).map(rows -> {
            Row row = rows.iterator().next();
            return new PutOutcome(old.live() ? PutOutcome.Kind.REPLACED : PutOutcome.Kind.CREATED, row.getLong("version"),
                    instant(row, "expires_at"), old.rawBytes(), old.storedBytes(), true);
        });
    }

    @Override
    public Uni<Boolean> expire(String workspaceId, String storeId, String key, Instant expiresAt) {
        return pool.preparedQuery(EXPIRE).execute(Tuple.of(storeId, workspaceId, key).addValue(utc(expiresAt)).addValue(now()))
                .map(rows -> rows.size() > 0);
    }

    /**
     * A key another writer inserts meanwhile is locked and rewritten in a further round, so what each record replaced
     * is always known exactly, for quota.
     */
    @Override
    public Uni<Void> lockKeys(SqlConnection transaction, String storeId, List<String> keys) {
        return transaction.preparedQuery(LOCK_MANY_WRITERS).execute(Tuple.of(storeId))
                .chain(() -> transaction.preparedQuery(LOCK_MANY).execute(Tuple.of(storeId, keys.toArray(String[]::new))))
                .replaceWithVoid();
    }

    @Override
    public Uni<PutManyOutcome> putMany(SqlConnection transaction, String workspaceId, String storeId, List<Expiring> items) {
        return transaction.preparedQuery(LOCK_STORE).execute(Tuple.of(storeId, workspaceId)).chain(store -> store.size() == 0
                ? Uni.createFrom().item(PutManyOutcome.NO_STORE)
                : putExistingOrNew(transaction, storeId, items, PutManyOutcome.NOTHING));
    }

    private Uni<PutManyOutcome> putExistingOrNew(SqlConnection transaction, String storeId, List<Expiring> items,
            PutManyOutcome sofar) {
        return transaction.preparedQuery(LOCK_MANY)
                .execute(Tuple.of(storeId, items.stream().map(Expiring::key).toArray(String[]::new)))
                .chain(locked -> {
                    Map<String, Row> existing = new HashMap<>();
                    locked.forEach(row -> existing.put(row.getString("key"), row));
                    List<Expiring> replacing = new ArrayList<>();
                    List<Expiring> fresh = new ArrayList<>();
                    long storedDelta = 0;
                    long rawDelta = 0;
                    for (Expiring item : items) {
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

    private Uni<PutManyOutcome> insertNew(SqlConnection transaction, String storeId, List<Expiring> fresh, PutManyOutcome sofar) {
        return transaction.preparedQuery(INSERT_MANY).execute(itemArrays(storeId, fresh)).chain(insertedRows -> {
            Set<String> inserted = new HashSet<>();
            insertedRows.forEach(row -> inserted.add(row.getString("key")));
            List<Expiring> takenMeanwhile = new ArrayList<>();
            long stored = 0;
            long raw = 0;
            for (Expiring item : fresh) {
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

    private Tuple itemArrays(String storeId, List<Expiring> items) {
        return Tuple.of(storeId, items.stream().map(Expiring::key).toArray(String[]::new),
                        items.stream().map(item -> Buffer.buffer(item.stored())).toArray(Buffer[]::new),
                        items.stream().map(item -> item.json().length).toArray(Integer[]::new),
                        items.stream().map(item -> item.stored().length).toArray(Integer[]::new))
                .addValue(items.stream().map(item -> utc(item.expiresAt())).toArray(OffsetDateTime[]::new))
                .addValue(now());
    }

    @Override
    public Uni<List<DeleteOutcome>> deleteMany(SqlConnection transaction, String workspaceId, String storeId, List<String> keys) {
        return transaction.preparedQuery(DELETE_MANY)
                .execute(Tuple.of(workspaceId, storeId, keys.toArray(String[]::new)).addValue(now()))
                .map(rows -> {
                    List<DeleteOutcome> outcomes = new ArrayList<>(rows.size());
                    rows.forEach(row -> outcomes.add(PgPointRecords.toDeleteOutcome(row)));
                    return outcomes;
                });
    }

    @Override
    public Uni<CheckOutcome> check(SqlConnection transaction, String workspaceId, String storeId, List<Check> checks) {
        String[] absent = checks.stream().filter(Check::absent).map(Check::key).toArray(String[]::new);
        return transaction.preparedQuery(LOCK_STORE).execute(Tuple.of(storeId, workspaceId)).chain(store -> {
            if (store.size() == 0) {
                return Uni.createFrom().item(CheckOutcome.NO_STORE);
            }
            Uni<List<String>> held = absent.length == 0 ? Uni.createFrom().item(List.of()) : holdAbsent(transaction, storeId, absent);
            return held.chain(placeholders -> {
                Tuple args = Tuple.of(storeId, checks.stream().map(Check::key).toArray(String[]::new),
                        checks.stream().map(check -> check.absent() ? 0L : check.version()).toArray(Long[]::new), now());
                return transaction.preparedQuery(CHECK_MANY).execute(args).chain(rows -> {
                    List<String> failed = new ArrayList<>(rows.size());
                    rows.forEach(row -> failed.add(row.getString("key")));
                    Uni<?> released = placeholders.isEmpty() ? Uni.createFrom().voidItem()
                            : transaction.preparedQuery(RELEASE_ABSENT).execute(Tuple.of(storeId, placeholders.toArray(String[]::new)));
                    return released.map(done -> new CheckOutcome(true, failed));
                });
            });
        });
    }

    /**
     * Holds the keys of absent checks until the transaction ends: a placeholder row where there is no row, and a lock
     * on any row another writer created since {@link #lockKeys}. The keys that got placeholders.
     */
    private Uni<List<String>> holdAbsent(SqlConnection transaction, String storeId, String[] keys) {
        return transaction.preparedQuery(HOLD_ABSENT).execute(Tuple.of(storeId, keys, now())).chain(inserted -> {
            List<String> placeholders = new ArrayList<>(inserted.size());
            inserted.forEach(row -> placeholders.add(row.getString("key")));
            Set<String> placed = new HashSet<>(placeholders);
            String[] existing = Arrays.stream(keys).filter(key -> !placed.contains(key)).toArray(String[]::new);
            return existing.length == 0 ? Uni.createFrom().item(placeholders)
                    : transaction.preparedQuery(LOCK_MANY).execute(Tuple.of(storeId, existing)).replaceWith(placeholders);
        });
    }

    @Override
    public Uni<List<StoredRecord>> getMany(String storeId, List<String> keys) {
        return pool.preparedQuery(GET_MANY).execute(Tuple.of(storeId, keys.toArray(String[]::new), now()))
                .map(PgRecordStorage::toRecords);
    }

    @Override
    public Uni<Rows> physicalMany(String storeId, List<String> keys) {
        return pool.preparedQuery(PHYSICAL_MANY).execute(Tuple.of(storeId, keys.toArray(String[]::new)))
                .map(PgRecordStorage::toRows);
    }

    @Override
    public Uni<List<StoredRecord>> diff(String storeId, String otherStoreId, String afterKey, int limit, boolean withValues) {
        Tuple args = Tuple.of(storeId, afterKey, otherStoreId, limit).addValue(withValues).addValue(now());
        return pool.preparedQuery(DIFF).execute(args).map(PgRecordStorage::toRecords);
    }

    @Override
    public Uni<Long> liveCount(String storeId) {
        return pool.preparedQuery(LIVE_COUNT).execute(Tuple.of(storeId, now())).map(rows -> rows.iterator().next().getLong(0));
    }

    @Override
    public Uni<Boolean> storeExists(String workspaceId, String storeId) {
        return pool.preparedQuery(STORE_EXISTS).execute(Tuple.of(storeId, workspaceId)).map(rows -> rows.size() > 0);
    }

    @Override
    public Uni<List<StoredRecord>> page(String storeId, String from, String below, String afterKey, int limit,
            boolean withValues) {
        Tuple args = Tuple.of(storeId, from, below, afterKey).addValue(limit).addValue(withValues).addValue(now());
        return pool.preparedQuery(PAGE).execute(args).map(PgRecordStorage::toRecords);
    }

    @Override
    public Uni<Cleared> clear(SqlClient client, String workspaceId, String storeId) {
        return client.preparedQuery(CLEAR).execute(Tuple.of(storeId, workspaceId, now())).map(rows -> {
            Row row = rows.iterator().next();
            return new Cleared(row.getLong("stores") > 0, row.getLong("live"), row.getLong("rows"),
                    row.getLong("raw_bytes"), row.getLong("stored_bytes"));
        });
    }

    @Override
    public Uni<Rows> deleteAllOf(SqlClient client, String storeId) {
        return client.preparedQuery(DELETE_ALL_OF).execute(Tuple.of(storeId)).map(PgRecordStorage::toRows);
    }

    @Override
    public Uni<Rows> deleteIfUnchanged(SqlClient transaction, String storeId, List<String> keys, List<Long> versions) {
        Tuple args = Tuple.of(storeId, keys.toArray(String[]::new), versions.toArray(Long[]::new));
        return transaction.preparedQuery(DELETE_IF_UNCHANGED).execute(args).map(PgRecordStorage::toRows);
    }

    @Override
    public Uni<List<Swept>> sweepExpired(int limit) {
        return pool.preparedQuery(SWEEP).execute(Tuple.of(limit, now())).map(rows -> {
            List<Swept> swept = new ArrayList<>(rows.size());
            rows.forEach(row -> swept.add(new Swept(row.getString("workspace_id"), row.getString("store_id"),
                    row.getLong("records"), row.getLong("raw_bytes"), row.getLong("stored_bytes"))));
            return swept;
        });
    }

    @Override
    public Uni<Instant> oldestExpired() {
        return pool.preparedQuery(OLDEST_EXPIRED).execute(Tuple.of(now())).map(rows -> instant(rows.iterator().next(), "oldest"));
    }

    private OffsetDateTime now() {
        return utc(clock.instant());
    }

    private static Rows toRows(RowSet<Row> rows) {
        Row row = rows.iterator().next();
        return new Rows(row.getLong("rows"), row.getLong("raw_bytes"), row.getLong("stored_bytes"));
    }

    private static List<StoredRecord> toRecords(RowSet<Row> rows) {
        List<StoredRecord> records = new ArrayList<>(rows.size());
        rows.forEach(row -> records.add(toRecord(row)));
        return records;
    }

    static StoredRecord toRecord(Row row) {
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
}
