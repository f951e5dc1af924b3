package dev.datastores.quota;

import io.smallrye.config.ConfigMapping;

/** Quota settings; their values are set in application.properties, the one place for them. */
@ConfigMapping(prefix = "datastores.quota")
public interface QuotaConfig {

    /**
     * Whether writes are held to their plan's keys and storage limits. Off only to measure what
     * enforcement costs (bench/quota-overhead.sh); a production service keeps it on.
     */
    boolean enforced();

    /**
     * How often the next {@link #reconcileBatch()} workspaces' counters are compared with PostgreSQL and, when
     * quiet, rebuilt from it; also how long an in-flight mark must stay unmoved to be taken as a dead writer's.
     */
    java.time.Duration reconcileEvery();

    /**
     * How many workspaces one reconciliation tick compares, all replicas together: the sweep over every
     * workspace takes (workspaces / batch) ticks, and a tick costs a count of those workspaces' records.
     */
    int reconcileBatch();

    /**
     * How often readiness' Redis probe also runs without being asked, so {@code datastores_redis_degraded} stays current
     * on a replica nobody polls.
     */
    java.time.Duration redisProbeEvery();
}
