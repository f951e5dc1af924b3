package dev.datastores.change;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Keeps the history to {@code datastores.changes.retention}: older changes are deleted in batches, on every replica
 * (batches of different replicas take different rows or wait for each other; nothing is deleted twice).
 */
@ApplicationScoped
public class ChangeHistory {

    static final int PRUNE_BATCH = 5_000;
    private static final Logger LOG = Logger.getLogger(ChangeHistory.class);

    private final ChangeStorage storage;
    private final Clock clock;
    private final Duration retention;
    private final Counter pruned;

    public ChangeHistory(ChangeStorage storage, Clock clock, ChangesConfig config, MeterRegistry registry) {
        this.storage = storage;
        this.clock = clock;
        this.retention = config.retention();
        this.pruned = Counter.builder("datastores.changes.pruned")
                .description("Changes deleted from the history for being older than the retention").register(registry);
    }

    @Scheduled(every = "${datastores.changes.prune-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return prune().onFailure().invoke(failure -> LOG.warnf("Pruning the change history failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes what is older than the retention, a batch at a time; how many changes went. */
    public Uni<Long> prune() {
        return pruneFrom(0);
    }

    private Uni<Long> pruneFrom(long before) {
        return storage.prune(clock.instant().minus(retention), PRUNE_BATCH).chain(count -> {
            pruned.increment(count);
            return count == PRUNE_BATCH ? pruneFrom(before + count) : Uni.createFrom().item(before + count);
        });
    }
}
