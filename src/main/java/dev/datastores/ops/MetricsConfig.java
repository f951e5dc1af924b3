package dev.datastores.ops;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** How often the gauges read from PostgreSQL are refreshed (the scheduled refreshes name these settings). */
@ConfigMapping(prefix = "datastores.metrics")
public interface MetricsConfig {

    /** Export job gauges. */
    Duration refreshEvery();

    /** Workspaces near a limit: counts every workspace's rows, so less often. */
    Duration nearLimitsEvery();
}
