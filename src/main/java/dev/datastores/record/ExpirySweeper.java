package dev.datastores.record;

import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Deletes expired records in small batches and frees their quota. Reads already hide them; this gives
 * the space back. Batches lock with SKIP LOCKED, so any number of replicas sweep side by side.
 */
@ApplicationScoped
public class ExpirySweeper {

    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);
    private static final int BATCH = 500;
    private static final int MAX_BATCHES_PER_RUN = 40;
    private static final String SWEEP = """
            WITH doomed AS (
                SELECT store_id, key FROM records
                 WHERE expires_at <= now()
                 ORDER BY expires_at
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED),
            gone AS (
                DELETE FROM records r USING doomed d
                 WHERE r.store_id = d.store_id AND r.key = d.key
                RETURNING r.store_id, r.stored_bytes, r.raw_bytes)
            SELECT s.workspace_id, g.store_id, count(*) AS records,
                   sum(g.stored_bytes) AS stored_bytes, sum(g.raw_bytes) AS raw_bytes
              FROM gone g JOIN stores s ON s.id = g.store_id
             GROUP BY s.workspace_id, g.store_id""";

    private final Pool pool;
    private final QuotaService quota;

    public ExpirySweeper(Pool pool, QuotaService quota) {
        this.pool = pool;
        this.quota = quota;
    }

    @Scheduled(every = "${datastores.expiry.sweep-every:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep(MAX_BATCHES_PER_RUN).onFailure().invoke(failure -> LOG.warnf("Expiry sweep failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Sweeps up to {@code batches} batches; returns how many records went. */
    public Uni<Long> sweep(int batches) {
        return sweepBatch().chain(removed -> removed == BATCH && batches > 1
                ? sweep(batches - 1).map(more -> more + removed)
                : Uni.createFrom().item(removed));
    }

    private Uni<Long> sweepBatch() {
        return pool.preparedQuery(SWEEP).execute(Tuple.of(BATCH)).map(rows -> {
            long removed = 0;
            for (Row row : rows) {
                long records = row.getLong("records");
                long stored = row.getLong("stored_bytes");
                removed += records;
                quota.released(row.getString("workspace_id"), new Delta(0, -records, -stored),
                        new StoreDelta(row.getString("store_id"), -records, -stored, -row.getLong("raw_bytes")));
            }
            return removed;
        });
    }
}
