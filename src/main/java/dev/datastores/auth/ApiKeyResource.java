package dev.datastores.auth;

import dev.datastores.auth.ApiKeyService.ApiKeyView;
import dev.datastores.auth.ApiKeyService.CreatedApiKey;
import dev.datastores.auth.ApiKeyService.KeyRequest;
import dev.datastores.http.ProblemMapper;
import dev.datastores.http.Problems;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** A workspace's API keys, managed with one of its manage-scoped keys. */
@Path("/v1/workspaces/{ws}/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    private final ApiKeyService keys;

    public ApiKeyResource(ApiKeyService keys) {
        this.keys = keys;
    }

    @POST
    public Uni<RestResponse<CreatedApiKey>> create(@RestPath String ws, KeyRequest request, RoutingContext routing) {
        if (request != null && request.scopes() != null) {
            Set<Scope> granted = AuthFilter.callerOf(routing).scopes();
            if (!granted.containsAll(Scope.parse(request.scopes()))) {
                throw Problems.forbidden("A key can only create keys with scopes it holds itself ("
                        + String.join(", ", Scope.wireNames(granted)) + ")");
            }
        }
        return keys.create(ws, request).map(key -> RestResponse.status(Response.Status.CREATED, key));
    }

    @GET
    public Uni<Map<String, List<ApiKeyView>>> list(@RestPath String ws) {
        return keys.list(ws).map(list -> Map.of("keys", list));
    }

    @DELETE
    @Path("{key}")
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    public Uni<Void> revoke(@RestPath String ws, @RestPath String key) {
        return keys.revoke(ws, key);
    }

}
