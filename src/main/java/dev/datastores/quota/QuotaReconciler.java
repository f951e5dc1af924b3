package dev.datastores.quota;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Keeps the Redis counters equal to PostgreSQL without reading all of PostgreSQL at once. Every
 * {@code datastores.quota.reconcile-every} one replica claims the next {@code reconcile-batch} workspaces
 * after a cursor the replicas share in Redis and compares them, so the sweep over every workspace costs
 * the same however many replicas run. Workspaces written while Redis was away are rebuilt within a
 * second. A workspace is rebuilt only in a quiet moment (nothing in flight, no write since its state was
 * read), so no write is counted twice or lost; one seen with writes in flight is looked at again every
 * tick, and rebuilt regardless once its in-flight mark has not moved for a whole tick: its writers died.
 */
@ApplicationScoped
public class QuotaReconciler {

    private static final Logger LOG = Logger.getLogger(QuotaReconciler.class);

    private final QuotaCounters counters;
    private final QuotaService quota;
    private final UsageStorage usage;
    private final Pool pool;
    private final int batch;
    private final long stuckAfterMillis;
    private final Map<String, Sighting> inflightSeen = new ConcurrentHashMap<>();

    public QuotaReconciler(QuotaCounters counters, QuotaService quota, UsageStorage usage, Pool pool, QuotaConfig config) {
        this.counters = counters;
        this.quota = quota;
        this.usage = usage;
        this.pool = pool;
        this.batch = config.reconcileBatch();
        this.stuckAfterMillis = config.reconcileEvery().toMillis();
    }

    @Scheduled(every = "${datastores.quota.reconcile-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return recheckInflight().chain(this::sweepNextBatch)
                .onFailure().invoke(failure -> LOG.warnf("Quota reconciliation failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> repairStale() {
        if (quota.staleWorkspaces().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return counters.probe().chain(up -> !up ? Uni.createFrom().voidItem()
                : reconcileEach(List.copyOf(quota.staleWorkspaces()), false, ws -> quota.staleWorkspaces().remove(ws))
                        .replaceWithVoid());
    }

    /**
     * Reconciles the workspaces after the shared cursor, wrapping round after the last; returns how many this
     * replica looked at (none when another replica claimed the same batch first).
     */
    public Uni<Integer> sweepNextBatch() {
        return counters.sweepCursor().chain(after -> usage.workspaceIds(after, batch).chain(ids -> {
            String next = ids.size() < batch ? "" : ids.get(ids.size() - 1);
            return counters.claimSweep(after, next).chain(claimed -> claimed
                    ? reconcileEach(ids, true, ws -> { }).replaceWith(ids.size())
                    : Uni.createFrom().item(0));
        }));
    }

    /**
     * Sets one workspace's counters to PostgreSQL's figures when that is safe; true when they now match.
     * With {@code detectStuck}, an in-flight mark that has not moved for a whole tick is taken as dead.
     */
    public Uni<Boolean> reconcile(String workspaceId, boolean detectStuck) {
        return counters.state(workspaceId).chain(state -> {
            if (state == null) {
                inflightSeen.remove(workspaceId);
                return quota.initialise(workspaceId).replaceWith(true);
            }
            long seq = state[0];
            long inflight = state[1];
            if (inflight > 0) {
                if (!detectStuck) {
                    return Uni.createFrom().item(false);
                }
                Sighting first = inflightSeen.merge(workspaceId, new Sighting(seq, System.currentTimeMillis()),
                        (earlier, now) -> earlier.seq() == seq ? earlier : now);
                return System.currentTimeMillis() - first.atMillis() >= stuckAfterMillis
                        ? rebuild(workspaceId, Rebuild.FORCE, seq) : Uni.createFrom().item(false);
            }
            inflightSeen.remove(workspaceId);
            return rebuild(workspaceId, Rebuild.IF_QUIET, seq);
        });
    }

    /** Workspaces last seen with writes in flight, looked at again so dead writers are found within two ticks. */
    private Uni<Void> recheckInflight() {
        return reconcileEach(List.copyOf(inflightSeen.keySet()), true, ws -> { }).replaceWithVoid();
    }

    private Uni<Void> reconcileEach(List<String> workspaceIds, boolean detectStuck, Consumer<String> onMatch) {
        return Multi.createFrom().iterable(workspaceIds)
                .onItem().transformToUniAndConcatenate(ws -> reconcile(ws, detectStuck)
                        .invoke(matches -> {
                            if (matches) {
                                onMatch.accept(ws);
                            }
                        })
                        .onFailure().recoverWithItem(false))
                .collect().last().replaceWithVoid();
    }

    private Uni<Boolean> rebuild(String workspaceId, Rebuild mode, long seq) {
        return usage.ofStores(pool, workspaceId)
                .chain(stores -> counters.rebuild(workspaceId, mode, Long.toString(seq), Usage.of(stores), stores))
                // counters rebuilt: writes go through Redis again, so the fallback's running count would go stale
                .call(applied -> applied ? usage.forgetFallbackCount(pool, workspaceId) : Uni.createFrom().voidItem())
                .invoke(applied -> {
                    if (applied && mode == Rebuild.FORCE) {
                        inflightSeen.remove(workspaceId);
                        LOG.infof("Quota counters of %s rebuilt over in-flight marks of writers that did not finish", workspaceId);
                    }
                });
    }

    /** When this replica first saw a workspace's in-flight mark at this write sequence number. */
    private record Sighting(long seq, long atMillis) {
    }
}
