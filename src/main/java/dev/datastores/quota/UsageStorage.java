package dev.datastores.quota;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import java.util.List;

/**
 * Usage as PostgreSQL, the truth, counts it: every stored row, expired or not, until the sweeper removes it (that
 * is what occupies space, and what the Redis counters track). Implemented where the records' SQL lives.
 */
public interface UsageStorage {

    Uni<Usage> ofWorkspace(SqlClient client, String workspaceId);

    /** Every store of the workspace with its rows and sizes. */
    Uni<List<StoreDelta>> ofStores(SqlClient client, String workspaceId);

    /** Serialises quota checks of one workspace inside the caller's transaction (used while Redis is away). */
    Uni<Void> lockWorkspace(SqlClient transaction, String workspaceId);

    /**
     * The running count the Redis-down fallback keeps for the workspace (read under {@link #lockWorkspace}), or null
     * when there is none: Redis was there, or its counters were rebuilt since.
     */
    Uni<Usage> fallbackCount(SqlClient transaction, String workspaceId);

    /** Keeps the fallback's running count, inside the transaction that holds the workspace's lock. */
    Uni<Void> keepFallbackCount(SqlClient transaction, String workspaceId, Usage usage);

    /** Adds a change made outside the fallback (the sweeper's deletions) to the running count, if there is one. */
    Uni<Void> adjustFallbackCount(SqlClient client, String workspaceId, Delta change);

    /** Drops the running count: the workspace's counters were rebuilt from PostgreSQL, and writes go through Redis. */
    Uni<Void> forgetFallbackCount(SqlClient client, String workspaceId);

    /**
     * How many workspaces use at least {@code 0.80} and {@code 0.95} of each limit of their plan (limits of 0 left
     * out): counts per band, never which workspaces. It counts every workspace's rows, so it runs seldom.
     */
    Uni<NearLimits.Bands> nearLimits();

    /** Workspace ids in order, a page at a time, for reconciliation. */
    Uni<List<String>> workspaceIds(String after, int limit);
}
