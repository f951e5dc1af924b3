package dev.datastores.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Stores with their sizes, counted over live records in PostgreSQL. */
@ApplicationScoped
public class StoreStatsRepository {

    private static final String SELECT = """
            SELECT s.id, s.name, s.created_at, count(r.key) AS record_count,
                   coalesce(sum(r.stored_bytes), 0) AS storage_bytes, coalesce(sum(r.raw_bytes), 0) AS raw_bytes
              FROM stores s
              LEFT JOIN records r ON r.store_id = s.id AND (r.expires_at IS NULL OR r.expires_at > now())
            """;
    private static final String OF_WORKSPACE = SELECT + " WHERE s.workspace_id = $1 GROUP BY s.id ORDER BY s.name";
    private static final String ONE = SELECT + " WHERE s.workspace_id = $1 AND s.id = $2 GROUP BY s.id";

    private final Pool pool;

    public StoreStatsRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<StoreView>> ofWorkspace(String workspaceId) {
        return pool.preparedQuery(OF_WORKSPACE).execute(Tuple.of(workspaceId)).map(StoreStatsRepository::toViews);
    }

    /** The store, or null when the workspace has no such store. */
    public Uni<StoreView> one(String workspaceId, String storeId) {
        return pool.preparedQuery(ONE).execute(Tuple.of(workspaceId, storeId))
                .map(rows -> rows.size() == 0 ? null : toView(rows.iterator().next()));
    }

    private static List<StoreView> toViews(RowSet<Row> rows) {
        List<StoreView> views = new ArrayList<>(rows.size());
        rows.forEach(row -> views.add(toView(row)));
        return views;
    }

    private static StoreView toView(Row row) {
        return new StoreView(row.getString("id"), row.getString("name"),
                row.getOffsetDateTime("created_at").withOffsetSameInstant(ZoneOffset.UTC).toInstant(),
                row.getLong("record_count"), row.getLong("storage_bytes"), row.getLong("raw_bytes"));
    }
}
