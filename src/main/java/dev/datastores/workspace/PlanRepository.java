package dev.datastores.workspace;

import dev.datastores.workspace.Plan.PlanView;
import dev.datastores.workspace.WorkspaceService.Created;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Plan SQL that Hibernate cannot do in one statement: create-or-replace. */
@ApplicationScoped
public class PlanRepository {

    // One statement, so two puts of a new plan cannot both insert it: the second waits and replaces. xmax is 0
    // only on a row just inserted.
    private static final String PUT = """
            INSERT INTO plans (name, max_stores, max_keys, max_storage_bytes, max_value_bytes, requests_per_second)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (name) DO UPDATE SET max_stores = excluded.max_stores, max_keys = excluded.max_keys,
                   max_storage_bytes = excluded.max_storage_bytes, max_value_bytes = excluded.max_value_bytes,
                   requests_per_second = excluded.requests_per_second
            RETURNING xmax = 0 AS created""";

    private final Pool pool;

    public PlanRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Created<PlanView>> put(String name, PlanView limits) {
        return pool.preparedQuery(PUT).execute(Tuple.of(name, limits.maxStores(), limits.maxKeys(), limits.maxStorageBytes(),
                        limits.maxValueBytes(), limits.requestsPerSecond()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Created<>(new PlanView(name, limits.maxStores(), limits.maxKeys(), limits.maxStorageBytes(),
                            limits.maxValueBytes(), limits.requestsPerSecond()), row.getBoolean("created"));
                });
    }
}
