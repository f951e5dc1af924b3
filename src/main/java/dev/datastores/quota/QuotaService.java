package dev.datastores.quota;

import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.quota.QuotaCounters.RedisUnavailable;
import dev.datastores.quota.QuotaCounters.Reservation;
import dev.datastores.tenant.Plan;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Exact quotas across replicas. A write reserves its growth in Redis (one atomic script that checks
 * and reserves), runs against PostgreSQL, then settles what it really changed; a failed write releases
 * its reservation. When Redis cannot be reached the write runs in a PostgreSQL transaction that locks
 * the workspace and checks the true usage before committing: slower, never skipped.
 */
@ApplicationScoped
public class QuotaService {


    private final QuotaCounters counters;
    private final UsageStorage usage;
    private final Pool pool;
    private final Set<String> staleWorkspaces = ConcurrentHashMap.newKeySet();

    private static final int MAX_RESERVATIONS = 3;
    private static final int CONFLICT_RETRIES = 8;

    private final boolean enforced;
    private final SettleBatcher settlements;
    private final Map<String, Timer> reservationTimes;

    public QuotaService(QuotaCounters counters, UsageStorage usage, Pool pool, QuotaConfig config,
            SettleBatcher settlements, MeterRegistry registry) {
        this.counters = counters;
        this.reservationTimes = Map.of(
                "reserved", reservationTimer(registry, "reserved"),
                "exceeded", reservationTimer(registry, "exceeded"),
                "uninitialised", reservationTimer(registry, "uninitialised"),
                "unavailable", reservationTimer(registry, "unavailable"));
        Gauge.builder("datastores.quota.stale.workspaces", staleWorkspaces, Set::size)
                .description("Workspaces whose Redis counters missed changes and wait to be rebuilt from PostgreSQL")
                .register(registry);
        this.settlements = settlements;
        this.usage = usage;
        this.pool = pool;
        this.enforced = config.enforced();
    }

    /**
     * Runs {@code write} (on the client it is given) within the plan's limits, reserving {@code reserve}
     * first. A write that only frees space reserves {@link Delta#NONE}: it still marks itself in flight,
     * so reconciliation never counts it twice.
     */
    public <T> Uni<T> guard(String workspaceId, Plan plan, Delta reserve, Function<SqlClient, Uni<Written<T>>> write) {
        if (!enforced) {
            return againOnConflict(() -> write.apply(pool)).map(Written::result);
        }
        return reserve(workspaceId, plan, reserve, true)
                .onFailure(RedisUnavailable.class).recoverWithItem(false)
                .chain(reserved -> reserved ? writeAndSettle(workspaceId, reserve, write) : writeLocked(workspaceId, plan, write));
    }

    /**
     * Like {@link #guard}, for writes that need a transaction of several statements (a row read under
     * lock, then rewritten). Should the write turn out to grow more than reserved, it is rolled back and
     * run again with what it really needs.
     */
    public <T> Uni<T> guardTransaction(String workspaceId, Plan plan, Delta reserve,
            Function<SqlConnection, Uni<Written<T>>> write) {
        if (!enforced) {
            return againOnConflict(() -> pool.withTransaction(write)).map(Written::result);
        }
        return reserve(workspaceId, plan, reserve, true)
                .onFailure(RedisUnavailable.class).recoverWithItem(false)
                .chain(reserved -> reserved
                        ? transactionAndSettle(workspaceId, plan, reserve, write, 1)
                        : writeLocked(workspaceId, plan, write));
    }

    /** Applies a change that was already checked elsewhere (store creation, checked under a PostgreSQL row lock). */
    public void record(String workspaceId, Delta change, StoreDelta store, StoreCounters storeMode) {
        settleLater(workspaceId, change, false, store, storeMode);
    }

    /**
     * Counts space freed by a statement that spanned workspaces (the expiry sweeper), after its commit. It
     * could not mark itself in flight beforehand, so the workspace is also rebuilt at its next quiet moment; the
     * Redis-down fallback's running count, if any, learns it too (until then it counts the rows, as before the sweep).
     */
    public Uni<Void> released(String workspaceId, Delta freed, StoreDelta store) {
        settleLater(workspaceId, freed, false, store, StoreCounters.ADJUST);
        staleWorkspaces.add(workspaceId);
        return usage.adjustFallbackCount(pool, workspaceId, freed);
    }

    /**
     * Has the workspace's counters rebuilt from PostgreSQL at its next quiet moment (the stale repair runs every
     * second): after a store's deletion, writes that raced it may settle into counters the deletion already dropped.
     */
    public void recountSoon(String workspaceId) {
        staleWorkspaces.add(workspaceId);
    }

    /** The workspace's usage: Redis' counters, or PostgreSQL's count when Redis is away or has none. */
    public Uni<Usage> usage(String workspaceId) {
        return counters.usage(workspaceId)
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .chain(counted -> counted != null ? Uni.createFrom().item(counted)
                        : usage.ofWorkspace(pool, workspaceId).call(() -> initialise(workspaceId)));
    }

    /** Per-store record counts and sizes: Redis' counters, or PostgreSQL's when any is missing. */
    public Uni<Map<String, StoreDelta>> storeStats(String workspaceId, List<String> storeIds) {
        return counters.stores(workspaceId, storeIds)
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .chain(counted -> counted != null ? Uni.createFrom().item(counted)
                        : usage.ofStores(pool, workspaceId).map(stores -> {
                            Map<String, StoreDelta> byId = new java.util.HashMap<>();
                            stores.forEach(store -> byId.put(store.storeId(), store));
                            return byId;
                        }).call(() -> initialise(workspaceId)));
    }

    /** Workspaces whose counters missed writes (Redis was away), for the reconciler to rebuild. */
    Set<String> staleWorkspaces() {
        staleWorkspaces.addAll(settlements.takeStale());
        return staleWorkspaces;
    }

    private static Timer reservationTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("datastores.quota.reservation")
                .description("Redis check-and-reserve calls of writes, by outcome (unavailable: Redis did not answer)")
                .tag("outcome", outcome)
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(2)).register(registry);
    }

    private Uni<Boolean> reserve(String workspaceId, Plan plan, Delta reserve, boolean mayInitialise) {
        long startedAt = System.nanoTime();
        return counters.reserve(workspaceId, reserve, plan.maxStores, plan.maxKeys, plan.maxStorageBytes)
                .onItemOrFailure().invoke((reservation, failure) -> reservationTimes.get(failure != null ? "unavailable"
                        : reservation instanceof Reservation.Exceeded ? "exceeded"
                        : reservation instanceof Reservation.Uninitialised ? "uninitialised" : "reserved")
                        .record(System.nanoTime() - startedAt, TimeUnit.NANOSECONDS))
                .chain(reservation -> {
                    if (reservation instanceof Reservation.Exceeded exceeded) {
                        return Uni.createFrom().failure(new QuotaExceeded(exceeded.limit(), exceeded.allowed(), exceeded.used()));
                    }
                    if (reservation instanceof Reservation.Uninitialised) {
                        return mayInitialise
                                ? initialise(workspaceId).chain(() -> reserve(workspaceId, plan, reserve, false))
                                : Uni.createFrom().failure(new RedisUnavailable("counters vanished while initialising"));
                    }
                    return Uni.createFrom().item(true);
                });
    }

    private <T> Uni<T> writeAndSettle(String workspaceId, Delta reserved, Function<SqlClient, Uni<Written<T>>> write) {
        return againOnConflict(() -> write.apply(pool))
                .onFailure().call(() -> settleLater(workspaceId, Delta.NONE.minus(reserved), true, null, StoreCounters.ADJUST))
                .call(written -> settledIfFreeing(written, settleLater(workspaceId, written.workspace().minus(reserved), true,
                        written.store(), written.storeRemoved() ? StoreCounters.DELETE : StoreCounters.ADJUST)))
                .map(Written::result);
    }

    private <T> Uni<T> transactionAndSettle(String workspaceId, Plan plan, Delta reserved,
            Function<SqlConnection, Uni<Written<T>>> write, int attempt) {
        return againOnConflict(() -> pool.withTransaction(transaction -> write.apply(transaction).invoke(written -> {
                    Delta needed = written.workspace().growth();
                    if (needed.exceeds(reserved)) {
                        throw new ReservationTooSmall(needed);
                    }
                })))
                .onFailure().call(() -> settleLater(workspaceId, Delta.NONE.minus(reserved), true, null, StoreCounters.ADJUST))
                .call(written -> settledIfFreeing(written, settleLater(workspaceId, written.workspace().minus(reserved), true,
                        written.store(), StoreCounters.ADJUST)))
                .map(Written::result)
                .onFailure(ReservationTooSmall.class).recoverWithUni(tooSmall -> attempt >= MAX_RESERVATIONS
                        ? Uni.createFrom().failure(new IllegalStateException("the write kept outgrowing its reservation"))
                        : reserve(workspaceId, plan, ((ReservationTooSmall) tooSmall).needed, false)
                                .chain(() -> transactionAndSettle(workspaceId, plan, ((ReservationTooSmall) tooSmall).needed,
                                        write, attempt + 1)));
    }

    /**
     * Redis is away: the write runs in a transaction holding the workspace's lock and is checked against its usage.
     * The first such write counts the workspace's records and keeps the count (UsageStorage#keepFallbackCount); the
     * next ones, on any replica, read that count and add their change, so a write costs the same in a workspace of
     * ten records or ten million.
     */
    private <T> Uni<T> writeLocked(String workspaceId, Plan plan, Function<? super SqlConnection, Uni<Written<T>>> write) {
        staleWorkspaces.add(workspaceId);
        return againOnConflict(() -> pool.withTransaction(transaction -> usage.lockWorkspace(transaction, workspaceId)
                .chain(() -> usage.fallbackCount(transaction, workspaceId))
                .chain(counted -> write.apply(transaction).call(written -> (counted != null
                                ? Uni.createFrom().item(counted.plus(written.workspace()))
                                : usage.ofWorkspace(transaction, workspaceId))
                        .invoke(used -> Limits.check(plan, used, written.workspace()))
                        .chain(used -> usage.keepFallbackCount(transaction, workspaceId, used))))))
                // Redis may be back already, with counters initialised before this commit: count it there too.
                // Counting it twice is harmless (it only refuses early) until reconciliation.
                .invoke(written -> settleLater(workspaceId, written.workspace(), false, written.store(),
                        written.storeRemoved() ? StoreCounters.DELETE : StoreCounters.ADJUST))
                .map(Written::result);
    }

    /**
     * Runs a write again when PostgreSQL rolled it back to break a deadlock or a serialization conflict: it then had
     * no effect, so running it again is safe, and its caller sees the outcome instead of a 500. Writers of many rows
     * (batches, groups, clears, store deletions) lock rows in key order, but a key created meanwhile is locked out
     * of order; PostgreSQL then picks one victim. The pause, with jitter, keeps the same two from colliding again.
     */
    private static <T> Uni<T> againOnConflict(Supplier<Uni<T>> write) {
        return Uni.createFrom().deferred(() -> write.get()).onFailure(QuotaService::isConflict).retry()
                .withBackOff(Duration.ofMillis(10), Duration.ofMillis(200)).withJitter(0.5).atMost(CONFLICT_RETRIES);
    }

    /**
     * 40P01 deadlock, 40001 serialization failure, and 23503: a record's store was deleted between the write's check
     * and its insert (the only foreign key a write can break); run again, the write finds no store and says so.
     */
    private static boolean isConflict(Throwable failure) {
        return failure instanceof PgException pg
                && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()) || "23503".equals(pg.getSqlState()));
    }

    /** A transactional write needs more room than it reserved; it is rolled back and reserved again. */
    private static final class ReservationTooSmall extends RuntimeException {
        private final Delta needed;

        ReservationTooSmall(Delta needed) {
            super("needs " + needed, null, false, false);
            this.needed = needed;
        }
    }

    private Uni<Void> settleLater(String workspaceId, Delta adjustment, boolean endsInflight, StoreDelta store,
            StoreCounters storeMode) {
        return settlements.settle(workspaceId, adjustment, endsInflight, store, storeMode);
    }

    /**
     * A write that freed room (a delete, a clear, a store's deletion, a smaller value) is answered once its
     * settlement is in Redis: deleting frees quota at once, for the next request of anyone. Other writes answer at
     * once; until settled their reservation only over-counts.
     */
    private static Uni<Void> settledIfFreeing(Written<?> written, Uni<Void> settled) {
        return written.workspace().frees() ? settled : Uni.createFrom().voidItem();
    }

    /**
     * Loads a workspace's counters from PostgreSQL where Redis has none. It holds the workspace's advisory
     * lock meanwhile, so no write made without Redis can commit between the count and the counters' creation.
     */
    Uni<Void> initialise(String workspaceId) {
        return pool.withTransaction(transaction -> usage.lockWorkspace(transaction, workspaceId)
                        .chain(() -> usage.forgetFallbackCount(transaction, workspaceId))
                        .chain(() -> usage.ofStores(transaction, workspaceId))
                        .chain(stores -> counters.rebuild(workspaceId, Rebuild.INIT, null, Usage.of(stores), stores)))
                .invoke(created -> {
                    if (created) {
                        // writes that reserved in a Redis that has since lost its data settle into the new
                        // counters; a quiet-time rebuild puts them right
                        staleWorkspaces.add(workspaceId);
                    }
                })
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .replaceWithVoid();
    }
}
