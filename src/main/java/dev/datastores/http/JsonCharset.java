package dev.datastores.http;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@link MediaTypes#requireUtf8Json} for every route that reads a body, whether Jackson binds it or the route
 * reads its bytes: one rule in one place. It runs after authentication and rate limiting, so those answer first.
 */
public class JsonCharset {

    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    @ServerRequestFilter(priority = 300, nonBlocking = true)
    public void requireUtf8(ContainerRequestContext request) {
        if (WITH_BODY.contains(request.getMethod())) {
            MediaTypes.requireUtf8Json(request.getHeaderString(HttpHeaders.CONTENT_TYPE));
        }
    }
}
