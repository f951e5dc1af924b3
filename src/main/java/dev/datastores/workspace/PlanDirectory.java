package dev.datastores.workspace;

import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The plan of a workspace on the hot path, cached for a second so a plan change applies everywhere within one. */
@ApplicationScoped
public class PlanDirectory {

    private final WorkspaceService workspaces;

    public PlanDirectory(WorkspaceService workspaces) {
        this.workspaces = workspaces;
    }

    @CacheResult(cacheName = "workspace-plans")
    public Uni<Plan> planOf(String workspaceId) {
        return workspaces.planOf(workspaceId);
    }
}
