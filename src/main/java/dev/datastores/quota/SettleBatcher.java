package dev.datastores.quota;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Settles counters after writes, a workspace's settlements of the same few milliseconds merged into one
 * Redis call. Delay is harmless: until settled, a reservation only ever over-counts.
 */
@ApplicationScoped
public class SettleBatcher {

    private static final Logger LOG = Logger.getLogger(SettleBatcher.class);
    private static final long FLUSH_AFTER_MILLIS = 2;

    private final Settle counters;
    private final Consumer<Runnable> flushLater;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Set<String> stale = ConcurrentHashMap.newKeySet();
    /** Settlements queued or on their way to Redis: the backlog an operator watches. */
    private final AtomicInteger unsettled = new AtomicInteger();
    private final Timer latency;
    private final Counter deferred;

    @Inject
    public SettleBatcher(QuotaCounters counters, Vertx vertx, MeterRegistry registry) {
        this(counters::settle, flush -> vertx.setTimer(FLUSH_AFTER_MILLIS, timer -> flush.run()), registry);
    }

    /**
     * {@code counters} makes the Redis call, {@code flushLater} runs a flush once its few milliseconds have
     * passed: apart so the merging can be tested without Redis or a clock.
     */
    SettleBatcher(Settle counters, Consumer<Runnable> flushLater) {
        this(counters, flushLater, new SimpleMeterRegistry());
    }

    private SettleBatcher(Settle counters, Consumer<Runnable> flushLater, MeterRegistry registry) {
        this.counters = counters;
        this.flushLater = flushLater;
        Gauge.builder("datastores.quota.settlement.backlog", unsettled, AtomicInteger::get)
                .description("Quota settlements queued or in flight to Redis").register(registry);
        latency = Timer.builder("datastores.quota.settlement")
                .description("From a write's settlement being queued to Redis applying it (or failing to)")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(2)).register(registry);
        deferred = Counter.builder("datastores.quota.settlements.deferred")
                .description("Settlement calls Redis did not apply; their workspaces are rebuilt from PostgreSQL instead")
                .register(registry);
    }

    /**
     * Queues a settlement (at once: the caller need not subscribe); create / delete of a store's own counters go at
     * once, in order. The answer completes when the Redis call that carries it is done, failed included, for a
     * caller that must not answer before the space it freed is free for everyone.
     */
    public Uni<Void> settle(String workspaceId, Delta adjustment, boolean endsInflight, StoreDelta store,
            StoreCounters storeMode) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        unsettled.incrementAndGet();
        settled.whenComplete((done, failure) -> {
            unsettled.decrementAndGet();
            latency.record(System.nanoTime() - queuedAt, TimeUnit.NANOSECONDS);
        });
        Context caller = Vertx.currentContext();
        // the caller carries on on its own Vert.x context, not on the Redis client's
        Uni<Void> answer = caller == null ? Uni.createFrom().completionStage(settled)
                : Uni.createFrom().completionStage(settled).emitOn(command -> caller.runOnContext(ignored -> command.run()));
        if (storeMode != StoreCounters.ADJUST) {
            send(workspaceId, adjustment, endsInflight ? 1 : 0, store == null ? List.of() : List.of(store), storeMode,
                    List.of(settled));
            return answer;
        }
        boolean[] first = {false};
        pending.compute(workspaceId, (ws, current) -> {
            Pending merged = current == null ? new Pending() : current;
            first[0] = current == null;
            merged.add(adjustment, endsInflight, store, settled);
            return merged;
        });
        if (first[0]) {
            flushLater.accept(() -> flush(workspaceId));
        }
        return answer;
    }

    /** Workspaces whose settlement failed: their counters are off until rebuilt. Drains the set. */
    Set<String> takeStale() {
        Set<String> taken = new HashSet<>(stale);
        stale.removeAll(taken);
        return taken;
    }

    private void flush(String workspaceId) {
        Pending batch = pending.remove(workspaceId);
        if (batch != null) {
            send(workspaceId, batch.delta, batch.inflightEnded, batch.stores.values(), StoreCounters.ADJUST, batch.settled);
        }
    }

    private void send(String workspaceId, Delta adjustment, int inflightEnded, Collection<StoreDelta> stores,
            StoreCounters storeMode, List<CompletableFuture<Void>> settled) {
        counters.settle(workspaceId, adjustment, inflightEnded, stores, storeMode).subscribe().with(
                done -> settled.forEach(waiter -> waiter.complete(null)),
                failure -> {
                    stale.add(workspaceId);
                    deferred.increment();
                    LOG.debugf("Settling %s deferred to reconciliation: %s", workspaceId, failure);
                    settled.forEach(waiter -> waiter.complete(null));
                });
    }

    /** The settle call of {@link QuotaCounters#settle}. */
    @FunctionalInterface
    interface Settle {
        Uni<Void> settle(String workspaceId, Delta adjustment, int inflightEnded, Collection<StoreDelta> stores,
                StoreCounters storeMode);
    }

    /** Settlements of one workspace waiting to be sent. Mutated only inside the map's compute. */
    private static final class Pending {
        private Delta delta = Delta.NONE;
        private int inflightEnded;
        private final Map<String, StoreDelta> stores = new HashMap<>();
        private final List<CompletableFuture<Void>> settled = new ArrayList<>();

        void add(Delta adjustment, boolean endsInflight, StoreDelta store, CompletableFuture<Void> waiter) {
            settled.add(waiter);
            delta = new Delta(delta.stores() + adjustment.stores(), delta.keys() + adjustment.keys(),
                    delta.bytes() + adjustment.bytes());
            inflightEnded += endsInflight ? 1 : 0;
            if (store != null) {
                stores.merge(store.storeId(), store, (a, b) -> new StoreDelta(a.storeId(), a.records() + b.records(),
                        a.storageBytes() + b.storageBytes(), a.rawBytes() + b.rawBytes()));
            }
        }
    }
}
