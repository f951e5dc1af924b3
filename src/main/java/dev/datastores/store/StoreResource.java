package dev.datastores.store;

import dev.datastores.http.ProblemMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** Stores of a workspace and their links. */
@Path("/v1/workspaces/{ws}/stores")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class StoreResource {

    private final StoreService stores;

    public StoreResource(StoreService stores) {
        this.stores = stores;
    }

    @POST
    public Uni<RestResponse<StoreView>> create(@RestPath String ws, NameRequest request) {
        return stores.create(ws, request == null ? null : request.name())
                .map(store -> RestResponse.status(Response.Status.CREATED, store));
    }

    @GET
    public Uni<Map<String, List<StoreView>>> list(@RestPath String ws) {
        return stores.list(ws).map(list -> Map.of("stores", list));
    }

    @GET
    @Path("{ds}")
    public Uni<StoreView> get(@RestPath String ws, @RestPath String ds) {
        return stores.get(ws, ds);
    }

    @PATCH
    @Path("{ds}")
    public Uni<StoreView> rename(@RestPath String ws, @RestPath String ds, NameRequest request) {
        return stores.rename(ws, ds, request == null ? null : request.name());
    }

    @DELETE
    @Path("{ds}")
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    public Uni<Void> delete(@RestPath String ws, @RestPath String ds) {
        return stores.delete(ws, ds);
    }

    @GET
    @Path("{ds}/links")
    public Uni<Map<String, List<LinkView>>> links(@RestPath String ws, @RestPath String ds) {
        return stores.links(ws, ds).map(links -> Map.of("links", links));
    }

    @PUT
    @Path("{ds}/links/{link}")
    public Uni<RestResponse<LinkView>> putLink(@RestPath String ws, @RestPath String ds, @RestPath String link,
            LinkRequest request) {
        LinkRequest body = request == null ? new LinkRequest(null, null) : request;
        return stores.putLink(ws, ds, link, body.name(), body.kind())
                .map(put -> RestResponse.status(put.created() ? Response.Status.CREATED : Response.Status.OK, put.link()));
    }

    @DELETE
    @Path("{ds}/links/{link}")
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    public Uni<Void> deleteLink(@RestPath String ws, @RestPath String ds, @RestPath String link) {
        return stores.deleteLink(ws, ds, link);
    }

    /** Body of store creation and rename. */
    public record NameRequest(String name) {
    }

    /** Body of a link. */
    public record LinkRequest(String name, String kind) {
    }
}
