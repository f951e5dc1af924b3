package dev.datastores.store;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreCounters;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.tenant.Ids;
import dev.datastores.tenant.PlanDirectory;
import dev.datastores.store.StoreStorage.StoreRow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Stores and their links. Every method is scoped to one workspace: other workspaces' stores do not exist here. */
@ApplicationScoped
public class StoreService {

    private static final int MAX_NAME_LENGTH = 200;

    private final StoreStorage stores;
    private final QuotaService quota;
    private final PlanDirectory plans;

    public StoreService(StoreStorage stores, QuotaService quota, PlanDirectory plans) {
        this.stores = stores;
        this.quota = quota;
        this.plans = plans;
    }

    /** Creates a store; its limit is checked in PostgreSQL, and the Redis counters learn of it afterwards. */
    public Uni<StoreView> create(String workspaceId, String name) {
        return stores.create(workspaceId, Ids.next("ds_"), requireName(name))
                .invoke(store -> quota.record(workspaceId, new Delta(1, 0, 0), new StoreDelta(store.id(), 0, 0, 0), StoreCounters.CREATE))
                .map(store -> new StoreView(store.id(), store.name(), store.createdAt(), 0, 0, 0));
    }

    public Uni<List<StoreView>> list(String workspaceId) {
        return stores.ofWorkspace(workspaceId).chain(rows -> withStats(workspaceId, rows));
    }

    public Uni<StoreView> get(String workspaceId, String storeId) {
        return stores.one(workspaceId, storeId)
                .onItem().ifNull().failWith(() -> noSuchStore(storeId))
                .chain(row -> withStats(workspaceId, List.of(row))).map(views -> views.get(0));
    }

    public Uni<StoreView> rename(String workspaceId, String storeId, String name) {
        return stores.rename(workspaceId, storeId, requireName(name))
                .onItem().ifNull().failWith(() -> noSuchStore(storeId))
                .chain(row -> withStats(workspaceId, List.of(row))).map(views -> views.get(0));
    }

    /**
     * Deletes the store with all its records, unless something links to it, and frees their quota: the mark (see
     * {@link StoreStorage#markDeleting}) commits first, then one transaction deletes the records and the store.
     */
    public Uni<Void> delete(String workspaceId, String storeId) {
        return plans.planOf(workspaceId)
                .chain(plan -> stores.markDeleting(workspaceId, storeId).chain(() -> quota.guardTransaction(workspaceId, plan,
                        Delta.NONE, transaction -> stores.delete(transaction, workspaceId, storeId).map(gone -> new Written<>(gone.store(),
                                new Delta(gone.store() ? -1 : 0, -gone.records(), -gone.storedBytes()),
                                new StoreDelta(storeId, 0, 0, 0), gone.store())))))
                .invoke(deleted -> {
                    if (!deleted) {
                        throw noSuchStore(storeId);
                    }
                    quota.recountSoon(workspaceId);
                })
                .replaceWithVoid();
    }

    public Uni<List<LinkView>> links(String workspaceId, String storeId) {
        return stores.links(workspaceId, storeId).onItem().ifNull().failWith(() -> noSuchStore(storeId));
    }

    /** Adds or replaces a link, in one statement: a store being deleted takes none (see {@link #markDeleting}). */
    public Uni<LinkPut> putLink(String workspaceId, String storeId, String linkId, String name, String kind) {
        requireLinkField("link id", linkId);
        requireLinkField("name", name);
        requireLinkField("kind", kind);
        LinkView link = new LinkView(linkId, name, kind);
        return stores.putLink(workspaceId, storeId, link)
                .onItem().ifNull().failWith(() -> noSuchStore(storeId))
                .map(created -> new LinkPut(link, created));
    }

    public Uni<Void> deleteLink(String workspaceId, String storeId, String linkId) {
        return stores.deleteLink(workspaceId, storeId, linkId).invoke(outcome -> {
            switch (outcome) {
                case NO_STORE -> throw noSuchStore(storeId);
                case NO_LINK -> throw new NotFound("Link " + linkId);
                case DELETED -> { }
            }
        }).replaceWithVoid();
    }

    private Uni<List<StoreView>> withStats(String workspaceId, List<StoreRow> rows) {
        return quota.storeStats(workspaceId, rows.stream().map(StoreRow::id).toList())
                .map(stats -> rows.stream().map(row -> {
                    StoreDelta counted = stats.getOrDefault(row.id(), new StoreDelta(row.id(), 0, 0, 0));
                    return new StoreView(row.id(), row.name(), row.createdAt(), counted.records(), counted.storageBytes(),
                            counted.rawBytes());
                }).toList());
    }

    private static NotFound noSuchStore(String storeId) {
        return new NotFound("Store " + storeId);
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
