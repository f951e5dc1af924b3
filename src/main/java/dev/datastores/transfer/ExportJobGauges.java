package dev.datastores.transfer;

import dev.datastores.ops.MetricsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Export jobs as PostgreSQL sees them, across all replicas: how many run, how old the oldest is, and how long the
 * most silent runner has not heartbeaten (a job silent past {@code stale-after} should have been taken over; one
 * silent for minutes is stuck). Every replica reports the same figures; dashboards take their max.
 */
@ApplicationScoped
public class ExportJobGauges {

    private static final Logger LOG = Logger.getLogger(ExportJobGauges.class);

    private final ExportJobRepository jobs;
    private final AtomicReference<ExportJobRepository.Running> last = new AtomicReference<>(new ExportJobRepository.Running(0, 0, 0));

    public ExportJobGauges(ExportJobRepository jobs, MeterRegistry registry, MetricsConfig config) {
        this.jobs = jobs;
        if (config.refreshEvery().isNegative() || config.refreshEvery().isZero()) {
            throw new IllegalStateException("datastores.metrics.refresh-every must be a positive duration");
        }
        Gauge.builder("datastores.export.jobs.running", last, running -> running.get().jobs())
                .description("Export jobs running, on any replica").register(registry);
        Gauge.builder("datastores.export.jobs.oldest.age.seconds", last, running -> running.get().oldestSeconds())
                .description("Age of the oldest running export job").register(registry);
        Gauge.builder("datastores.export.jobs.heartbeat.silence.seconds", last, running -> running.get().silentSeconds())
                .description("Longest time a running export job's runner has not heartbeaten").register(registry);
    }

    @Scheduled(every = "${datastores.metrics.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> refresh() {
        return jobs.running().invoke(last::set).replaceWithVoid()
                .onFailure().invoke(failure -> LOG.debugf("Export job gauges not refreshed: %s", failure.toString()))
                .onFailure().recoverWithNull();
    }
}
