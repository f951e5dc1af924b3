package dev.datastores.ops;

import dev.datastores.http.ApiRoute;
import dev.datastores.http.ProblemException;
import dev.datastores.http.ProblemMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every request of the API: names its route and workspace for the logs (MDC {@code route}, {@code workspaceId},
 * beside the trace's {@code traceId}), and counts it by operation and outcome in {@code datastores_operations_total}.
 * Tags are a route's name, an outcome and, for quota refusals, the plan limit: never a key, an id or a status code.
 */
@Singleton
public class RequestTelemetryFilter {

    public static final String ROUTE = "route";
    public static final String WORKSPACE = "workspaceId";
    private static final String OPERATION = "datastores.operation";

    private final MeterRegistry registry;
    /** One counter per route and outcome, made on first use so unused pairs export nothing. */
    private final Counter[][] counters = new Counter[ApiRoute.values().length][Outcome.values().length];
    private final Map<String, Counter> quotaRefusals = new ConcurrentHashMap<>();

    public RequestTelemetryFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    /** First of all filters, so a request refused by authentication or the rate limit is named and counted too. */
    @ServerRequestFilter(priority = 10, nonBlocking = true)
    public void name(ContainerRequestContext request, ResourceInfo resource) {
        ApiRoute route = resource.getResourceMethod() == null ? null : ApiRoute.of(resource.getResourceMethod()).orElse(null);
        if (route == null) {
            return;
        }
        request.setProperty(OPERATION, route);
        MDC.put(ROUTE, route.method() + " " + route.template());
        String workspace = request.getUriInfo().getPathParameters().getFirst("ws");
        if (workspace != null) {
            MDC.put(WORKSPACE, workspace);
        }
    }

    @ServerResponseFilter
    public void count(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(OPERATION) instanceof ApiRoute route)) {
            return;
        }
        ProblemException problem = request.getProperty(ProblemMapper.PROBLEM) instanceof ProblemException answered ? answered : null;
        Outcome outcome = Outcome.of(response.getStatus(), problem == null ? "" : problem.slug());
        if (outcome == Outcome.QUOTA_EXCEEDED) {
            String limit = Outcome.limitOf(problem.slug(), problem.extensions().get("limit"));
            quotaRefusals.computeIfAbsent(route.name() + "/" + limit, ignored -> counter(route, outcome, limit)).increment();
            return;
        }
        Counter counter = counters[route.ordinal()][outcome.ordinal()];
        if (counter == null) {
            // two requests may both get here first: the registry hands both the same counter
            counter = counter(route, outcome, Outcome.NO_LIMIT);
            counters[route.ordinal()][outcome.ordinal()] = counter;
        }
        counter.increment();
    }

    private Counter counter(ApiRoute route, Outcome outcome, String limit) {
        return Counter.builder("datastores.operations")
                .description("API requests by operation and outcome; limit names the plan limit of a quota refusal")
                .tag("operation", Operation.of(route))
                .tag("outcome", outcome.tag())
                .tag("limit", limit)
                .register(registry);
    }
}
