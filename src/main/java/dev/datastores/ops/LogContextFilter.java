package dev.datastores.ops;

import dev.datastores.http.ApiRoute;
import dev.datastores.http.RequestTarget;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ResourceInfo;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Names every API request's route and workspace for the logs (MDC {@code route}, {@code workspaceId}, beside the
 * trace's {@code traceId}). The workspace is named only when the path holds a well-formed workspace id (the shape
 * {@code Ids} makes): a client chooses the path before anything checks it, and a log line should not carry text it
 * chose.
 */
@Singleton
public class LogContextFilter {

    public static final String ROUTE = "route";
    public static final String WORKSPACE = "workspaceId";
    private static final Pattern WORKSPACE_ID = Pattern.compile("ws_[0-9a-z]{20}");

    /** First of all filters, so a request refused by authentication or the rate limit is named too. */
    @ServerRequestFilter(priority = 10, nonBlocking = true)
    public void name(ResourceInfo resource, RoutingContext context) {
        ApiRoute route = resource.getResourceMethod() == null ? null : ApiRoute.of(resource.getResourceMethod()).orElse(null);
        RequestTarget target = RequestTarget.of(context);
        if (route == null || target == null) {
            return;
        }
        MDC.put(ROUTE, route.label());
        String workspace = route.workspaceOf(target);
        if (workspace != null && WORKSPACE_ID.matcher(workspace).matches()) {
            MDC.put(WORKSPACE, workspace);
        }
    }
}
