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

    /** Workspace ids in order, a page at a time, for reconciliation. */
    Uni<List<String>> workspaceIds(String after, int limit);
}
