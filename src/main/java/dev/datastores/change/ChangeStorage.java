package dev.datastores.change;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The history of changes, kept by PostgreSQL at commit (V10). */
public interface ChangeStorage {

    /** Changes after {@code position}, oldest first, at most {@code limit}; values only when asked for. */
    Uni<List<Change>> after(String storeId, long position, int limit, boolean withValues);

    /** The store's oldest and newest kept positions (0 when it has none), or null when the workspace has no such store. */
    Uni<Bounds> bounds(String workspaceId, String storeId);

    /** The newest position of each store (0 when it has no change). */
    Uni<Map<String, Long>> newest(List<String> storeIds);

    /** Deletes up to {@code limit} changes recorded before {@code before}, keeping each store's newest; how many went. */
    Uni<Long> prune(Instant before, int limit);

    /** The kept range of a store's history. */
    record Bounds(long oldest, long newest) {
    }
}
