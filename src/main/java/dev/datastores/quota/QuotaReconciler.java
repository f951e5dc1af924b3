package dev.datastores.quota;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps the Redis counters equal to PostgreSQL: at start, every {@code datastores.quota.reconcile-every},
 * and within a second for workspaces written while Redis was away. A workspace is rebuilt only in a quiet
 * moment (nothing in flight, no write since its state was read), so no write is counted twice or lost;
 * a workspace whose in-flight mark has not moved for a whole period belongs to writers that died, and
 * is rebuilt regardless.
 */
@ApplicationScoped
public class QuotaReconciler {

    private static final Logger LOG = Logger.getLogger(QuotaReconciler.class);
    private static final int PAGE = 500;

    private final QuotaCounters counters;
    private final QuotaService quota;
    private final UsageRepository usage;
    private final Map<String, Long> stuckAtSeq = new ConcurrentHashMap<>();

    public QuotaReconciler(QuotaCounters counters, QuotaService quota, UsageRepository usage) {
        this.counters = counters;
        this.quota = quota;
        this.usage = usage;
    }

    void onStart(@Observes StartupEvent start) {
        reconcileAll().subscribe().with(count -> LOG.debugf("Reconciled quota counters of %d workspaces", count),
                failure -> LOG.warnf("Quota reconciliation at start failed: %s", failure.toString()));
    }

    @Scheduled(every = "${datastores.quota.reconcile-every:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return reconcileAll().onFailure().invoke(failure -> LOG.warnf("Quota reconciliation failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> repairStale() {
        if (quota.staleWorkspaces().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return counters.probe().chain(up -> !up ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(List.copyOf(quota.staleWorkspaces()))
                        .onItem().transformToUniAndConcatenate(ws -> reconcile(ws, false)
                                .invoke(done -> {
                                    if (done) {
                                        quota.staleWorkspaces().remove(ws);
                                    }
                                })
                                .onFailure().recoverWithItem(false))
                        .collect().last().replaceWithVoid());
    }

    /** Reconciles every workspace; returns how many were looked at. */
    public Uni<Integer> reconcileAll() {
        return Multi.createBy().repeating()
                .uni(() -> new String[] {""}, after -> usage.workspaceIds(after[0], PAGE).invoke(ids -> {
                    if (!ids.isEmpty()) {
                        after[0] = ids.get(ids.size() - 1);
                    }
                }))
                .whilst(ids -> ids.size() == PAGE)
                .onItem().transformToMultiAndConcatenate(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(ws -> reconcile(ws, true).onFailure().recoverWithItem(false))
                .collect().with(java.util.stream.Collectors.counting()).map(Long::intValue);
    }

    /**
     * Sets one workspace's counters to PostgreSQL's figures when that is safe; true when they now match.
     * With {@code detectStuck}, an in-flight mark unchanged since the previous pass is taken as dead.
     */
    public Uni<Boolean> reconcile(String workspaceId, boolean detectStuck) {
        return counters.state(workspaceId).chain(state -> {
            if (state == null) {
                return quota.initialise(workspaceId).replaceWith(true);
            }
            long seq = state[0];
            long inflight = state[1];
            if (inflight > 0) {
                if (!detectStuck) {
                    return Uni.createFrom().item(false);
                }
                Long previous = stuckAtSeq.put(workspaceId, seq);
                return previous != null && previous == seq ? rebuild(workspaceId, "force", seq) : Uni.createFrom().item(false);
            }
            stuckAtSeq.remove(workspaceId);
            return rebuild(workspaceId, "if-quiet", seq);
        });
    }

    private Uni<Boolean> rebuild(String workspaceId, String mode, long seq) {
        return Uni.combine().all().unis(usage.ofWorkspace(workspaceId), usage.ofStores(workspaceId)).asTuple()
                .chain(truth -> counters.rebuild(workspaceId, mode, Long.toString(seq), truth.getItem1(), truth.getItem2()))
                .invoke(applied -> {
                    if (applied && mode.equals("force")) {
                        stuckAtSeq.remove(workspaceId);
                        LOG.infof("Quota counters of %s rebuilt over in-flight marks of writers that did not finish", workspaceId);
                    }
                });
    }
}
