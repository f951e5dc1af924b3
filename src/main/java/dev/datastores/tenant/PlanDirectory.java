package dev.datastores.tenant;

import dev.datastores.domain.DomainException.NotFound;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The plan of a workspace on the hot path, cached for a second. A change made through this replica applies to its
 * next request (the change forgets what it changed); other replicas see it within the second.
 */
@ApplicationScoped
public class PlanDirectory {

    private final TenantStorage tenants;
    private final Cache plans;

    public PlanDirectory(TenantStorage tenants, @CacheName("workspace-plans") Cache plans) {
        this.tenants = tenants;
        this.plans = plans;
    }

    /** The workspace's plan; fails with not-found when there is no such workspace. */
    @CacheResult(cacheName = "workspace-plans")
    public Uni<Plan> planOf(String workspaceId) {
        return tenants.planOf(workspaceId).onItem().ifNull().failWith(() -> new NotFound("Workspace " + workspaceId));
    }

    /** Forgets the workspace's plan: it moved to another plan, or was deleted. */
    public Uni<Void> forget(String workspaceId) {
        return plans.invalidate(workspaceId);
    }

    /** Forgets every workspace's plan: a plan's limits changed, and any workspace may be on it. */
    public Uni<Void> forgetAll() {
        return plans.invalidateAll();
    }
}
