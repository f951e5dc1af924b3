package dev.datastores.transfer;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Export jobs: where they may send records, and how a job left by a stopped replica is taken over. The values are set
 * in application.properties, the one place for them; the runners' schedules name them there too.
 */
@ConfigMapping(prefix = "datastores.exports")
public interface ExportJobConfig {

    /**
     * Destinations the operator allows: host names ({@code hooks.example.com}), subdomain patterns
     * ({@code *.example.com}), IP addresses and CIDR ranges ({@code 10.1.0.0/16}). When set, only these
     * are allowed, whatever their address; when unset, any host whose every address is globally routable
     * unicast and not one of this host's (see {@link Destinations}).
     */
    Optional<List<String>> allowedDestinations();

    /** How long a destination may take to answer one chunk. */
    Duration requestTimeout();

    /** A running job whose runner has not written for this long is taken over by another runner. */
    Duration staleAfter();

    /** How often a runner tells the database its jobs are alive; well under {@link #staleAfter()}. */
    Duration heartbeatEvery();

    /** How often each replica looks for jobs whose runner went quiet. */
    Duration takeOverEvery();


}
