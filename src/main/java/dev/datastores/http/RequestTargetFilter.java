package dev.datastores.http;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;

/**
 * The first look at every request, before anything routes it: the HTTP version, the size of the request line and
 * headers, and the one parse of the request target ({@link RequestTarget}) that routing and record keys share. A
 * method the path does not have answers 405 with {@code Allow}. Whatever fails here, or in the router itself,
 * answers with a problem document.
 */
@ApplicationScoped
public class RequestTargetFilter {

    /** A request target of this many characters fits any key (512 bytes, percent-encoded thrice over) and a query. */
    static final int MAX_TARGET_LENGTH = 8 * 1024;
    /** All header lines together; the HTTP codec's own limit (quarkus.http.limits) is set above it. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Failures the router answers itself when no route handled them (a malformed path, an unmatched request). */
    private static final List<Integer> ROUTER_FAILURES = List.of(400, 404, 405, 413, 414, 415, 431, 500, 501, 503);

    private final ProblemMapper problems;

    public RequestTargetFilter(ProblemMapper problems) {
        this.problems = problems;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::filter);
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).failureHandler(this::failedBeforeParse);
        for (int status : ROUTER_FAILURES) {
            router.errorHandler(status, context -> answer(context, explain(context, status)));
        }
    }

    private void filter(RoutingContext context) {
        if (RequestTarget.of(context) != null) {
            context.next();
            return;
        }
        HttpServerRequest request = context.request();
        RequestTarget target;
        try {
            target = check(request);
        } catch (ProblemException problem) {
            answer(context, problem);
            return;
        }
        target.attachTo(context);
        if (!ApiRoute.allows(request.method().name(), target)) {
            answer(context, Problems.methodNotAllowed(request.method().name(), ApiRoute.methodsFor(target)));
            return;
        }
        if (target.needsRerouting()) {
            String query = request.query();
            context.reroute(request.method(), target.routingPath() + (query == null ? "" : "?" + query));
            return;
        }
        context.next();
    }

    /**
     * A request the router's own routes failed before this filter parsed it (a target they cannot normalise, a
     * missing Host): the problem that check finds, instead of the framework's error page. Later failures belong to
     * the routes that made them.
     */
    private void failedBeforeParse(RoutingContext context) {
        if (RequestTarget.of(context) != null) {
            context.next();
            return;
        }
        answer(context, explain(context, 400));
    }

    /**
     * A route that matches on paths fails a target it cannot normalise before this filter's turn: say what is wrong
     * with the target when that is why.
     */
    private static ProblemException explain(RoutingContext context, int status) {
        if (status == 400 && RequestTarget.of(context) == null) {
            try {
                check(context.request());
            } catch (ProblemException problem) {
                return problem;
            }
        }
        return ProblemMapper.forStatus(status);
    }

    private static RequestTarget check(HttpServerRequest request) {
        if (request.version() == null) {
            throw Problems.httpVersionNotSupported();
        }
        if (request.uri().length() > MAX_TARGET_LENGTH) {
            throw Problems.uriTooLong(MAX_TARGET_LENGTH);
        }
        if (headerBytes(request) > MAX_HEADER_BYTES) {
            throw Problems.headersTooLarge(MAX_HEADER_BYTES);
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && !MediaTypes.isWellFormed(contentType)) {
            throw Problems.unsupportedMediaType(contentType);
        }
        if (request.version() == HttpVersion.HTTP_1_1 && request.getHeader(HttpHeaders.HOST) == null) {
            throw Problems.invalidRequest("An HTTP/1.1 request needs a Host header (RFC 9112, 3.2)");
        }
        RequestTarget.requireUri(request.uri());
        RequestTarget target = RequestTarget.parse(request.path());
        RequestTarget.requireWellFormedQuery(request.query());
        return target;
    }

    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    private void answer(RoutingContext context, ProblemException problem) {
        if (context.response().ended() || context.response().headWritten()) {
            return;
        }
        RequestTarget target = RequestTarget.of(context);
        String instance = target == null ? context.request().path() : target.rawPath();
        context.response().setStatusCode(problem.status());
        problem.headers().forEach(context.response()::putHeader);
        if (problem.status() == 505 || problem.status() == 414 || problem.status() == 431) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        if (context.request().method().name().equals("HEAD")) {
            context.response().end();
            return;
        }
        context.response().putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                .end(problems.body(problem, instance == null ? "" : instance));
    }
}
