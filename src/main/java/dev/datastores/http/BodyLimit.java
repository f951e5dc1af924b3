package dev.datastores.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body declared larger than {@code quarkus.http.limits.max-body-size} with a 413 payload-too-large
 * problem document. Quarkus' own check (the next route) refuses it too, but with an empty body.
 */
@Singleton
public class BodyLimit {

    private final ProblemMapper problems;
    private final long maxBytes;

    public BodyLimit(ProblemMapper problems,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.problems = problems;
        this.maxBytes = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        if (!declaredOverLimit(context.request().getHeader(HttpHeaders.CONTENT_LENGTH))) {
            context.next();
            return;
        }
        // The body is not read: close the connection once answered, as Quarkus does.
        context.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(problems.body(Problems.payloadTooLarge(), context.request().path()))
                .onComplete(done -> context.request().connection().close());
    }

    private boolean declaredOverLimit(String contentLength) {
        try {
            return contentLength != null && Long.parseLong(contentLength.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
