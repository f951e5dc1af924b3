package dev.datastores.ops;

import dev.datastores.http.ApiRoute;
import dev.datastores.http.ProblemException;
import dev.datastores.http.ProblemMapper;
import dev.datastores.http.RequestTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every request, counted once when its answer starts, whichever layer gave it (the router, a body limit, a
 * resource, a stream):
 * <ul>
 * <li>{@code http_server_requests_seconds} by route template, method and status, in place of Quarkus' HTTP server
 * binder, which labels a request refused before routing (a 405, a malformed path) with its raw path: a key, a
 * workspace id or any text a client sends became a label, and enough distinct paths filled its cap of URIs so that
 * later routes went unrecorded. Here every label is from a fixed set: a path of the route table, {@code NOT_FOUND}
 * for a path nothing has, {@code STATIC} for the dashboard's files, {@code UNMATCHED} for a target too malformed to
 * name one, and a method outside HTTP's own is {@code OTHER}. Quarkus' endpoints under {@code /q} are not recorded (as Quarkus does by default).</li>
 * <li>{@code datastores_operations_total} by operation and outcome (and the plan limit of a quota refusal), for
 * requests of a route of the API.</li>
 * </ul>
 */
@ApplicationScoped
public class RequestTelemetryFilter {

    private static final String NOT_FOUND = "NOT_FOUND";
    private static final String UNMATCHED = "UNMATCHED";
    private static final String OTHER_METHOD = "OTHER";
    /** A path outside the API that something answered: the dashboard's files. */
    private static final String STATIC = "STATIC";
    private static final int CLIENT_CLOSED = 499;
    private static final int HTTP_VERSION_NOT_SUPPORTED = 505;
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
            "CONNECT");
    private static final String STARTED = "datastores.request-started";
    private static final String RECORDED = "datastores.request-recorded";

    private final MeterRegistry registry;
    /** Timers by label set, made on first use: a bounded set of uris × methods × statuses. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** One counter per route and outcome, made on first use so unused pairs export nothing. */
    private final Counter[][] operations = new Counter[ApiRoute.values().length][Outcome.values().length];
    private final Map<String, Counter> quotaRefusals = new ConcurrentHashMap<>();

    public RequestTelemetryFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::start);
    }

    private void start(RoutingContext context) {
        // a rerouted request passes here twice; it is one request
        if (context.get(STARTED) == null && !context.request().path().startsWith("/q/")) {
            context.put(STARTED, System.nanoTime());
            context.addHeadersEndHandler(headers -> recordOnce(context, context.response().getStatusCode()));
            context.addEndHandler(ended -> recordOnce(context, context.response().headWritten()
                    ? context.response().getStatusCode() : CLIENT_CLOSED));
        }
        context.next();
    }

    /**
     * When the answer's head is written: a client that has the answer finds it counted, and a stream (an export, a
     * watch) counts when it starts, its duration the time to its first byte. A request whose client closed the
     * connection before any answer counts when it ends, with status 499 (as nginx names it), not as the 200 the
     * response was still set to.
     */
    private void recordOnce(RoutingContext context, int status) {
        if (context.get(RECORDED) == null) {
            context.put(RECORDED, Boolean.TRUE);
            record(context, status, System.nanoTime() - context.<Long>get(STARTED));
        }
    }

    private void record(RoutingContext context, int status, long nanos) {
        String method = context.request().method().name();
        RequestTarget target = RequestTarget.of(context);
        ApiRoute route = target == null ? null : ApiRoute.serving(method, target).orElse(null);
        String uri = route != null ? route.template()
                : target == null ? UNMATCHED : ApiRoute.templateOf(target).orElse(status == 404 ? NOT_FOUND : STATIC);
        String methodTag = METHODS.contains(method) ? method : OTHER_METHOD;
        timers.computeIfAbsent(uri + ' ' + methodTag + ' ' + status, ignored -> Timer.builder("http.server.requests")
                        .description("HTTP requests by route template, method and status")
                        .tag("uri", uri)
                        .tag("method", methodTag)
                        .tag("status", Integer.toString(status))
                        .tag("outcome", httpOutcome(status))
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (route != null) {
            count(route, status, context.get(ProblemMapper.PROBLEM));
        }
    }

    /**
     * Micrometer's outcome of a status, but for 505 and 499: a request line with an HTTP version nobody speaks, and a
     * client that went away, are the client's doing, and the 5xx alert is about the service's.
     */
    private static String httpOutcome(int status) {
        return status == HTTP_VERSION_NOT_SUPPORTED || status == CLIENT_CLOSED ? "CLIENT_ERROR"
                : io.micrometer.core.instrument.binder.http.Outcome.forStatus(status).name();
    }

    private void count(ApiRoute route, int status, ProblemException problem) {
        Outcome outcome = Outcome.of(status, problem == null ? "" : problem.slug());
        if (outcome == Outcome.QUOTA_EXCEEDED) {
            String limit = Outcome.limitOf(problem.slug(), problem.extensions().get("limit"));
            quotaRefusals.computeIfAbsent(route.name() + "/" + limit, ignored -> counter(route, outcome, limit)).increment();
            return;
        }
        Counter counter = operations[route.ordinal()][outcome.ordinal()];
        if (counter == null) {
            // two requests may both get here first: the registry hands both the same counter
            counter = counter(route, outcome, Outcome.NO_LIMIT);
            operations[route.ordinal()][outcome.ordinal()] = counter;
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
