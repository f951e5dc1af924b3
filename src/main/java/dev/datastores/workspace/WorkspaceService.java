package dev.datastores.workspace;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.quota.QuotaService;
import dev.datastores.tenant.Ids;
import dev.datastores.tenant.Plan;
import dev.datastores.tenant.PlanDirectory;
import dev.datastores.tenant.Plan.PlanView;
import dev.datastores.tenant.TenantStorage;
import dev.datastores.tenant.Workspace;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Plans and workspaces: the operator's side of tenancy. */
@ApplicationScoped
public class WorkspaceService {

    private static final String DEFAULT_PLAN = "free";

    private final QuotaService quota;
    private final TenantStorage tenants;
    private final PlanDirectory plans;

    public WorkspaceService(QuotaService quota, TenantStorage tenants, PlanDirectory plans) {
        this.quota = quota;
        this.tenants = tenants;
        this.plans = plans;
    }

    public Uni<List<PlanView>> plans() {
        return tenants.plans().map(plans -> plans.stream().map(Plan::view).toList());
    }

    /** Creates or replaces a plan; true when it was created. */
    public Uni<Created<PlanView>> putPlan(String name, PlanView limits) {
        requirePlanLimits(name, limits);
        Plan plan = Plan.of(name, limits);
        return tenants.putPlan(plan).call(plans::forgetAll).map(created -> new Created<>(plan.view(), created));
    }

    public Uni<WorkspaceView> create(String name, String planName) {
        String workspaceName = requireName(name);
        String plan = planName == null ? DEFAULT_PLAN : planName;
        return tenants.createWorkspace(Ids.next("ws_"), workspaceName, plan)
                .onItem().ifNull().failWith(() -> noSuchPlan(plan))
                .chain(created -> view(created.workspace(), created.plan()));
    }

    public Uni<WorkspaceView> get(String id) {
        return tenants.workspace(id).onItem().ifNull().failWith(() -> noSuchWorkspace(id))
                .chain(found -> view(found.workspace(), found.plan()));
    }

    /** Two updates sent together take turns, so neither undoes the other's change. */
    public Uni<WorkspaceView> update(String id, String name, String planName) {
        String newName = name == null ? null : requireName(name);
        return tenants.updateWorkspace(id, newName, planName).onItem().ifNull().failWith(() -> noSuchWorkspace(id))
                .call(() -> plans.forget(id))
                .chain(updated -> view(updated.workspace(), updated.plan()));
    }

    /** One statement, which PostgreSQL cascades to the workspace's keys, stores, links and records. */
    public Uni<Void> delete(String id) {
        return tenants.deleteWorkspace(id).invoke(deleted -> {
            if (!deleted) {
                throw noSuchWorkspace(id);
            }
        }).call(() -> plans.forget(id)).replaceWithVoid();
    }

    private Uni<WorkspaceView> view(Workspace workspace, Plan plan) {
        return quota.usage(workspace.id)
                .map(used -> new WorkspaceView(workspace.id, workspace.name, plan.view(), used, workspace.createdAt));
    }

    private static NotFound noSuchWorkspace(String id) {
        return new NotFound("Workspace " + id);
    }

    private static DomainException noSuchPlan(String name) {
        return DomainException.invalidRequest("There is no plan named '" + name + "'");
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw DomainException.invalidRequest("name must be 1 to 200 characters");
        }
        return name;
    }

    private static void requirePlanLimits(String name, PlanView limits) {
        if (name.isBlank() || name.length() > 64 || limits == null || limits.maxStores() == null || limits.maxStores() < 0
                || limits.maxKeys() == null || limits.maxKeys() < 0
                || limits.maxStorageBytes() == null || limits.maxStorageBytes() < 0
                || limits.maxValueBytes() == null || limits.maxValueBytes() < 1
                || limits.requestsPerSecond() == null || limits.requestsPerSecond() < 1
                || (limits.maxWatchers() != null && limits.maxWatchers() < 0)) {
            throw DomainException.invalidRequest("A plan needs maxStores, maxKeys, maxStorageBytes (>= 0), "
                    + "maxValueBytes and requestsPerSecond (>= 1); maxWatchers, when given, is >= 0");
        }
    }

    /** A result together with whether the call created it (201) or replaced it (200). */
    public record Created<T>(T value, boolean created) {
    }
}
