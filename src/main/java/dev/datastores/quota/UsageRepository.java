package dev.datastores.quota;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Usage as PostgreSQL, the truth, counts it: every stored row, expired or not, until the sweeper
 * removes it (that is what occupies space, and what the Redis counters track).
 */
@ApplicationScoped
public class UsageRepository {

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
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))";
    private static final String WORKSPACE_IDS = "SELECT id FROM workspaces WHERE id > $1 ORDER BY id LIMIT $2";

    private final Pool pool;

    public UsageRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Usage> ofWorkspace(String workspaceId) {
        return ofWorkspace(pool, workspaceId);
    }

    public Uni<Usage> ofWorkspace(SqlClient client, String workspaceId) {
        return client.preparedQuery(WORKSPACE_USAGE).execute(Tuple.of(workspaceId)).map(rows -> {
            Row row = rows.iterator().next();
            return new Usage(row.getLong("stores"), row.getLong("keys"), row.getLong("storage_bytes"));
        });
    }

    /** Every store of the workspace with its rows and sizes. */
    public Uni<List<StoreDelta>> ofStores(String workspaceId) {
        return ofStores(pool, workspaceId);
    }

    public Uni<List<StoreDelta>> ofStores(SqlClient client, String workspaceId) {
        return client.preparedQuery(STORE_USAGE).execute(Tuple.of(workspaceId)).map(rows -> {
            List<StoreDelta> stores = new ArrayList<>(rows.size());
            rows.forEach(row -> stores.add(new StoreDelta(row.getString("id"), row.getLong("records"),
                    row.getLong("storage_bytes"), row.getLong("raw_bytes"))));
            return stores;
        });
    }

    /** Serialises quota checks of one workspace inside the caller's transaction (used while Redis is away). */
    public Uni<Void> lockWorkspace(SqlClient transaction, String workspaceId) {
        return transaction.preparedQuery(LOCK).execute(Tuple.of(workspaceId)).replaceWithVoid();
    }

    /** Workspace ids in order, a page at a time, for reconciliation. */
    public Uni<List<String>> workspaceIds(String after, int limit) {
        return pool.preparedQuery(WORKSPACE_IDS).execute(Tuple.of(after, limit)).map(rows -> {
            List<String> ids = new ArrayList<>(rows.size());
            rows.forEach(row -> ids.add(row.getString("id")));
            return ids;
        });
    }
}
