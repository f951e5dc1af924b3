package dev.datastores.record;

import dev.datastores.quota.Delta;
import dev.datastores.quota.NearLimits;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Usage;
import dev.datastores.quota.UsageStorage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Usage counted in PostgreSQL, store by store; see {@link UsageStorage}. */
@ApplicationScoped
public class PgUsageStorage implements UsageStorage {

    // Counted store by store (a lateral subquery per store), so each count walks that store's primary key in
    // its own partition; a join over the workspace lets PostgreSQL hash-join against every partition instead.
    private static final String WORKSPACE_USAGE = """
            SELECT count(*) AS stores, coalesce(sum(u.keys), 0) AS keys, coalesce(sum(u.storage_bytes), 0) AS storage_bytes
              FROM stores s
             CROSS JOIN LATERAL (SELECT count(*) AS keys, coalesce(sum(r.stored_bytes), 0) AS storage_bytes
                                   FROM records r WHERE r.store_id = s.id) u
             WHERE s.workspace_id = $1""";
    private static final String STORE_USAGE = """
            SELECT s.id, u.records, u.storage_bytes, u.raw_bytes
              FROM stores s
             CROSS JOIN LATERAL (SELECT count(*) AS records, coalesce(sum(r.stored_bytes), 0) AS storage_bytes,
                                        coalesce(sum(r.raw_bytes), 0) AS raw_bytes
                                   FROM records r WHERE r.store_id = s.id) u
             WHERE s.workspace_id = $1""";
    private static final String NEAR_LIMITS = """
            WITH used AS (
                SELECT p.max_stores, p.max_keys, p.max_storage_bytes,
                       count(s.id) AS stores, coalesce(sum(u.keys), 0) AS keys, coalesce(sum(u.storage_bytes), 0) AS storage_bytes
                  FROM workspaces w
                  JOIN plans p ON p.name = w.plan
                  LEFT JOIN stores s ON s.workspace_id = w.id
                  LEFT JOIN LATERAL (SELECT count(*) AS keys, coalesce(sum(r.stored_bytes), 0) AS storage_bytes
                                       FROM records r WHERE r.store_id = s.id) u ON true
                 GROUP BY w.id, p.max_stores, p.max_keys, p.max_storage_bytes)
            SELECT count(*) FILTER (WHERE max_stores > 0 AND stores >= 0.80 * max_stores) AS stores_80,
                   count(*) FILTER (WHERE max_stores > 0 AND stores >= 0.95 * max_stores) AS stores_95,
                   count(*) FILTER (WHERE max_keys > 0 AND keys >= 0.80 * max_keys) AS keys_80,
                   count(*) FILTER (WHERE max_keys > 0 AND keys >= 0.95 * max_keys) AS keys_95,
                   count(*) FILTER (WHERE max_storage_bytes > 0 AND storage_bytes >= 0.80 * max_storage_bytes) AS bytes_80,
                   count(*) FILTER (WHERE max_storage_bytes > 0 AND storage_bytes >= 0.95 * max_storage_bytes) AS bytes_95
              FROM used""";
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))";
    private static final String WORKSPACE_IDS = "SELECT id FROM workspaces WHERE id > $1 ORDER BY id LIMIT $2";
    private static final String FALLBACK_COUNT = "SELECT stores, keys, storage_bytes FROM fallback_usage WHERE workspace_id = $1";
    private static final String KEEP_FALLBACK_COUNT = """
            INSERT INTO fallback_usage (workspace_id, stores, keys, storage_bytes, counted_at) VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (workspace_id) DO UPDATE SET stores = excluded.stores, keys = excluded.keys,
                   storage_bytes = excluded.storage_bytes""";
    private static final String ADJUST_FALLBACK_COUNT = """
            UPDATE fallback_usage SET stores = stores + $2, keys = keys + $3, storage_bytes = storage_bytes + $4
             WHERE workspace_id = $1""";
    private static final String FORGET_FALLBACK_COUNT = "DELETE FROM fallback_usage WHERE workspace_id = $1";

    private final Pool pool;

    public PgUsageStorage(Pool pool) {
        this.pool = pool;
    }


    @Override
    public Uni<Usage> ofWorkspace(SqlClient client, String workspaceId) {
        return client.preparedQuery(WORKSPACE_USAGE).execute(Tuple.of(workspaceId)).map(rows -> {
            Row row = rows.iterator().next();
            return new Usage(row.getLong("stores"), row.getLong("keys"), row.getLong("storage_bytes"));
        });
    }


    @Override
    public Uni<List<StoreDelta>> ofStores(SqlClient client, String workspaceId) {
        return client.preparedQuery(STORE_USAGE).execute(Tuple.of(workspaceId)).map(rows -> {
            List<StoreDelta> stores = new ArrayList<>(rows.size());
            rows.forEach(row -> stores.add(new StoreDelta(row.getString("id"), row.getLong("records"),
                    row.getLong("storage_bytes"), row.getLong("raw_bytes"))));
            return stores;
        });
    }

    @Override
    public Uni<Usage> fallbackCount(SqlClient transaction, String workspaceId) {
        return transaction.preparedQuery(FALLBACK_COUNT).execute(Tuple.of(workspaceId)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new Usage(row.getLong("stores"), row.getLong("keys"), row.getLong("storage_bytes"));
        });
    }

    @Override
    public Uni<Void> keepFallbackCount(SqlClient transaction, String workspaceId, Usage usage) {
        return transaction.preparedQuery(KEEP_FALLBACK_COUNT)
                .execute(Tuple.of(workspaceId, usage.stores(), usage.keys(), usage.storageBytes())).replaceWithVoid();
    }

    @Override
    public Uni<Void> adjustFallbackCount(SqlClient client, String workspaceId, Delta change) {
        return client.preparedQuery(ADJUST_FALLBACK_COUNT)
                .execute(Tuple.of(workspaceId, change.stores(), change.keys(), change.bytes())).replaceWithVoid();
    }

    @Override
    public Uni<Void> forgetFallbackCount(SqlClient client, String workspaceId) {
        return client.preparedQuery(FORGET_FALLBACK_COUNT).execute(Tuple.of(workspaceId)).replaceWithVoid();
    }

    @Override
    public Uni<Void> lockWorkspace(SqlClient transaction, String workspaceId) {
        return transaction.preparedQuery(LOCK).execute(Tuple.of(workspaceId)).replaceWithVoid();
    }

    @Override
    public Uni<NearLimits.Bands> nearLimits() {
        return pool.preparedQuery(NEAR_LIMITS).execute().map(rows -> {
            Row row = rows.iterator().next();
            return new NearLimits.Bands(row.getLong("stores_80"), row.getLong("stores_95"), row.getLong("keys_80"),
                    row.getLong("keys_95"), row.getLong("bytes_80"), row.getLong("bytes_95"));
        });
    }

    @Override
    public Uni<List<String>> workspaceIds(String after, int limit) {
        return pool.preparedQuery(WORKSPACE_IDS).execute(Tuple.of(after, limit)).map(rows -> {
            List<String> ids = new ArrayList<>(rows.size());
            rows.forEach(row -> ids.add(row.getString("id")));
            return ids;
        });
    }
}
