package dev.datastores.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Store SQL that Hibernate would do poorly: listing by name, and deleting a store with all its records. */
@ApplicationScoped
public class StoreRepository {

    private static final String OF_WORKSPACE = "SELECT id, name, created_at FROM stores WHERE workspace_id = $1 ORDER BY name";
    private static final String ONE = "SELECT id, name, created_at FROM stores WHERE workspace_id = $1 AND id = $2";
    private static final String DELETE_RECORDS = """
            WITH gone AS (DELETE FROM records WHERE store_id = $1 RETURNING stored_bytes)
            SELECT count(*) AS records, coalesce(sum(stored_bytes), 0) AS stored_bytes FROM gone""";
    private static final String DELETE_STORE = "DELETE FROM stores WHERE id = $1 AND workspace_id = $2";

    private final Pool pool;

    public StoreRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<StoreRow>> ofWorkspace(String workspaceId) {
        return pool.preparedQuery(OF_WORKSPACE).execute(Tuple.of(workspaceId)).map(rows -> {
            List<StoreRow> stores = new ArrayList<>(rows.size());
            rows.forEach(row -> stores.add(toStore(row)));
            return stores;
        });
    }

    /** The store, or null when the workspace has no such store. */
    public Uni<StoreRow> one(String workspaceId, String storeId) {
        return pool.preparedQuery(ONE).execute(Tuple.of(workspaceId, storeId))
                .map(rows -> rows.size() == 0 ? null : toStore(rows.iterator().next()));
    }

    /** Deletes the store's records, then the store, in the caller's transaction; returns what the records held. */
    public Uni<long[]> deleteWithRecords(SqlClient transaction, String workspaceId, String storeId) {
        return transaction.preparedQuery(DELETE_RECORDS).execute(Tuple.of(storeId))
                .map(rows -> rows.iterator().next())
                .call(() -> transaction.preparedQuery(DELETE_STORE).execute(Tuple.of(storeId, workspaceId)))
                .map(row -> new long[] {row.getLong("records"), row.getLong("stored_bytes")});
    }

    private static StoreRow toStore(Row row) {
        return new StoreRow(row.getString("id"), row.getString("name"), row.getOffsetDateTime("created_at").toInstant());
    }

    /** A store's own columns. */
    public record StoreRow(String id, String name, java.time.Instant createdAt) {
    }
}
