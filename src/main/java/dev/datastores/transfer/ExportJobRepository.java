package dev.datastores.transfer;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Export job SQL. Every change a runner makes to a job is conditional on still being its runner, so a
 * replica that was presumed dead and lost the job cannot touch it any more.
 */
@ApplicationScoped
public class ExportJobRepository {

    private static final String CREATE = """
            INSERT INTO export_jobs (id, workspace_id, store_id, url, chunk_size, delete_after, prefix, status, runner)
            SELECT $1, s.workspace_id, s.id, $4, $5, $6, $7, 'running', $8
              FROM stores s WHERE s.id = $3 AND s.workspace_id = $2
            RETURNING *""";
    private static final String GET = "SELECT * FROM export_jobs WHERE id = $1 AND store_id = $2 AND workspace_id = $3";
    private static final String RECENT = """
            SELECT * FROM export_jobs WHERE store_id = $1 AND workspace_id = $2 ORDER BY started_at DESC, id LIMIT $3""";
    private static final String ACKNOWLEDGED = """
            UPDATE export_jobs SET chunks = chunks + 1, exported = exported + $3, deleted = deleted + $4, last_key = $5,
                   heartbeat_at = now()
             WHERE id = $1 AND runner = $2 AND status = 'running'""";
    private static final String FINISH = """
            UPDATE export_jobs SET status = $3, error = $4, finished_at = now(), heartbeat_at = now()
             WHERE id = $1 AND runner = $2 AND status = 'running'""";
    private static final String HEARTBEAT = "UPDATE export_jobs SET heartbeat_at = now() WHERE runner = $1 AND status = 'running'";
    private static final String TAKE_OVER = """
            UPDATE export_jobs j SET runner = $1, heartbeat_at = now()
              FROM (SELECT id FROM export_jobs
                     WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $2)
                     ORDER BY heartbeat_at LIMIT 20
                       FOR UPDATE SKIP LOCKED) stale
             WHERE j.id = stale.id
            RETURNING j.*""";

    private static final String RUNNING = """
            SELECT count(*) AS running, coalesce(extract(epoch FROM now() - min(started_at)), 0) AS oldest,
                   coalesce(extract(epoch FROM now() - min(heartbeat_at)), 0) AS silent
              FROM export_jobs WHERE status = 'running'""";

    private final Pool pool;

    public ExportJobRepository(Pool pool) {
        this.pool = pool;
    }

    /** Creates a running job owned by {@code runner}; null when the store is not the workspace's. */
    public Uni<ExportJob> create(String id, String workspaceId, String storeId, String url, int chunkSize,
            boolean deleteAfterExport, String prefix, String runner) {
        Tuple args = Tuple.of(id, workspaceId, storeId, url).addValue(chunkSize).addValue(deleteAfterExport)
                .addValue(prefix).addValue(runner);
        return pool.preparedQuery(CREATE).execute(args).map(ExportJobRepository::first);
    }

    public Uni<ExportJob> get(String workspaceId, String storeId, String jobId) {
        return pool.preparedQuery(GET).execute(Tuple.of(jobId, storeId, workspaceId)).map(ExportJobRepository::first);
    }

    public Uni<List<ExportJob>> recent(String workspaceId, String storeId, int limit) {
        return pool.preparedQuery(RECENT).execute(Tuple.of(storeId, workspaceId, limit)).map(ExportJobRepository::all);
    }

    /** Records an acknowledged chunk; false when {@code runner} no longer runs the job. */
    public Uni<Boolean> acknowledged(SqlClient transaction, String jobId, String runner, int exported, long deleted, String lastKey) {
        Tuple args = Tuple.of(jobId, runner, exported, deleted).addValue(lastKey);
        return transaction.preparedQuery(ACKNOWLEDGED).execute(args).map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> finish(String jobId, String runner, ExportJob.Status status, String error) {
        return pool.preparedQuery(FINISH).execute(Tuple.of(jobId, runner, status.word(), error)).replaceWithVoid();
    }

    public Uni<Void> heartbeat(String runner) {
        return pool.preparedQuery(HEARTBEAT).execute(Tuple.of(runner)).replaceWithVoid();
    }

    /** Moves running jobs whose runner went quiet for {@code staleAfter} to {@code runner}. */
    public Uni<List<ExportJob>> takeOver(String runner, Duration staleAfter) {
        return pool.preparedQuery(TAKE_OVER).execute(Tuple.of(runner, staleAfter.toMillis() / 1000.0)).map(ExportJobRepository::all);
    }

    /** Running jobs of every runner: how many, the oldest's age and the longest a runner has been silent, in seconds. */
    public Uni<Running> running() {
        return pool.preparedQuery(RUNNING).execute().map(rows -> {
            Row row = rows.iterator().next();
            return new Running(row.getLong("running"), row.getNumeric("oldest").doubleValue(), row.getNumeric("silent").doubleValue());
        });
    }

    /** See {@link #running()}. */
    public record Running(long jobs, double oldestSeconds, double silentSeconds) {
    }

    private static ExportJob first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : toJob(rows.iterator().next());
    }

    private static List<ExportJob> all(RowSet<Row> rows) {
        List<ExportJob> jobs = new ArrayList<>(rows.size());
        rows.forEach(row -> jobs.add(toJob(row)));
        return jobs;
    }

    private static ExportJob toJob(Row row) {
        return new ExportJob(row.getString("id"), row.getString("workspace_id"), row.getString("store_id"),
                row.getString("url"), row.getInteger("chunk_size"), row.getBoolean("delete_after"), row.getString("prefix"),
                ExportJob.Status.of(row.getString("status")), row.getLong("chunks"), row.getLong("exported"),
                row.getLong("deleted"), row.getString("last_key"), row.getString("error"), instant(row, "started_at"),
                instant(row, "finished_at"));
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime time = row.getOffsetDateTime(column);
        return time == null ? null : time.toInstant();
    }
}
