package dev.datastores.workspace;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

/** A workspace seen by its own keys: its plan and usage. */
@Path("/v1/workspaces/{ws}")
@Produces(MediaType.APPLICATION_JSON)
public class WorkspaceResource {

    private final WorkspaceService workspaces;

    public WorkspaceResource(WorkspaceService workspaces) {
        this.workspaces = workspaces;
    }

    @GET
    public Uni<WorkspaceView> get(@RestPath String ws) {
        return workspaces.get(ws);
    }
}
