package dev.datastores.quota;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Redis in readiness, as a detail and never as a reason to stop serving. Without Redis a replica still serves every
 * request: quota is checked in PostgreSQL, rate limits count per replica. Reporting DOWN would make Kubernetes take
 * every replica out of its Service at once and turn a Redis outage into a total one; readiness follows PostgreSQL
 * (the datasource's own check), and a Redis outage shows as {@code redis: degraded} here and as the metric
 * {@code datastores_redis_degraded}, which is what to alert on.
 */
@Readiness
@ApplicationScoped
public class RedisHealthCheck implements AsyncHealthCheck {

    private final QuotaCounters counters;

    public RedisHealthCheck(QuotaCounters counters) {
        this.counters = counters;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return counters.probe().map(reachable -> HealthCheckResponse.named("Redis: quota counters and rate limits").up()
                .withData("redis", reachable ? "up" : "degraded")
                .withData("effect", reachable ? "none" : "quota checked in PostgreSQL; rate limits counted per replica")
                .build());
    }

    @Scheduled(every = "${datastores.quota.redis-probe-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> probePeriodically() {
        return counters.probe().replaceWithVoid();
    }
}
