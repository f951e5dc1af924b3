package dev.datastores.change;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Change streams; the values are set in application.properties, which the schedules name. */
@ConfigMapping(prefix = "datastores.changes")
public interface ChangesConfig {

    /** How long the history is kept at least; a resume from before it answers 410 history-expired. */
    Duration retention();

    /** How often each replica asks PostgreSQL for its watched stores' newest positions. */
    Duration pollEvery();

    /** How often each replica prunes the history. */
    Duration pruneEvery();
}
