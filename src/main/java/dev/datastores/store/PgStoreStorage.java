package dev.datastores.store;

import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.NameTaken;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.StoreLinked;
import dev.datastores.record.RecordStorage;
import dev.datastores.record.RecordStorage.Rows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores and links in PostgreSQL, on the reactive client. Whatever a change depends on is checked in the statement that makes it, or under a row lock
 * held by the transaction that makes it (a store's deletion: by the one that marks it), so no other request can
 * change it in between.
 */
@ApplicationScoped
public class PgStoreStorage implements StoreStorage {

    private static final String OF_WORKSPACE = "SELECT id, name, created_at FROM stores WHERE workspace_id = $1 ORDER BY name";
    private static final String ONE = "SELECT id, name, created_at FROM stores WHERE workspace_id = $1 AND id = $2";
    // Store creations and plan changes of the workspace wait for each other; a plan being replaced waits too.
    private static final String LOCK_WORKSPACE = "SELECT plan FROM workspaces WHERE id = $1 FOR NO KEY UPDATE";
    private static final String LOCK_PLAN = "SELECT max_stores FROM plans WHERE name = $1 FOR SHARE";
    private static final String COUNT = "SELECT count(*) FROM stores WHERE workspace_id = $1";
    private static final String INSERT = """
            INSERT INTO stores (id, workspace_id, name) VALUES ($1, $2, $3)
            ON CONFLICT (workspace_id, name) DO NOTHING
            RETURNING id, name, created_at""";
    private static final String RENAME =
            "UPDATE stores SET name = $3 WHERE id = $1 AND workspace_id = $2 RETURNING id, name, created_at";
    // The mark, in the deletion's first transaction, holds the store's row until the links are checked (V6).
    private static final String MARK_DELETING = "UPDATE stores SET deleting = true WHERE id = $1 AND workspace_id = $2";
    private static final String LINKS = "SELECT id, name, kind FROM store_links WHERE store_id = $1 ORDER BY id";
    private static final String DELETE_STORE = "DELETE FROM stores WHERE id = $1 AND workspace_id = $2";
    private static final String LOCK_STORE_ROW = "SELECT 1 FROM stores WHERE id = $1 AND workspace_id = $2 FOR UPDATE";
    // One row for the store (none when the workspace has no such store), with a null link when it has no links.
    private static final String STORE_LINKS = """
            SELECT l.id, l.name, l.kind
              FROM stores s LEFT JOIN store_links l ON l.store_id = s.id
             WHERE s.id = $1 AND s.workspace_id = $2
             ORDER BY l.id""";
    // The share lock makes a put wait for a deletion that is marking the store, or for a workspace deletion, and then
    // find no store; held until the put commits, it makes a deletion wait, then find the link. xmax is 0 only on a
    // row just inserted.
    private static final String PUT_LINK = """
            WITH store AS (SELECT id FROM stores WHERE id = $1 AND workspace_id = $2 AND NOT deleting FOR SHARE)
            INSERT INTO store_links (store_id, id, name, kind)
            SELECT id, $3, $4, $5 FROM store
            ON CONFLICT (store_id, id) DO UPDATE SET name = excluded.name, kind = excluded.kind
            RETURNING xmax = 0 AS created""";
    private static final String DELETE_LINK = """
            WITH store AS (SELECT id FROM stores WHERE id = $1 AND workspace_id = $2),
                 gone AS (DELETE FROM store_links l USING store s WHERE l.store_id = s.id AND l.id = $3 RETURNING l.id)
            SELECT (SELECT count(*) FROM store) AS stores, (SELECT count(*) FROM gone) AS links""";

    private static final String UNIQUE_VIOLATION = "23505";

    private final Pool pool;
    private final RecordStorage records;

    public PgStoreStorage(Pool pool, RecordStorage records) {
        this.pool = pool;
        this.records = records;
    }

    @Override
    public Uni<StoreRow> create(String workspaceId, String storeId, String name) {
        return pool.withTransaction(transaction -> lockForNewStore(transaction, workspaceId)
                .onItem().ifNull().failWith(() -> new NotFound("Workspace " + workspaceId))
                .call(maxStores -> count(transaction, workspaceId).invoke(count -> {
                    if (count >= maxStores) {
                        throw new QuotaExceeded(Limit.STORES, maxStores, count);
                    }
                }))
                .chain(() -> insert(transaction, storeId, workspaceId, name))
                .onItem().ifNull().failWith(() -> new NameTaken(name)));
    }

    @Override
    public Uni<Void> markDeleting(String workspaceId, String storeId) {
        return pool.withTransaction(transaction -> markDeleting(transaction, workspaceId, storeId)
                .invoke(found -> {
                    if (!found) {
                        throw new NotFound("Store " + storeId);
                    }
                })
                .chain(() -> links(transaction, storeId))
                .invoke(links -> {
                    if (!links.isEmpty()) {
                        throw new StoreLinked(links);
                    }
                })
                .replaceWithVoid());
    }

    @Override
    public Uni<List<StoreRow>> ofWorkspace(String workspaceId) {
        return pool.preparedQuery(OF_WORKSPACE).execute(Tuple.of(workspaceId)).map(rows -> {
            List<StoreRow> stores = new ArrayList<>(rows.size());
            rows.forEach(row -> stores.add(toStore(row)));
            return stores;
        });
    }

    @Override
    public Uni<StoreRow> one(String workspaceId, String storeId) {
        return pool.preparedQuery(ONE).execute(Tuple.of(workspaceId, storeId)).map(PgStoreStorage::firstStore);
    }

    /** Locks the workspace until the transaction ends and answers its plan's store limit; null when there is no workspace. */
    private Uni<Integer> lockForNewStore(SqlClient transaction, String workspaceId) {
        return transaction.preparedQuery(LOCK_WORKSPACE).execute(Tuple.of(workspaceId)).chain(workspaces -> workspaces.size() == 0
                ? Uni.createFrom().nullItem()
                : transaction.preparedQuery(LOCK_PLAN).execute(Tuple.of(workspaces.iterator().next().getString("plan")))
                        .map(plans -> plans.iterator().next().getInteger("max_stores")));
    }

    private Uni<Long> count(SqlClient transaction, String workspaceId) {
        return transaction.preparedQuery(COUNT).execute(Tuple.of(workspaceId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** The new store, or null when the workspace has a store of that name. */
    private Uni<StoreRow> insert(SqlClient transaction, String storeId, String workspaceId, String name) {
        return transaction.preparedQuery(INSERT).execute(Tuple.of(storeId, workspaceId, name)).map(PgStoreStorage::firstStore);
    }

    /** One statement: a store deleted meanwhile is not found, and a name taken meanwhile fails on the unique constraint. */
    @Override
    public Uni<StoreRow> rename(String workspaceId, String storeId, String name) {
        return pool.preparedQuery(RENAME).execute(Tuple.of(storeId, workspaceId, name)).map(PgStoreStorage::firstStore)
                // renaming changes only the name, so the one unique constraint it can meet is (workspace, name)
                .onFailure(failure -> failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()))
                .transform(failure -> new NameTaken(name));
    }

    /** Marks the store as being deleted, holding its row until the transaction ends; false when there is no such store. */
    private Uni<Boolean> markDeleting(SqlClient transaction, String workspaceId, String storeId) {
        return transaction.preparedQuery(MARK_DELETING).execute(Tuple.of(storeId, workspaceId)).map(rows -> rows.rowCount() > 0);
    }

    private Uni<List<LinkView>> links(SqlClient transaction, String storeId) {
        return transaction.preparedQuery(LINKS).execute(Tuple.of(storeId)).map(PgStoreStorage::toLinks);
    }

    @Override
    public Uni<List<LinkView>> links(String workspaceId, String storeId) {
        return pool.preparedQuery(STORE_LINKS).execute(Tuple.of(storeId, workspaceId))
                .map(rows -> rows.size() == 0 ? null : toLinks(rows));
    }

    @Override
    public Uni<Deleted> delete(SqlConnection transaction, String workspaceId, String storeId) {
        // Writers that inserted while the records went hold the store's row (their foreign key check) until they commit.
        // Once the row is ours their rows are visible, and go too, counted: left to the cascade, they went uncounted and
        // stayed in the quota (issue 17's attack). Writers after that wait for this commit and then find no store.
        return records.deleteAllOf(transaction, storeId)
                .chain(freed -> transaction.preparedQuery(LOCK_STORE_ROW).execute(Tuple.of(storeId, workspaceId))
                        .chain(() -> records.deleteAllOf(transaction, storeId))
                        .map(late -> new Rows(freed.rows() + late.rows(), freed.rawBytes() + late.rawBytes(),
                                freed.storedBytes() + late.storedBytes())))
                .chain(freed -> transaction.preparedQuery(DELETE_STORE).execute(Tuple.of(storeId, workspaceId))
                        .map(stores -> new Deleted(stores.rowCount() > 0, freed.rows(), freed.storedBytes())));
    }

    @Override
    public Uni<Boolean> putLink(String workspaceId, String storeId, LinkView link) {
        return pool.preparedQuery(PUT_LINK).execute(Tuple.of(storeId, workspaceId, link.id(), link.name(), link.kind()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getBoolean("created"));
    }

    @Override
    public Uni<LinkDeletion> deleteLink(String workspaceId, String storeId, String linkId) {
        return pool.preparedQuery(DELETE_LINK).execute(Tuple.of(storeId, workspaceId, linkId)).map(rows -> {
            Row row = rows.iterator().next();
            return row.getLong("stores") == 0 ? LinkDeletion.NO_STORE
                    : row.getLong("links") == 0 ? LinkDeletion.NO_LINK : LinkDeletion.DELETED;
        });
    }

    private static StoreRow firstStore(RowSet<Row> rows) {
        return rows.size() == 0 ? null : toStore(rows.iterator().next());
    }

    private static StoreRow toStore(Row row) {
        return new StoreRow(row.getString("id"), row.getString("name"), row.getOffsetDateTime("created_at").toInstant());
    }

    private static List<LinkView> toLinks(RowSet<Row> rows) {
        List<LinkView> links = new ArrayList<>(rows.size());
        rows.forEach(row -> {
            if (row.getString("id") != null) {
                links.add(new LinkView(row.getString("id"), row.getString("name"), row.getString("kind")));
            }
        });
        return links;
    }

}
