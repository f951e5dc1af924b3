package dev.datastores.change;

import dev.datastores.change.ChangeService.Streamed;
import dev.datastores.domain.DomainException;
import dev.datastores.record.Keys;
import dev.datastores.record.RecordResource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** A store's changes: as Server-Sent Events, or as a long poll. */
@Path("/v1/workspaces/{ws}/stores/{ds}/changes")
public class ChangeResource {

    private static final int MAX_WAIT_SECONDS = 60;
    private static final MediaType PROBLEM_JSON = MediaType.valueOf("application/problem+json");
    private static final int DEFAULT_WAIT_SECONDS = 30;

    private final ChangeService changes;

    public ChangeResource(ChangeService changes) {
        this.changes = changes;
    }

    /**
     * SSE. The watch was opened by {@link WatchOpeningFilter} from the same parameters (a resume names its position in
     * Last-Event-ID, what EventSource sends when it reconnects, else in since); they are declared here for the contract.
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @WatchOpeningFilter.OpensWatch
    public Multi<OutboundSseEvent> stream(@RestPath String ws, @RestPath String ds, @RestQuery String since,
            @RestHeader("Last-Event-ID") String lastEventId, @RestQuery String prefix, @RestQuery String values,
            @Context ContainerRequestContext request, @Context Sse sse) {
        ChangeService.Watch watch = (ChangeService.Watch) request.getProperty(WatchOpeningFilter.WATCH);
        return watch.stream().map(streamed -> toSse(sse, streamed, watch.values()));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> poll(@RestPath String ws, @RestPath String ds, @RestQuery String since, @RestQuery String prefix,
            @RestQuery String values, @RestQuery String wait, @Context HttpHeaders headers) {
        // Of the route's two answers Quarkus picks this one for an Accept that admits neither (text/html, say)
        if (headers.getAcceptableMediaTypes().stream().noneMatch(ChangeResource::admitsJson)) {
            throw new NotAcceptableException();
        }
        Long from = Positions.parse(since, "since");
        Duration waiting = Duration.ofSeconds(waitSeconds(wait));
        boolean withValues = RecordResource.parseValues(values);
        return changes.watch(ws, ds, from, requirePrefix(prefix), withValues)
                .chain(watch -> watch.poll(waiting))
                .map(polled -> Response.ok(render(polled, withValues), MediaType.APPLICATION_JSON_TYPE).build());
    }

    private static boolean admitsJson(MediaType accepted) {
        return accepted.isCompatible(MediaType.APPLICATION_JSON_TYPE) || accepted.isCompatible(PROBLEM_JSON);
    }

    private static OutboundSseEvent toSse(Sse sse, Streamed streamed, boolean values) {
        if (streamed instanceof Streamed.Event event) {
            Change change = event.event().change();
            return sse.newEventBuilder().id(Positions.format(change.position())).name(change.kind().wireName())
                    .data(String.class, "{" + event.event().members(values) + "}").build();
        }
        return sse.newEventBuilder().comment("keep-alive").build();
    }

    private static String render(ChangeService.Polled polled, boolean values) {
        StringBuilder json = new StringBuilder(64 + polled.changes().size() * 128).append("{\"changes\":[");
        for (int i = 0; i < polled.changes().size(); i++) {
            ChangeEvent event = polled.changes().get(i);
            String members = event.members(values);
            json.append(i == 0 ? "" : ",").append("{\"position\":\"").append(Positions.format(event.position()))
                    .append("\",\"type\":\"").append(event.change().kind().wireName()).append('"')
                    .append(members.isEmpty() ? "" : ",").append(members).append('}');
        }
        return json.append("],\"next\":\"").append(Positions.format(polled.next())).append("\"}").toString();
    }

    static String requirePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        return Keys.require(prefix);
    }

    private static int waitSeconds(String wait) {
        if (wait == null) {
            return DEFAULT_WAIT_SECONDS;
        }
        if (!wait.matches("[0-9]{1,2}") || Integer.parseInt(wait) < 1 || Integer.parseInt(wait) > MAX_WAIT_SECONDS) {
            throw DomainException.invalidRequest("wait must be a number of seconds from 1 to " + MAX_WAIT_SECONDS);
        }
        return Integer.parseInt(wait);
    }
}
