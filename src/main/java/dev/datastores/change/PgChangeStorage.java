package dev.datastores.change;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

@ApplicationScoped
class PgChangeStorage implements ChangeStorage {

    private static final String AFTER = """
            SELECT position, kind, key, version, CASE WHEN $4 THEN value END AS value, expires_at, reason, recorded_at
              FROM changes
             WHERE store_id = $1 AND position > $2
             ORDER BY position
             LIMIT $3""";
    private static final String BOUNDS = """
            SELECT coalesce((SELECT min(c.position) FROM changes c WHERE c.store_id = $1), 0) AS oldest,
                   coalesce((SELECT max(c.position) FROM changes c WHERE c.store_id = $1), 0) AS newest
              FROM stores s
             WHERE s.id = $1 AND s.workspace_id = $2""";
    private static final String NEWEST = """
            SELECT s.id, coalesce((SELECT max(c.position) FROM changes c WHERE c.store_id = s.id), 0) AS newest
              FROM unnest($1::text[]) AS s(id)""";
    private static final String PRUNE = "SELECT prune_changes($1, $2) AS pruned";

    private final Pool pool;

    PgChangeStorage(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<List<Change>> after(String storeId, long position, int limit, boolean withValues) {
        return pool.preparedQuery(AFTER).execute(Tuple.of(storeId, position, limit, withValues)).map(PgChangeStorage::toChanges);
    }

    @Override
    public Uni<Bounds> bounds(String workspaceId, String storeId) {
        return pool.preparedQuery(BOUNDS).execute(Tuple.of(storeId, workspaceId)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new Bounds(row.getLong("oldest"), row.getLong("newest"));
        });
    }

    @Override
    public Uni<Map<String, Long>> newest(List<String> storeIds) {
        return pool.preparedQuery(NEWEST).execute(Tuple.of(storeIds.toArray(String[]::new))).map(rows -> {
            Map<String, Long> newest = new HashMap<>();
            rows.forEach(row -> newest.put(row.getString("id"), row.getLong("newest")));
            return newest;
        });
    }

    @Override
    public Uni<Long> prune(Instant before, int limit) {
        return pool.preparedQuery(PRUNE).execute(Tuple.of(OffsetDateTime.ofInstant(before, ZoneOffset.UTC), limit))
                .map(rows -> rows.iterator().next().getLong("pruned"));
    }

    private static List<Change> toChanges(RowSet<Row> rows) {
        List<Change> changes = new ArrayList<>(rows.size());
        for (Row row : rows) {
            Buffer value = row.getBuffer("value");
            OffsetDateTime expiresAt = row.getOffsetDateTime("expires_at");
            Long version = row.getLong("version");
            changes.add(new Change(row.getLong("position"), Change.Kind.of(row.getString("kind")), row.getString("key"),
                    version == null ? 0 : version, value == null ? null : value.getBytes(),
                    expiresAt == null ? null : expiresAt.toInstant(), "expired".equals(row.getString("reason")),
                    row.getOffsetDateTime("recorded_at").toInstant()));
        }
        return changes;
    }
}
