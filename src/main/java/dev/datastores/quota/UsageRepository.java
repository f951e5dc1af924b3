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

    private static final String WORKSPACE_USAGE = """
            SELECT (SELECT count(*) FROM stores WHERE workspace_id = $1) AS stores,
                   count(r.key) AS keys, coalesce(sum(r.stored_bytes), 0) AS storage_bytes
              FROM stores s JOIN records r ON r.store_id = s.id
             WHERE s.workspace_id = $1""";
    private static final String STORE_USAGE = """
            SELECT s.id, count(r.key) AS records, coalesce(sum(r.stored_bytes), 0) AS storage_bytes,
                   coalesce(sum(r.raw_bytes), 0) AS raw_bytes
              FROM stores s LEFT JOIN records r ON r.store_id = s.id
             WHERE s.workspace_id = $1
             GROUP BY s.id""";
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
