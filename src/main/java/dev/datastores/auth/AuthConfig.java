package dev.datastores.auth;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Authentication settings. */
@ConfigMapping(prefix = "datastores")
public interface AuthConfig {

    /** The operator token for {@code /v1/admin/**}; when absent the operator API refuses everyone. */
    Optional<String> adminToken();
}
