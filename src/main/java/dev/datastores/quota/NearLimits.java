package dev.datastores.quota;

import dev.datastores.domain.DomainException.Limit;
import dev.datastores.ops.MetricsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import org.jboss.logging.Logger;

/**
 * Workspaces near a limit of their plan, as counts per limit and band ({@code datastores_workspaces_near_limit
 * {limit="keys", band="0.95"}}): six series whatever the number of workspaces, computed from PostgreSQL's usage
 * every {@code datastores.metrics.near-limits-every}. Which workspaces they are is for the operator API to say.
 * Made at start, so its series are exported (at 0) before the first refresh.
 */
@Startup
@ApplicationScoped
public class NearLimits {

    private static final Logger LOG = Logger.getLogger(NearLimits.class);

    /** Workspaces at or above 80 % and 95 % of each limit; the 95 % ones are in the 80 % count too. */
    public record Bands(long stores80, long stores95, long keys80, long keys95, long bytes80, long bytes95) {
    }

    private final UsageStorage usage;
    private final AtomicReference<Bands> last = new AtomicReference<>(new Bands(0, 0, 0, 0, 0, 0));

    public NearLimits(UsageStorage usage, MeterRegistry registry, MetricsConfig config) {
        this.usage = usage;
        if (config.nearLimitsEvery().isNegative() || config.nearLimitsEvery().isZero()) {
            throw new IllegalStateException("datastores.metrics.near-limits-every must be a positive duration");
        }
        band(registry, Limit.STORES, "0.80", Bands::stores80);
        band(registry, Limit.STORES, "0.95", Bands::stores95);
        band(registry, Limit.KEYS, "0.80", Bands::keys80);
        band(registry, Limit.KEYS, "0.95", Bands::keys95);
        band(registry, Limit.STORAGE_BYTES, "0.80", Bands::bytes80);
        band(registry, Limit.STORAGE_BYTES, "0.95", Bands::bytes95);
    }

    private void band(MeterRegistry registry, Limit limit, String band, ToLongFunction<Bands> count) {
        Gauge.builder("datastores.workspaces.near.limit", last, bands -> count.applyAsLong(bands.get()))
                .description("Workspaces using at least this share (band) of this limit of their plan")
                .tag("limit", limit.wireName()).tag("band", band).register(registry);
    }

    @Scheduled(every = "${datastores.metrics.near-limits-every}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> refresh() {
        return usage.nearLimits().invoke(last::set).replaceWithVoid()
                .onFailure().invoke(failure -> LOG.warnf("Near-limit gauges not refreshed: %s", failure.toString()))
                .onFailure().recoverWithNull();
    }
}
