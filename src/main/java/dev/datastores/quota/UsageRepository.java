package dev.datastores.quota;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Usage as PostgreSQL, the truth, counts it: live records only. */
@ApplicationScoped
public class UsageRepository {

    private static final String WORKSPACE_USAGE = """
            SELECT (SELECT count(*) FROM stores WHERE workspace_id = $1) AS stores,
                   count(r.key) AS keys, coalesce(sum(r.stored_bytes), 0) AS storage_bytes
              FROM stores s JOIN records r ON r.store_id = s.id
             WHERE s.workspace_id = $1 AND (r.expires_at IS NULL OR r.expires_at > now())""";

    private final Pool pool;

    public UsageRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Usage> ofWorkspace(String workspaceId) {
        return pool.preparedQuery(WORKSPACE_USAGE).execute(Tuple.of(workspaceId))
                .map(rows -> toUsage(rows.iterator().next()));
    }

    private static Usage toUsage(Row row) {
        return new Usage(row.getLong("stores"), row.getLong("keys"), row.getLong("storage_bytes"));
    }
}
