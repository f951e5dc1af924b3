package dev.datastores.tenant;

import dev.datastores.domain.DomainException.NotFound;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The plan of a workspace on the hot path, cached for a second so a plan change applies everywhere within one. */
@ApplicationScoped
public class PlanDirectory {

    private final TenantStorage tenants;

    public PlanDirectory(TenantStorage tenants) {
        this.tenants = tenants;
    }

    /** The workspace's plan; fails with not-found when there is no such workspace. */
    @CacheResult(cacheName = "workspace-plans")
    public Uni<Plan> planOf(String workspaceId) {
        return tenants.planOf(workspaceId).onItem().ifNull().failWith(() -> new NotFound("Workspace " + workspaceId));
    }
}
