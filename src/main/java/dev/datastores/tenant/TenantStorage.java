package dev.datastores.tenant;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The tenants' aggregate: plans, workspaces and their API keys. Each method is one transaction; what a change
 * depends on is read under a lock in that transaction. Absent things are {@code null}; rule breaches are
 * {@link dev.datastores.domain.DomainException}s.
 */
public interface TenantStorage {

    Uni<List<Plan>> plans();

    /** The plan, or null. */
    Uni<Plan> plan(String name);

    /** Creates or replaces the plan, in one statement; true when it was created. */
    Uni<Boolean> putPlan(Plan plan);

    /** The workspace's plan, or null when there is no such workspace. */
    Uni<Plan> planOf(String workspaceId);

    /** A new workspace on the named plan, or null when there is no such plan. */
    Uni<WorkspaceWithPlan> createWorkspace(String id, String name, String planName);

    /** The workspace with its plan, or null. */
    Uni<WorkspaceWithPlan> workspace(String id);

    /**
     * Changes the workspace's name and plan where given, under a lock on its row so that two updates take turns;
     * null when there is no such workspace. A plan that does not exist fails with an invalid-request refusal.
     */
    Uni<WorkspaceWithPlan> updateWorkspace(String id, String name, String planName);

    /** Deletes the workspace and, by cascade, everything it owns; false when there was none. */
    Uni<Boolean> deleteWorkspace(String id);

    /**
     * Stores a key for the workspace, which is share-locked until then: a workspace deleted meanwhile is either
     * gone first (null) or waits and takes the new key with it.
     */
    Uni<ApiKey> createKey(ApiKey key);

    /** The workspace's keys, oldest first. */
    Uni<List<ApiKey>> keys(String workspaceId);

    /** Deletes the key and answers its token's hash, or null when the workspace has no such key. */
    Uni<byte[]> deleteKey(String workspaceId, String keyId);

    /** The key whose token has this hash, marked as used now; null when there is none. */
    Uni<ApiKey> useKey(byte[] tokenHash);

    /** A workspace and the plan it is on. */
    record WorkspaceWithPlan(Workspace workspace, Plan plan) {
    }
}
