package dev.datastores.store;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.NameTaken;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.StoreLinked;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreCounters;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.workspace.Ids;
import dev.datastores.workspace.PlanDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Stores and their links. Every method is scoped to one workspace: other workspaces' stores do not exist here. */
@ApplicationScoped
public class StoreService {

    private static final int MAX_NAME_LENGTH = 200;
    private static final String UNIQUE_VIOLATION = "23505";

    private final StoreRepository stores;
    private final QuotaService quota;
    private final PlanDirectory plans;
    private final Pool pool;

    public StoreService(StoreRepository stores, QuotaService quota, PlanDirectory plans, Pool pool) {
        this.stores = stores;
        this.quota = quota;
        this.plans = plans;
        this.pool = pool;
    }

    /**
     * Creates a store. Stores are few and created rarely, so their limit is checked in PostgreSQL under a
     * lock on the workspace row, exact across replicas; the Redis counters learn of it afterwards. The name is
     * claimed by the insert itself, against the unique constraint that renames meet too.
     */
    public Uni<StoreView> create(String workspaceId, String name) {
        String storeName = requireName(name);
        return pool.withTransaction(transaction -> stores.lockForNewStore(transaction, workspaceId)
                        .onItem().ifNull().failWith(() -> new NotFound("Workspace " + workspaceId))
                        .call(maxStores -> stores.count(transaction, workspaceId).invoke(count -> {
                            if (count >= maxStores) {
                                throw new QuotaExceeded(Limit.STORES, maxStores, count);
                            }
                        }))
                        .chain(() -> stores.insert(transaction, Ids.next("ds_"), workspaceId, storeName))
                        .onItem().ifNull().failWith(() -> new NameTaken(storeName)))
                .invoke(store -> quota.record(workspaceId, new Delta(1, 0, 0), new StoreDelta(store.id(), 0, 0, 0), StoreCounters.CREATE))
                .map(store -> new StoreView(store.id(), store.name(), store.createdAt(), 0, 0, 0));
    }

    public Uni<List<StoreView>> list(String workspaceId) {
        return stores.ofWorkspace(workspaceId).chain(rows -> withStats(workspaceId, rows));
    }

    public Uni<StoreView> get(String workspaceId, String storeId) {
        return stores.one(workspaceId, storeId)
                .onItem().ifNull().failWith(() -> new NotFound("Store " + storeId))
                .chain(row -> withStats(workspaceId, List.of(row))).map(views -> views.get(0));
    }

    /** One statement: a store deleted meanwhile is not found, and a name taken meanwhile fails on the unique constraint. */
    public Uni<StoreView> rename(String workspaceId, String storeId, String name) {
        String storeName = requireName(name);
        return stores.rename(workspaceId, storeId, storeName)
                // renaming changes only the name, so the one unique constraint it can meet is (workspace, name)
                .onFailure(failure -> failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()))
                .transform(failure -> new NameTaken(storeName))
                .onItem().ifNull().failWith(() -> new NotFound("Store " + storeId))
                .chain(row -> withStats(workspaceId, List.of(row))).map(views -> views.get(0));
    }

    /** Deletes the store with all its records, unless something links to it, and frees their quota. */
    public Uni<Void> delete(String workspaceId, String storeId) {
        return plans.planOf(workspaceId)
                .chain(plan -> markDeleting(workspaceId, storeId).chain(() -> quota.guard(workspaceId, plan, Delta.NONE,
                        client -> deleteWithRecords(client, workspaceId, storeId))))
                .invoke(deleted -> {
                    if (!deleted) {
                        throw new NotFound("Store " + storeId);
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Marks the store as being deleted, unless something links to it. The mark holds the store's row until the
     * links are checked: a link put either committed before (and is found here) or waits, then finds the store
     * marked and answers 404. A marked store takes no links, so none can appear while it is being deleted.
     */
    private Uni<Void> markDeleting(String workspaceId, String storeId) {
        return pool.withTransaction(transaction -> stores.markDeleting(transaction, workspaceId, storeId)
                .invoke(found -> {
                    if (!found) {
                        throw new NotFound("Store " + storeId);
                    }
                })
                .chain(() -> stores.links(transaction, storeId))
                .invoke(links -> {
                    if (!links.isEmpty()) {
                        throw new StoreLinked(links);
                    }
                })
                .replaceWithVoid());
    }

    /**
     * Deletes the records, then the store, once the mark has committed, and not under its lock: a deletion holding
     * the store's row while it deletes records would deadlock with record writers that lock records first and the
     * store after. False when a deletion sent at the same time removed the store first.
     */
    private Uni<Written<Boolean>> deleteWithRecords(SqlClient client, String workspaceId, String storeId) {
        return stores.deleteWithRecords(client, workspaceId, storeId).map(gone -> new Written<>(gone.store(),
                new Delta(gone.store() ? -1 : 0, -gone.records(), -gone.storedBytes()), new StoreDelta(storeId, 0, 0, 0),
                gone.store()));
    }

    public Uni<List<LinkView>> links(String workspaceId, String storeId) {
        return stores.links(workspaceId, storeId).onItem().ifNull().failWith(() -> new NotFound("Store " + storeId));
    }

    /** Adds or replaces a link, in one statement: a store being deleted takes none (see {@link #markDeleting}). */
    public Uni<LinkPut> putLink(String workspaceId, String storeId, String linkId, String name, String kind) {
        requireLinkField("link id", linkId);
        requireLinkField("name", name);
        requireLinkField("kind", kind);
        LinkView link = new LinkView(linkId, name, kind);
        return stores.putLink(workspaceId, storeId, link)
                .onItem().ifNull().failWith(() -> new NotFound("Store " + storeId))
                .map(created -> new LinkPut(link, created));
    }

    public Uni<Void> deleteLink(String workspaceId, String storeId, String linkId) {
        return stores.deleteLink(workspaceId, storeId, linkId).invoke(outcome -> {
            switch (outcome) {
                case NO_STORE -> throw new NotFound("Store " + storeId);
                case NO_LINK -> throw new NotFound("Link " + linkId);
                case DELETED -> { }
            }
        }).replaceWithVoid();
    }

    private Uni<List<StoreView>> withStats(String workspaceId, List<StoreRepository.StoreRow> rows) {
        return quota.storeStats(workspaceId, rows.stream().map(StoreRepository.StoreRow::id).toList())
                .map(stats -> rows.stream().map(row -> {
                    StoreDelta counted = stats.getOrDefault(row.id(), new StoreDelta(row.id(), 0, 0, 0));
                    return new StoreView(row.id(), row.name(), row.createdAt(), counted.records(), counted.storageBytes(),
                            counted.rawBytes());
                }).toList());
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw DomainException.invalidRequest("name must be 1 to " + MAX_NAME_LENGTH + " characters without control characters");
        }
        return name;
    }

    private static void requireLinkField(String field, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_NAME_LENGTH) {
            throw DomainException.invalidRequest(field + " must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
    }

    /** A link together with whether the call added it. */
    public record LinkPut(LinkView link, boolean created) {
    }
}
