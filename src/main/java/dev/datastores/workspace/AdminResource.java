package dev.datastores.workspace;

import dev.datastores.auth.ApiKeyService.CreatedApiKey;
import dev.datastores.auth.ApiKeyService;
import dev.datastores.auth.ApiKeyService.KeyRequest;
import dev.datastores.http.ProblemMapper;
import dev.datastores.tenant.Plan.PlanView;
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

/** The operator API: plans, workspaces and their first keys. The operator token guards all of it (see AuthFilter). */
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final WorkspaceService workspaces;
    private final ApiKeyService keys;

    public AdminResource(WorkspaceService workspaces, ApiKeyService keys) {
        this.workspaces = workspaces;
        this.keys = keys;
    }

    @GET
    @Path("plans")
    public Uni<Map<String, List<PlanView>>> plans() {
        return workspaces.plans().map(plans -> Map.of("plans", plans));
    }

    @PUT
    @Path("plans/{plan}")
    public Uni<RestResponse<PlanView>> putPlan(@RestPath String plan, PlanView limits) {
        return workspaces.putPlan(plan, limits)
                .map(result -> RestResponse.status(result.created() ? Response.Status.CREATED : Response.Status.OK,
                        result.value()));
    }

    @POST
    @Path("workspaces")
    public Uni<RestResponse<WorkspaceView>> create(WorkspaceRequest request) {
        WorkspaceRequest body = request == null ? new WorkspaceRequest(null, null) : request;
        return workspaces.create(body.name(), body.plan()).map(ws -> RestResponse.status(Response.Status.CREATED, ws));
    }

    @GET
    @Path("workspaces/{ws}")
    public Uni<WorkspaceView> get(@RestPath String ws) {
        return workspaces.get(ws);
    }

    @PATCH
    @Path("workspaces/{ws}")
    public Uni<WorkspaceView> update(@RestPath String ws, WorkspaceRequest request) {
        WorkspaceRequest body = request == null ? new WorkspaceRequest(null, null) : request;
        return workspaces.update(ws, body.name(), body.plan());
    }

    @DELETE
    @Path("workspaces/{ws}")
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    public Uni<Void> delete(@RestPath String ws) {
        return workspaces.delete(ws);
    }

    @POST
    @Path("workspaces/{ws}/api-keys")
    public Uni<RestResponse<CreatedApiKey>> createKey(@RestPath String ws, KeyRequest request) {
        return keys.create(ws, request).map(key -> RestResponse.status(Response.Status.CREATED, key));
    }

    /** Body of workspace creation and update. */
    public record WorkspaceRequest(String name, String plan) {
    }
}
