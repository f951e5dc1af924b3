package dev.datastores.record;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;

/**
 * Records, the hot aggregate: every statement on the records table is behind this interface. A record is live
 * until its expiry; expired rows are invisible to reads but occupy space (and quota) until swept. Writes take the
 * client or transaction they run on, so quota can wrap them, and several of them can share one transaction.
 * Every method that takes a workspace checks, in the same statement, that the store is that workspace's.
 */
public interface RecordStorage {

    Uni<PutOutcome> put(SqlClient client, String workspaceId, String storeId, String key, byte[] storedValue, int rawBytes,
            Instant expiresAt, Long ifMatch, boolean ifExists, boolean ifAbsent);

    Uni<Lookup> get(String workspaceId, String storeId, String key);

    Uni<DeleteOutcome> delete(SqlClient client, String workspaceId, String storeId, String key, Long ifMatch);

    /** The row under the key, live or expired, or null: what a replace would free, for quota. */
    Uni<Physical> physical(String workspaceId, String storeId, String key);

    /** The record's row locked for the rest of the transaction, or null when there is no row. */
    Uni<LockedRow> lockRow(SqlConnection transaction, String workspaceId, String storeId, String key);

    /** Rewrites a row locked by {@link #lockRow}. */
    Uni<PutOutcome> rewrite(SqlConnection transaction, String storeId, String key, byte[] storedValue, int rawBytes,
            Instant expiresAt, LockedRow old);

    /** Sets or clears a live record's expiry; false when there is no live record (or no such store). */
    Uni<Boolean> expire(String workspaceId, String storeId, String key, Instant expiresAt);

    /**
     * Sets many records in the transaction, existing rows locked and rewritten and the rest inserted, in key order so
     * that concurrent batches cannot deadlock; what each replaced is known exactly, for quota.
     */
    Uni<PutManyOutcome> putMany(SqlConnection transaction, String workspaceId, String storeId, List<Expiring> items);

    /**
     * For a transaction about to write many rows of a store: waits for the store's other writers of many rows, then
     * locks the existing rows of {@code keys} in key order (the table's byte order), as groups of single writes, clears
     * and store deletions lock theirs, so that they wait for each other instead of deadlocking.
     */
    Uni<Void> lockKeys(SqlConnection transaction, String storeId, List<String> keys);

    /**
     * Evaluates a batch's checks in its transaction, on rows {@link #lockKeys} locked: an ETag check holds when the
     * key's live record is at that version, an absent check when the key has no live record (an expired row counts as
     * none). A key with no row at all is held too, until the transaction ends, so that no other writer can create it
     * meanwhile: every check that holds here still holds at commit. The failed keys come in the order of the checks.
     */
    Uni<CheckOutcome> check(SqlConnection transaction, String workspaceId, String storeId, List<Check> checks);

    /** Deletes the keys in the transaction; one outcome per key, in order. */
    Uni<List<DeleteOutcome>> deleteMany(SqlConnection transaction, String workspaceId, String storeId, List<String> keys);

    /** Live records among {@code keys}; the caller checks the store first. */
    Uni<List<StoredRecord>> getMany(String storeId, List<String> keys);

    /** How many rows (live or expired) exist among {@code keys}, and their stored bytes. */
    Uni<Rows> physicalMany(String storeId, List<String> keys);

    /** Live records of {@code storeId} after {@code afterKey} whose key {@code otherStoreId} lacks. */
    Uni<List<StoredRecord>> diff(String storeId, String otherStoreId, String afterKey, int limit, boolean withValues);

    Uni<Long> liveCount(String storeId);

    Uni<Boolean> storeExists(String workspaceId, String storeId);

    /** Live records in key order after {@code afterKey} within [{@code from}, {@code below}); the caller checks the store. */
    Uni<List<StoredRecord>> page(String storeId, String from, String below, String afterKey, int limit, boolean withValues);

    /** Removes every record of the store. */
    Uni<Cleared> clear(SqlClient client, String workspaceId, String storeId);

    /** Removes every row of a store that is being deleted, live or expired. */
    Uni<Rows> deleteAllOf(SqlClient client, String storeId);

    /** Removes exported rows that are still the versions exported: a record changed since keeps its newer value. */
    Uni<Rows> deleteIfUnchanged(SqlClient transaction, String storeId, List<String> keys, List<Long> versions);

    /** Deletes up to {@code limit} expired rows of any store, skipping rows others hold; what went, per store. */
    Uni<List<Swept>> sweepExpired(int limit);

    /** When the longest-expired row still stored expired; null when no expired row is left. */
    Uni<java.time.Instant> oldestExpired();

    /** A value ready to store with its expiry. */
    record Expiring(String key, byte[] json, byte[] stored, Instant expiresAt) {
    }

    /** What a put did, with what it replaced so quota can be settled. */
    record PutOutcome(Kind kind, long version, Instant expiresAt, int oldRawBytes, int oldStoredBytes, boolean oldRowExisted) {

        public boolean written() {
            return kind == Kind.CREATED || kind == Kind.REPLACED;
        }

        /** created, replaced, or why nothing was written. */
        public enum Kind { CREATED, REPLACED, NO_STORE, PRECONDITION_FAILED }
    }

    /** What a delete did. */
    record DeleteOutcome(Kind kind, int oldRawBytes, int oldStoredBytes) {

        /** Whether a row went, live or expired: a stored row always has at least its tag byte. */
        public boolean removedRow() {
            return oldStoredBytes > 0;
        }

        /** deleted, or why not. */
        public enum Kind { DELETED, ABSENT, NO_STORE, PRECONDITION_FAILED }
    }

    /** What a many-record put did: records set, keys it added, and how stored and raw bytes changed. */
    record PutManyOutcome(boolean storeFound, int set, long keysAdded, long storedDelta, long rawDelta) {
        public static final PutManyOutcome NO_STORE = new PutManyOutcome(false, 0, 0, 0, 0);
        public static final PutManyOutcome NOTHING = new PutManyOutcome(true, 0, 0, 0, 0);

        PutManyOutcome plus(int moreSet, long moreKeys, long moreStored, long moreRaw) {
            return new PutManyOutcome(storeFound, set + moreSet, keysAdded + moreKeys, storedDelta + moreStored,
                    rawDelta + moreRaw);
        }
    }

    /** Whether the store is the workspace's, and the keys whose checks failed. */
    record CheckOutcome(boolean storeFound, List<String> failed) {
        public static final CheckOutcome NO_STORE = new CheckOutcome(false, List.of());
    }

    /** A row as it stands, live or expired. */
    record Physical(long version, int storedBytes, boolean live) {
    }

    /** A record's row as locked for a read-modify-write inside one transaction. */
    record LockedRow(byte[] storedValue, long version, int rawBytes, int storedBytes, Instant expiresAt, boolean live) {
    }

    /** A point read: whether the store exists, and the live record if any. */
    record Lookup(boolean storeFound, StoredRecord record) {
    }

    /** A cleared store: live records removed, and all rows (expired too) with their sizes, for quota. */
    record Cleared(boolean storeFound, long liveRecords, long rows, long rawBytes, long storedBytes) {
    }

    /** Rows, with their raw and stored bytes. */
    record Rows(long rows, long rawBytes, long storedBytes) {
    }

    /** Expired rows one sweep removed from one store. */
    record Swept(String workspaceId, String storeId, long records, long rawBytes, long storedBytes) {
    }
}
