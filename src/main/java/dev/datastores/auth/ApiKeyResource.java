package dev.datastores.auth;

import dev.datastores.auth.ApiKey.ApiKeyView;
import dev.datastores.auth.ApiKey.CreatedApiKey;
import dev.datastores.auth.ApiKeyService.KeyRequest;
import dev.datastores.http.ProblemMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
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
    @RequiresScope(Scope.MANAGE)
    public Uni<RestResponse<CreatedApiKey>> create(@RestPath String ws, KeyRequest request) {
        return keys.create(ws, request);
    }

    @GET
    @RequiresScope(Scope.MANAGE)
    public Uni<Map<String, List<ApiKeyView>>> list(@RestPath String ws) {
        return keys.list(ws).map(list -> Map.of("keys", list));
    }

    @DELETE
    @Path("{key}")
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    @RequiresScope(Scope.MANAGE)
    public Uni<Void> revoke(@RestPath String ws, @RestPath String key) {
        return keys.revoke(ws, key);
    }

}
