package dev.datastores.domain;

import java.util.Arrays;
import java.util.List;

/**
 * Why the service will not, or cannot, do what it was asked, in the domain's own words. Services, storage and
 * the codec throw these; how each is answered over HTTP (status, type slug, headers) is decided in one place,
 * the HTTP layer's {@code ProblemMapper}.
 */
public abstract sealed class DomainException extends RuntimeException {

    DomainException(String detail) {
        super(detail, null, false, false);
    }

    /** A workspace, store, link, key, plan or job the caller's workspace does not have. */
    public static final class NotFound extends DomainException {
        public NotFound(String what) {
            super(what + " does not exist");
        }
    }

    /** No live record under the key. */
    public static final class RecordNotFound extends DomainException {
        private final String key;

        public RecordNotFound(String key) {
            super("No record with key '" + key + "'");
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** Input that breaks a rule; {@link #kind()} says which part of the input. */
    public static final class Invalid extends DomainException {
        private final Input kind;

        public Invalid(Input kind, String detail) {
            super(detail);
            this.kind = kind;
        }

        public Input kind() {
            return kind;
        }

        /** The part of a request that was refused. */
        public enum Input { JSON, KEY, TTL, CURSOR, POSITION, REQUEST }
    }

    public static Invalid invalidJson(String detail) {
        return new Invalid(Invalid.Input.JSON, detail);
    }

    public static Invalid invalidKey(String detail) {
        return new Invalid(Invalid.Input.KEY, detail);
    }

    public static Invalid invalidTtl(String detail) {
        return new Invalid(Invalid.Input.TTL, detail);
    }

    public static Invalid invalidCursor() {
        return new Invalid(Invalid.Input.CURSOR, "The cursor was not issued by this service");
    }

    public static Invalid invalidPosition(String detail) {
        return new Invalid(Invalid.Input.POSITION, detail);
    }

    public static Invalid invalidRequest(String detail) {
        return new Invalid(Invalid.Input.REQUEST, detail);
    }

    /** A watch that would resume after changes no longer kept: the client re-reads the store and watches from {@code next}. */
    public static final class HistoryExpired extends DomainException {
        private final String oldest;
        private final String next;

        public HistoryExpired(String oldest, String next) {
            super("The store's changes are kept from position " + oldest + " on; re-read the store, then watch from " + next);
            this.oldest = oldest;
            this.next = next;
        }

        public String oldest() {
            return oldest;
        }

        public String next() {
            return next;
        }
    }

    /** As many change streams open in the workspace as its plan allows. */
    public static final class TooManyWatchers extends DomainException {
        private final long allowed;

        public TooManyWatchers(long allowed) {
            super("The workspace's plan allows " + allowed + " open change streams; close one, or retry later");
            this.allowed = allowed;
        }

        public long allowed() {
            return allowed;
        }
    }

    /** More keys or records in one request than one request may carry. */
    public static final class TooManyKeys extends DomainException {
        public TooManyKeys(int max) {
            super("At most " + max + " keys or records per request");
        }
    }

    /** A condition of the write (an ETag, absence, existence) did not hold; nothing was written. */
    public static final class PreconditionFailed extends DomainException {
        public PreconditionFailed(String detail) {
            super(detail);
        }
    }

    /** Checks of a batch that did not hold at commit; nothing of the batch was written. */
    public static final class ChecksFailed extends DomainException {
        private final List<String> failed;

        public ChecksFailed(List<String> failed) {
            super(failed.size() == 1 ? "The check on '" + failed.get(0) + "' did not hold; nothing was written"
                    : failed.size() + " checks did not hold; nothing was written");
            this.failed = List.copyOf(failed);
        }

        /** The keys whose checks failed, in the order the batch listed them. */
        public List<String> failed() {
            return failed;
        }
    }

    /** The workspace has a store of that name already. */
    public static final class NameTaken extends DomainException {
        public NameTaken(String name) {
            super("A store named '" + name + "' already exists");
        }
    }

    /** The store has links, which must go before it can. */
    public static final class StoreLinked extends DomainException {
        private final Object links;

        public StoreLinked(Object links) {
            super("Remove the store's links before deleting it");
            this.links = links;
        }

        public Object links() {
            return links;
        }
    }

    /** A value larger than the workspace's plan allows. */
    public static final class ValueTooLarge extends DomainException {
        public ValueTooLarge(long size, long max) {
            super("The value is " + size + " bytes; the plan allows " + max);
        }
    }

    /** A write that would take the workspace past one of its plan's limits. */
    public static final class QuotaExceeded extends DomainException {
        private final Limit limit;
        private final long allowed;
        private final long used;

        public QuotaExceeded(Limit limit, long allowed, long used) {
            super("The workspace's plan allows " + allowed + " " + limit.wireName() + "; " + used + " in use");
            this.limit = limit;
            this.allowed = allowed;
            this.used = used;
        }

        public Limit limit() {
            return limit;
        }

        public long allowed() {
            return allowed;
        }

        public long used() {
            return used;
        }

        /** Whether {@code failure} is a refusal at one of {@code limits}. */
        public static boolean at(Throwable failure, Limit... limits) {
            return failure instanceof QuotaExceeded refusal && Arrays.asList(limits).contains(refusal.limit);
        }
    }

    /** The limits of a plan that writes are held to. */
    public enum Limit {
        STORES("stores"), KEYS("keys"), STORAGE_BYTES("storageBytes");

        private final String wireName;

        Limit(String wireName) {
            this.wireName = wireName;
        }

        /** The limit's name in the plan and in refusals. */
        public String wireName() {
            return wireName;
        }
    }

    /** No valid credentials: the token names no key. */
    public static final class Unauthenticated extends DomainException {
        public Unauthenticated() {
            super("A valid bearer token is required");
        }
    }

    /** The caller may not do this, whatever the input. */
    public static final class Forbidden extends DomainException {
        public Forbidden(String detail) {
            super(detail);
        }
    }

    /** An operation that needs a number or an array found another kind of value. */
    public static final class WrongType extends DomainException {
        private final Expected expected;

        public WrongType(String key, Expected expected) {
            super("The record '" + key + "' does not hold " + (expected == Expected.NUMBER ? "a number" : "an array"));
            this.expected = expected;
        }

        public Expected expected() {
            return expected;
        }

        /** What the operation works on. */
        public enum Expected { NUMBER, ARRAY }
    }

    /** A store too large to answer whole. */
    public static final class TooManyRecords extends DomainException {
        private final long recordCount;

        public TooManyRecords(long recordCount, int max) {
            super("The store holds " + recordCount + " records; this call returns at most " + max
                    + ". Page through GET records or use export instead");
            this.recordCount = recordCount;
        }

        public long recordCount() {
            return recordCount;
        }
    }

    /** An export destination the operator's rules refuse. */
    public static final class DestinationRefused extends DomainException {
        public DestinationRefused(String why) {
            super("The export destination is refused: " + why);
        }
    }

    /** A line of an import that is not a record; the lines before it were imported. */
    public static final class InvalidLine extends DomainException {
        private final long line;
        private final long imported;

        public InvalidLine(long line, long imported, String why) {
            super("Line " + line + " is not a record {\"key\", \"value\", \"ttl\"?}: " + why
                    + ". The lines before it were imported; resume after it");
            this.line = line;
            this.imported = imported;
        }

        public long line() {
            return line;
        }

        public long imported() {
            return imported;
        }
    }

    /** An import stopped by a refusal (quota, a value too large...) after {@link #imported()} records. */
    public static final class ImportStopped extends DomainException {
        private final DomainException refusal;
        private final long imported;

        public ImportStopped(DomainException refusal, long imported) {
            super(refusal.getMessage());
            this.refusal = refusal;
            this.imported = imported;
        }

        public DomainException refusal() {
            return refusal;
        }

        public long imported() {
            return imported;
        }
    }
}
