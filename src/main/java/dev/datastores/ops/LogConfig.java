package dev.datastores.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the service logs. */
@ConfigMapping(prefix = "datastores.log")
public interface LogConfig {

    /** One JSON object per line instead of Quarkus' text lines (DATASTORES_LOG_JSON=true), for log collectors. */
    @WithDefault("false")
    boolean json();
}
