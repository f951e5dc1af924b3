package dev.datastores.change;

import dev.datastores.record.RecordResource;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Opens the watch of an event stream before the stream starts: once a resource method returns a stream of events its
 * answer is a 200, so whatever refuses the watch (no such store, a position the history no longer reaches, the plan's
 * limit) must fail here, where it still becomes its problem document.
 */
public class WatchOpeningFilter {

    static final String WATCH = WatchOpeningFilter.class.getName() + ".watch";

    /** Marks the resource method whose watch this filter opens: the filter runs for it alone (a name binding). */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @interface OpensWatch {
    }

    private final ChangeService changes;

    public WatchOpeningFilter(ChangeService changes) {
        this.changes = changes;
    }

    @OpensWatch
    @ServerRequestFilter(priority = 1000, nonBlocking = true)
    public Uni<Void> open(ContainerRequestContext request) {
        var path = request.getUriInfo().getPathParameters();
        var query = request.getUriInfo().getQueryParameters();
        String lastEventId = request.getHeaderString("Last-Event-ID");
        Long since = lastEventId != null ? Positions.parse(lastEventId, "Last-Event-ID")
                : Positions.parse(query.getFirst("since"), "since");
        return changes.watch(path.getFirst("ws"), path.getFirst("ds"), since, ChangeResource.requirePrefix(query.getFirst("prefix")),
                        RecordResource.parseValues(query.getFirst("values")))
                .invoke(watch -> request.setProperty(WATCH, watch)).replaceWithVoid();
    }
}
