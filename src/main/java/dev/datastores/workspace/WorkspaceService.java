package dev.datastores.workspace;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.quota.QuotaService;
import dev.datastores.workspace.Plan.PlanView;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Plans and workspaces: the operator's side of tenancy. */
@ApplicationScoped
public class WorkspaceService {

    private final QuotaService quota;
    private final PlanRepository plans;

    public WorkspaceService(QuotaService quota, PlanRepository plans) {
        this.quota = quota;
        this.plans = plans;
    }

    @WithTransaction
    public Uni<List<PlanView>> plans() {
        return Plan.<Plan>listAll(Sort.by("name"))
                .map(plans -> plans.stream().map(Plan::view).toList());
    }

    /** Creates or replaces a plan; true when it was created. */
    public Uni<Created<PlanView>> putPlan(String name, PlanView limits) {
        requirePlanLimits(name, limits);
        return plans.put(name, limits);
    }

    @WithTransaction
    public Uni<WorkspaceView> create(String name, String planName) {
        String workspaceName = requireName(name);
        return requirePlan(planName == null ? "free" : planName).chain(plan -> {
            Workspace workspace = new Workspace();
            workspace.id = Ids.next("ws_");
            workspace.name = workspaceName;
            workspace.plan = plan.name;
            workspace.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return workspace.persist().replaceWith(view(workspace, plan));
        });
    }

    @WithTransaction
    public Uni<WorkspaceView> get(String id) {
        return find(id).chain(workspace -> requirePlan(workspace.plan).chain(plan -> view(workspace, plan)));
    }

    /** Locks the workspace first: two updates sent together take turns, so neither undoes the other's change. */
    @WithTransaction
    public Uni<WorkspaceView> update(String id, String name, String planName) {
        return find(id, LockModeType.PESSIMISTIC_WRITE).chain(workspace -> {
            if (name != null) {
                workspace.name = requireName(name);
            }
            return requirePlan(planName == null ? workspace.plan : planName).chain(plan -> {
                workspace.plan = plan.name;
                return view(workspace, plan);
            });
        });
    }

    /** One statement, which PostgreSQL cascades to the workspace's keys, stores, links and records. */
    @WithTransaction
    public Uni<Void> delete(String id) {
        return Workspace.delete("id", id).invoke(deleted -> {
            if (deleted == 0) {
                throw new NotFound("Workspace " + id);
            }
        }).replaceWithVoid();
    }

    /** The plan of a workspace; 404 when the workspace does not exist. */
    @WithTransaction
    public Uni<Plan> planOf(String workspaceId) {
        return find(workspaceId).chain(workspace -> requirePlan(workspace.plan));
    }

    private Uni<Workspace> find(String id) {
        return find(id, LockModeType.NONE);
    }

    private Uni<Workspace> find(String id, LockModeType lock) {
        return Workspace.<Workspace>findById(id, lock).onItem().ifNull().failWith(() -> new NotFound("Workspace " + id));
    }

    private Uni<Plan> requirePlan(String name) {
        return Plan.<Plan>findById(name)
                .onItem().ifNull().failWith(() -> DomainException.invalidRequest("There is no plan named '" + name + "'"));
    }

    private Uni<WorkspaceView> view(Workspace workspace, Plan plan) {
        return quota.usage(workspace.id)
                .map(used -> new WorkspaceView(workspace.id, workspace.name, plan.view(), used, workspace.createdAt));
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
                || limits.requestsPerSecond() == null || limits.requestsPerSecond() < 1) {
            throw DomainException.invalidRequest("A plan needs maxStores, maxKeys, maxStorageBytes (>= 0), "
                    + "maxValueBytes and requestsPerSecond (>= 1)");
        }
    }

    /** A result together with whether the call created it (201) or replaced it (200). */
    public record Created<T>(T value, boolean created) {
    }
}
