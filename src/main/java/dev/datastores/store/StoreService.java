package dev.datastores.store;

import dev.datastores.http.Problems;
import dev.datastores.store.StoreLink.LinkView;
import dev.datastores.workspace.Ids;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.workspace.Plan;
import dev.datastores.workspace.PlanDirectory;
import dev.datastores.workspace.Workspace;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Stores and their links. Every method is scoped to one workspace: other workspaces' stores do not exist here. */
@ApplicationScoped
public class StoreService {

    private static final int MAX_NAME_LENGTH = 200;

    private final StoreRepository stores;
    private final QuotaService quota;
    private final PlanDirectory plans;

    public StoreService(StoreRepository stores, QuotaService quota, PlanDirectory plans) {
        this.stores = stores;
        this.quota = quota;
        this.plans = plans;
    }

    /**
     * Creates a store. Stores are few and created rarely, so their limit is checked in PostgreSQL under a
     * lock on the workspace row, exact across replicas; the Redis counters learn of it afterwards.
     */
    @WithTransaction
    public Uni<StoreView> create(String workspaceId, String name) {
        String storeName = requireName(name);
        return lockWorkspace(workspaceId)
                .chain(workspace -> Plan.<Plan>findById(workspace.plan))
                .chain(plan -> Store.count("workspaceId", workspaceId).invoke(stores -> {
                    if (stores >= plan.maxStores) {
                        throw Problems.quotaExceeded("stores", plan.maxStores, stores);
                    }
                }))
                .chain(() -> requireNameFree(workspaceId, storeName))
                .chain(() -> {
                    Store store = new Store();
                    store.id = Ids.next("ds_");
                    store.workspaceId = workspaceId;
                    store.name = storeName;
                    store.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    return store.<Store>persist();
                })
                .invoke(store -> quota.record(workspaceId, new Delta(1, 0, 0), new StoreDelta(store.id, 0, 0, 0), "create"))
                .map(store -> new StoreView(store.id, store.name, store.createdAt, 0, 0, 0));
    }

    /** The workspace, locked until the transaction ends: store creations and renames in it take turns. */
    private static Uni<Workspace> lockWorkspace(String workspaceId) {
        return Workspace.<Workspace>findById(workspaceId, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> Problems.notFound("Workspace " + workspaceId));
    }

    public Uni<List<StoreView>> list(String workspaceId) {
        return stores.ofWorkspace(workspaceId).chain(rows -> withStats(workspaceId, rows));
    }

    public Uni<StoreView> get(String workspaceId, String storeId) {
        return stores.one(workspaceId, storeId)
                .onItem().ifNull().failWith(() -> Problems.notFound("Store " + storeId))
                .chain(row -> withStats(workspaceId, List.of(row))).map(views -> views.get(0));
    }

    @WithTransaction
    public Uni<StoreView> rename(String workspaceId, String storeId, String name) {
        String storeName = requireName(name);
        // The name is checked, then written: the workspace row lock (as in create) keeps a parallel rename or
        // create from taking it in between, which would end in the unique constraint and a 500.
        return lockWorkspace(workspaceId)
                .chain(() -> find(workspaceId, storeId))
                .call(store -> store.name.equals(storeName) ? Uni.createFrom().voidItem() : requireNameFree(workspaceId, storeName))
                .invoke(store -> store.name = storeName)
                .call(Store::flush)
                // The view comes from the entity: get() reads on another connection, before this transaction commits.
                .chain(store -> withStats(workspaceId, List.of(new StoreRepository.StoreRow(store.id, store.name, store.createdAt))))
                .map(views -> views.get(0));
    }

    /** Deletes the store with all its records, unless something still links to it, and frees their quota. */
    public Uni<Void> delete(String workspaceId, String storeId) {
        return links(workspaceId, storeId).invoke(links -> {
                    if (!links.isEmpty()) {
                        throw Problems.storeLinked(links);
                    }
                })
                .chain(() -> plans.planOf(workspaceId))
                .chain(plan -> quota.guard(workspaceId, plan, Delta.NONE, client -> stores.deleteWithRecords(client, workspaceId, storeId)
                        .map(freed -> new Written<>(freed, new Delta(-1, -freed[0], -freed[1]), new StoreDelta(storeId, 0, 0, 0), true))))
                .replaceWithVoid();
    }

    @WithTransaction
    public Uni<List<LinkView>> links(String workspaceId, String storeId) {
        return find(workspaceId, storeId)
                .chain(store -> StoreLink.<StoreLink>list("storeId = ?1 order by id", storeId))
                .map(links -> links.stream().map(StoreLink::view).toList());
    }

    /** Adds or replaces a link; true when it was added. */
    @WithTransaction
    public Uni<LinkPut> putLink(String workspaceId, String storeId, String linkId, String name, String kind) {
        requireLinkField("link id", linkId);
        requireLinkField("name", name);
        requireLinkField("kind", kind);
        return find(workspaceId, storeId)
                .chain(store -> StoreLink.<StoreLink>findById(new StoreLink.Key(storeId, linkId)))
                .chain(existing -> {
                    StoreLink link = existing == null ? new StoreLink() : existing;
                    link.storeId = storeId;
                    link.id = linkId;
                    link.name = name;
                    link.kind = kind;
                    if (existing == null) {
                        link.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    }
                    return link.<StoreLink>persist().map(saved -> new LinkPut(saved.view(), existing == null));
                });
    }

    @WithTransaction
    public Uni<Void> deleteLink(String workspaceId, String storeId, String linkId) {
        return find(workspaceId, storeId)
                .chain(store -> StoreLink.delete("storeId = ?1 and id = ?2", storeId, linkId))
                .invoke(deleted -> {
                    if (deleted == 0) {
                        throw Problems.notFound("Link " + linkId);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<List<StoreView>> withStats(String workspaceId, List<StoreRepository.StoreRow> rows) {
        return quota.storeStats(workspaceId, rows.stream().map(StoreRepository.StoreRow::id).toList())
                .map(stats -> rows.stream().map(row -> {
                    StoreDelta counted = stats.getOrDefault(row.id(), new StoreDelta(row.id(), 0, 0, 0));
                    return new StoreView(row.id(), row.name(), row.createdAt(), counted.records(), counted.storageBytes(),
                            counted.rawBytes());
                }).toList());
    }

    private Uni<Store> find(String workspaceId, String storeId) {
        return Store.<Store>find("id = ?1 and workspaceId = ?2", storeId, workspaceId).firstResult()
                .onItem().ifNull().failWith(() -> Problems.notFound("Store " + storeId));
    }

    private Uni<Void> requireNameFree(String workspaceId, String name) {
        return Store.count("workspaceId = ?1 and name = ?2", workspaceId, name).invoke(count -> {
            if (count > 0) {
                throw Problems.nameTaken(name);
            }
        }).replaceWithVoid();
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw Problems.invalidRequest("name must be 1 to " + MAX_NAME_LENGTH + " characters without control characters");
        }
        return name;
    }

    private static void requireLinkField(String field, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_NAME_LENGTH) {
            throw Problems.invalidRequest(field + " must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
    }

    /** A link together with whether the call added it. */
    public record LinkPut(LinkView link, boolean created) {
    }
}
