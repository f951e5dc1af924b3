package dev.datastores.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.smallrye.config.ConfigMapping;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;

/**
 * Request body limits by route. Every body is held to {@code max-body-size} except imports, which are
 * read as a stream a chunk at a time and may be as large as {@code max-import-size}. A body announced
 * larger than its limit is refused before it is read, as a problem document; a chunked body is cut off
 * where it passes the limit.
 */
@ApplicationScoped
public class BodyLimits {

    private static final Pattern IMPORT = Pattern.compile("/v1/workspaces/[^/]+/stores/[^/]+/import/?");

    /** The limits, by route. Quarkus' own limit must be at least {@code max-import-size}. */
    @ConfigMapping(prefix = "datastores.limits")
    public interface Config {

        MemorySize maxBodySize();

        MemorySize maxImportSize();
    }

    private final ProblemMapper problems;
    private final long maxBody;
    private final long maxImport;

    public BodyLimits(ProblemMapper problems, Config config) {
        this.problems = problems;
        this.maxBody = config.maxBodySize().asLongValue();
        this.maxImport = config.maxImportSize().asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(this::limit);
    }

    private void limit(RoutingContext context) {
        long limit = IMPORT.matcher(context.request().path()).matches() ? maxImport : maxBody;
        String announced = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (announced != null && isLongerThan(announced, limit)) {
            // The body is not read: close the connection once answered, as Quarkus does.
            context.response().setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(problems.body(Problems.payloadTooLarge(limit), context.request().path()))
                    .onComplete(done -> context.request().connection().close());
            return;
        }
        context.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, limit);
        context.next();
    }

    private static boolean isLongerThan(String announced, long limit) {
        try {
            return Long.parseLong(announced.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
