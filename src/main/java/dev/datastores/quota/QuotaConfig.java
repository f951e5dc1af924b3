package dev.datastores.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Quota settings. */
@ConfigMapping(prefix = "datastores.quota")
public interface QuotaConfig {

    /**
     * Whether writes are held to their plan's keys and storage limits. Off only to measure what
     * enforcement costs (bench/quota-overhead.sh); a production service keeps it on.
     */
    @WithDefault("true")
    boolean enforced();

    /** How often every workspace's counters are compared with PostgreSQL and, when quiet, rebuilt from it. */
    @WithDefault("30s")
    java.time.Duration reconcileEvery();
}
