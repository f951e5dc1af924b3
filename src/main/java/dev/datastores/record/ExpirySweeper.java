package dev.datastores.record;

import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
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

    private final RecordStorage records;
    private final QuotaService quota;
    private final Clock clock;
    private final Counter sweptRecords;
    /** Milliseconds since the longest-expired record still stored expired, as of the last sweep. */
    private final AtomicLong lagMillis = new AtomicLong();

    public ExpirySweeper(RecordStorage records, QuotaService quota, ExpiryConfig config, Clock clock, MeterRegistry registry) {
        this.records = records;
        this.quota = quota;
        this.clock = clock;
        this.sweptRecords = Counter.builder("datastores.expiry.swept.records")
                .description("Expired records the sweeper deleted (their space and quota freed)").register(registry);
        Gauge.builder("datastores.expiry.lag.seconds", lagMillis, lag -> lag.get() / 1000.0)
                .description("How long ago the longest-expired record still stored expired, as of the last sweep")
                .register(registry);
        if (config.sweepEvery().isNegative() || config.sweepEvery().isZero()) {
            throw new IllegalStateException("datastores.expiry.sweep-every must be a positive duration, not " + config.sweepEvery());
        }
    }

    @Scheduled(every = "${datastores.expiry.sweep-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep(MAX_BATCHES_PER_RUN).onFailure().invoke(failure -> LOG.warnf("Expiry sweep failed: %s", failure.toString()))
                .onFailure().recoverWithNull()
                .chain(this::measureLag)
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Updates the lag gauge from what is left after a sweep; a sweep that keeps failing leaves it growing. */
    public Uni<Void> measureLag() {
        return records.oldestExpired().invoke(oldest -> lagMillis.set(oldest == null ? 0
                : Math.max(0, Duration.between(oldest, clock.instant()).toMillis()))).replaceWithVoid();
    }

    /** Sweeps up to {@code batches} batches; returns how many records went. */
    public Uni<Long> sweep(int batches) {
        return sweepBatch().chain(removed -> removed == BATCH && batches > 1
                ? sweep(batches - 1).map(more -> more + removed)
                : Uni.createFrom().item(removed));
    }

    private Uni<Long> sweepBatch() {
        return records.sweepExpired(BATCH).chain(swept -> Multi.createFrom().iterable(swept)
                .onItem().transformToUniAndConcatenate(store -> quota.released(store.workspaceId(),
                                new Delta(0, -store.records(), -store.storedBytes()),
                                new StoreDelta(store.storeId(), -store.records(), -store.storedBytes(), -store.rawBytes()))
                        .replaceWith(store.records()))
                .collect().with(Collectors.summingLong(Long::longValue))
                .invoke(removed -> sweptRecords.increment(removed)));
    }
}
