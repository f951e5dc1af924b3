package dev.datastores.tenant;

import dev.datastores.domain.DomainException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Tenants in PostgreSQL through Hibernate Reactive: few rows, changed rarely, read through caches, where mapped
 * entities and Panache's transactions earn their place. Each method runs in one transaction of its own session.
 */
@ApplicationScoped
public class PgTenantStorage implements TenantStorage {

    // One statement, so two puts of a new plan cannot both insert it: the second waits and replaces. xmax is 0
    // only on a row just inserted.
    private static final String PUT_PLAN = """
            INSERT INTO plans (name, max_stores, max_keys, max_storage_bytes, max_value_bytes, requests_per_second,
                               max_watchers)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (name) DO UPDATE SET max_stores = excluded.max_stores, max_keys = excluded.max_keys,
                   max_storage_bytes = excluded.max_storage_bytes, max_value_bytes = excluded.max_value_bytes,
                   requests_per_second = excluded.requests_per_second, max_watchers = excluded.max_watchers
            RETURNING xmax = 0""";

    private final Clock clock;

    public PgTenantStorage(Clock clock) {
        this.clock = clock;
    }

    @Override
    @WithTransaction
    public Uni<List<Plan>> plans() {
        return Plan.listAll(Sort.by("name"));
    }

    @Override
    @WithTransaction
    public Uni<Plan> plan(String name) {
        return Plan.findById(name);
    }

    @Override
    @WithTransaction
    public Uni<Boolean> putPlan(Plan plan) {
        return Panache.getSession().chain(session -> session.createNativeQuery(PUT_PLAN, Boolean.class)
                .setParameter(1, plan.name).setParameter(2, plan.maxStores).setParameter(3, plan.maxKeys)
                .setParameter(4, plan.maxStorageBytes).setParameter(5, plan.maxValueBytes)
                .setParameter(6, plan.requestsPerSecond).setParameter(7, plan.maxWatchers)
                .getSingleResult());
    }

    @Override
    @WithTransaction
    public Uni<Plan> planOf(String workspaceId) {
        return Workspace.<Workspace>findById(workspaceId)
                .chain(workspace -> workspace == null ? Uni.createFrom().nullItem() : Plan.<Plan>findById(workspace.plan));
    }

    @Override
    @WithTransaction
    public Uni<WorkspaceWithPlan> createWorkspace(String id, String name, String planName) {
        return Plan.<Plan>findById(planName).chain(plan -> {
            if (plan == null) {
                return Uni.createFrom().nullItem();
            }
            Workspace workspace = new Workspace();
            workspace.id = id;
            workspace.name = name;
            workspace.plan = plan.name;
            workspace.createdAt = now();
            return workspace.persist().replaceWith(new WorkspaceWithPlan(workspace, plan));
        });
    }

    @Override
    @WithTransaction
    public Uni<WorkspaceWithPlan> workspace(String id) {
        return Workspace.<Workspace>findById(id).chain(workspace -> workspace == null ? Uni.createFrom().nullItem()
                : Plan.<Plan>findById(workspace.plan).map(plan -> new WorkspaceWithPlan(workspace, plan)));
    }

    @Override
    @WithTransaction
    public Uni<WorkspaceWithPlan> updateWorkspace(String id, String name, String planName) {
        return Workspace.<Workspace>findById(id, LockModeType.PESSIMISTIC_WRITE).chain(workspace -> {
            if (workspace == null) {
                return Uni.createFrom().nullItem();
            }
            String wanted = planName == null ? workspace.plan : planName;
            return Plan.<Plan>findById(wanted).map(plan -> {
                if (plan == null) {
                    throw DomainException.invalidRequest("There is no plan named '" + wanted + "'");
                }
                if (name != null) {
                    workspace.name = name;
                }
                workspace.plan = plan.name;
                return new WorkspaceWithPlan(workspace, plan);
            });
        });
    }

    @Override
    @WithTransaction
    public Uni<Boolean> deleteWorkspace(String id) {
        return Workspace.delete("id", id).map(deleted -> deleted > 0);
    }

    @Override
    @WithTransaction
    public Uni<ApiKey> createKey(ApiKey key) {
        return Workspace.<Workspace>findById(key.workspaceId, LockModeType.PESSIMISTIC_READ).chain(workspace -> {
            if (workspace == null) {
                return Uni.createFrom().nullItem();
            }
            key.createdAt = now();
            return key.persist();
        });
    }

    @Override
    @WithTransaction
    public Uni<List<ApiKey>> keys(String workspaceId) {
        return ApiKey.list("workspaceId = ?1 order by createdAt", workspaceId);
    }

    /** The row lock makes a second revocation wait, then find nothing. */
    @Override
    @WithTransaction
    public Uni<byte[]> deleteKey(String workspaceId, String keyId) {
        return ApiKey.<ApiKey>find("id = ?1 and workspaceId = ?2", keyId, workspaceId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult()
                .chain(key -> key == null ? Uni.createFrom().nullItem() : key.delete().replaceWith(key.tokenHash));
    }

    @Override
    @WithTransaction
    public Uni<ApiKey> useKey(byte[] tokenHash) {
        return ApiKey.<ApiKey>find("tokenHash", tokenHash).firstResult()
                .call(key -> key == null ? Uni.createFrom().nullItem()
                        : ApiKey.update("lastUsedAt = ?1 where id = ?2", now(), key.id));
    }

    /** PostgreSQL keeps microseconds; a time with more would read back different from what was answered. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
