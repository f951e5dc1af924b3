package dev.datastores.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;

/**
 * Stores and their links. Whatever a change depends on is checked in the statement that makes it, or under a row
 * lock held by the transaction that makes it; rule breaches are {@link dev.datastores.domain.DomainException}s.
 */
public interface StoreStorage {

    Uni<List<StoreRow>> ofWorkspace(String workspaceId);

    /** The store, or null when the workspace has no such store. */
    Uni<StoreRow> one(String workspaceId, String storeId);

    /**
     * Creates a store in one transaction that locks the workspace row and checks the plan's store limit, exact
     * across replicas; the name is claimed by the insert itself, against the unique constraint renames meet too.
     */
    Uni<StoreRow> create(String workspaceId, String storeId, String name);

    /** The renamed store, or null when the workspace has no such store. */
    Uni<StoreRow> rename(String workspaceId, String storeId, String name);

    /**
     * Marks the store as being deleted, unless something links to it. The mark holds the store's row until the
     * links are checked: a link put either committed before (and is found here) or waits, then finds the store
     * marked and answers 404. A marked store takes no links, so none can appear while it is being deleted.
     */
    Uni<Void> markDeleting(String workspaceId, String storeId);

    /**
     * Deletes a marked store's records, then the store, in the transaction. Not under the mark's lock: a deletion
     * holding the store's row while it deletes records would deadlock with record writers that lock records first
     * and the store after. {@link Deleted#store()} is false when a deletion sent at the same time removed it first.
     */
    Uni<Deleted> delete(SqlConnection transaction, String workspaceId, String storeId);

    /** The store's links, or null when the workspace has no such store. */
    Uni<List<LinkView>> links(String workspaceId, String storeId);

    /** Adds or replaces a link: true when added, false when replaced, null when the workspace has no such store. */
    Uni<Boolean> putLink(String workspaceId, String storeId, LinkView link);

    Uni<LinkDeletion> deleteLink(String workspaceId, String storeId, String linkId);

    /** A store's own columns. */
    record StoreRow(String id, String name, Instant createdAt) {
    }

    /** What a store deletion removed. */
    record Deleted(boolean store, long records, long storedBytes) {
    }

    /** What a link deletion found. */
    enum LinkDeletion { DELETED, NO_LINK, NO_STORE }
}
