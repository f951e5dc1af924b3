package dev.datastores.record;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Expiry; the value is set in application.properties, which the sweeper's schedule names. */
@ConfigMapping(prefix = "datastores.expiry")
public interface ExpiryConfig {

    /** How often each replica sweeps expired records (reads hide them at once; this frees their space). */
    Duration sweepEvery();
}
