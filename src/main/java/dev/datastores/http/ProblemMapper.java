package dev.datastores.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.domain.DomainException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.smallrye.mutiny.CompositeException;
import io.netty.channel.unix.Errors;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import jakarta.inject.Singleton;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.JDBCException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where failures become problem documents: typed problems, framework errors, and bugs. */
@Singleton
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";
    /** The routing context entry that holds the problem a request was answered with, for its metrics. */
    public static final String PROBLEM = "datastores.problem";
    private static final String TYPE_BASE = "https://datastores.dev/problems/";
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private static final String NUL_IN_TEXT = "22021";
    private static final String FOREIGN_KEY_VIOLATION = "23503";
    /**
     * SQLSTATEs of a server that is going away or not there yet: class 08 (connection exception), 57P01-57P03
     * (admin or crash shutdown, cannot connect now) and 53300 (too many connections). Retrying helps; nothing
     * about the request was wrong.
     */
    private static final List<String> UNREACHABLE_STATES = List.of("08", "57P01", "57P02", "57P03", "53300");
    private static final long UNREACHABLE_LOG_EVERY_MILLIS = 10_000;
    private static final Map<Integer, String> FRAMEWORK_SLUGS = Map.of(
            400, "invalid-request",
            401, "unauthorized",
            403, "forbidden",
            404, "not-found",
            405, "method-not-allowed",
            406, "not-acceptable",
            413, "payload-too-large",
            415, "unsupported-media-type");

    private final ObjectMapper json;
    private volatile long unreachableLoggedAt;

    public ProblemMapper(ObjectMapper json) {
        this.json = json;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException problem, RoutingContext context) {
        context.put(PROBLEM, problem);
        return problem(problem, context.request());
    }

    @ServerExceptionMapper
    public Response refused(DomainException failure, RoutingContext context) {
        return problem(Problems.of(failure), context);
    }

    private Response problem(ProblemException problem, HttpServerRequest request) {
        Response.ResponseBuilder response = respond(problem, request.path());
        problem.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException failure, HttpServerRequest request) {
        return unreadableBody(failure, request);
    }

    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException failure, HttpServerRequest request) {
        ProblemException problem;
        if (failure instanceof MismatchedInputException mismatch && !isSecondValue(mismatch)) {
            problem = Problems.invalidRequest("The body does not have the expected shape: " + describe(mismatch));
        } else if (failure instanceof InputCoercionException || failure.getCause() instanceof InputCoercionException) {
            // Well-formed JSON, but a number out of the member's range (an integer of 20 digits for an int).
            problem = Problems.invalidRequest("A number is out of range" + location(failure));
        } else if (failure instanceof MismatchedInputException) {
            // Jackson's own message names the Java class the body was bound to.
            problem = Problems.invalidJson("More than one JSON value in the body" + location(failure));
        } else {
            problem = Problems.invalidJson(failure);
        }
        return respond(problem, request.path()).build();
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException failure, HttpServerRequest request) {
        if (failure.getCause() instanceof JsonProcessingException cause) {
            return unreadableBody(cause, request);
        }
        Response.ResponseBuilder response = respond(forStatus(failure.getResponse().getStatus()), request.path());
        String allow = failure.getResponse().getHeaderString("Allow");
        if (allow != null) {
            response.header("Allow", allow);
        }
        return response.build();
    }

    /** The problem for a status that Quarkus or the router produced without one of ours. */
    static ProblemException forStatus(int status) {
        if (status == 404) {
            return Problems.noSuchRoute();
        }
        String slug = FRAMEWORK_SLUGS.getOrDefault(status, status >= 500 ? "internal" : "invalid-request");
        String title = Response.Status.fromStatusCode(status) == null ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase();
        return new ProblemException(status, slug, title, title);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable failure, HttpServerRequest request) {
        if (hasSqlState(failure, NUL_IN_TEXT)) {
            return respond(Problems.invalidRequest("Text in the request (an id, a name) contains a NUL character"),
                    request.path()).build();
        }
        if (hasSqlState(failure, FOREIGN_KEY_VIOLATION)) {
            // Every foreign key names a workspace or a store (plans are never deleted): what the request wrote into
            // was deleted while it ran, and is as absent as if it had never existed.
            return respond(Problems.notFound("The workspace or store"), request.path()).build();
        }
        if (isDatabaseUnreachable(failure)) {
            logUnreachable(failure);
            return problem(Problems.unavailable("The database"), request);
        }
        LOG.errorf(failure, "Unhandled failure on %s %s", request.method(), request.path());
        return respond(new ProblemException(500, "internal", "Internal error", "The server failed; the failure was logged"),
                request.path()).build();
    }

    private Response.ResponseBuilder respond(ProblemException problem, String instance) {
        return Response.status(problem.status()).type(PROBLEM_JSON).entity(body(problem, instance));
    }

    /** Serialises a problem; used also by code that answers outside JAX-RS (filters on the HTTP layer). */
    public String body(ProblemException problem, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + problem.slug());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.getMessage());
        body.put("instance", instance);
        body.putAll(problem.extensions());
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * A PostgreSQL error, seen directly or through Hibernate. PostgreSQL refuses NUL in text (SQLSTATE 22021): ids,
     * names and query values reach it unchecked in many places; all of them are malformed input, not a failure of
     * the server.
     */
    private static boolean hasSqlState(Throwable failure, String sqlState) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PgException pg && sqlState.equals(pg.getSqlState())
                    || cause instanceof JDBCException hibernate && sqlState.equals(hibernate.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * PostgreSQL down, restarting or refusing connections: the pool could not connect, a connection was reset or
     * closed under a statement (a SocketException, or a NativeIoException on the native epoll transport), or the
     * server said it is shutting down. The pool drops such connections and opens new ones when the server is back,
     * so these answer 503 rather than 500.
     */
    private static boolean isDatabaseUnreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CompositeException composite) {
                return composite.getCauses().stream().anyMatch(ProblemMapper::isDatabaseUnreachable);
            }
            if (cause instanceof SocketException || cause instanceof Errors.NativeIoException
                    || cause instanceof ClosedConnectionException
                    || cause instanceof PgException pg && isUnreachableState(pg.getSqlState())
                    || cause instanceof JDBCException hibernate && isUnreachableState(hibernate.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUnreachableState(String sqlState) {
        return sqlState != null && UNREACHABLE_STATES.stream().anyMatch(sqlState::startsWith);
    }

    /** One line now and then: during an outage every request fails alike, and readiness already reports it. */
    private void logUnreachable(Throwable failure) {
        long now = System.currentTimeMillis();
        if (now - unreachableLoggedAt >= UNREACHABLE_LOG_EVERY_MILLIS) {
            unreachableLoggedAt = now;
            LOG.warnf("PostgreSQL unreachable, answering 503 unavailable: %s", failure.toString());
        }
    }

    /** Jackson reports data after the first value (FAIL_ON_TRAILING_TOKENS) as a mismatch, but it is not one JSON value. */
    private static boolean isSecondValue(MismatchedInputException mismatch) {
        return mismatch.getOriginalMessage() != null && mismatch.getOriginalMessage().startsWith("Trailing token");
    }

    private static String describe(MismatchedInputException mismatch) {
        String path = mismatch.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse("body");
        return path + " has the wrong type";
    }

    private static String location(JsonProcessingException failure) {
        return failure.getLocation() == null ? ""
                : " (line " + failure.getLocation().getLineNr() + ", column " + failure.getLocation().getColumnNr() + ")";
    }
}
