package dev.datastores.transfer;

import dev.datastores.auth.AuthFilter;
import dev.datastores.auth.Scope;
import dev.datastores.transfer.ExportJobService.ExportRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;

/** Export jobs: a store pushed to another service in acknowledged chunks. */
@Path("/v1/workspaces/{ws}/stores/{ds}/exports")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ExportJobResource {

    private final ExportJobService exports;

    public ExportJobResource(ExportJobService exports) {
        this.exports = exports;
    }

    @POST
    public Uni<Response> start(@RestPath String ws, @RestPath String ds, ExportRequest request, RoutingContext routing) {
        if (request != null && Boolean.TRUE.equals(request.deleteAfterExport())) {
            AuthFilter.requireScope(routing, Scope.WRITE, "deleteAfterExport (it deletes the records it sent)");
        }
        return exports.start(ws, ds, request).map(job -> Response.accepted(job)
                .location(URI.create("/v1/workspaces/" + ws + "/stores/" + ds + "/exports/" + job.id())).build());
    }

    @GET
    public Uni<Map<String, List<ExportJob>>> recent(@RestPath String ws, @RestPath String ds) {
        return exports.recent(ws, ds).map(jobs -> Map.of("exports", jobs));
    }

    @GET
    @Path("{job}")
    public Uni<ExportJob> get(@RestPath String ws, @RestPath String ds, @RestPath String job) {
        return exports.get(ws, ds, job);
    }
}
