package dev.datastores.change;

import java.time.Instant;

/**
 * One committed change of a store, at its position in the store's commit order. {@code storedValue} is the value as
 * stored (compressed) for a {@code set}, null otherwise or when values were not asked for; {@code expired} marks a
 * removal by expiry; {@code recordedAt} is when it was committed, by PostgreSQL's clock.
 */
public record Change(long position, Kind kind, String key, long version, byte[] storedValue, Instant expiresAt,
        boolean expired, Instant recordedAt) {

    /** What happened, named as the contract names the event. */
    public enum Kind {
        SET("set"), DELETE("delete"), CLEAR("clear"), STORE_DELETED("store-deleted");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Kind of(String wireName) {
            for (Kind kind : values()) {
                if (kind.wireName.equals(wireName)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("Unknown change kind " + wireName);
        }
    }

    /** Whether a watcher of keys under {@code prefix} sees it: a clear or a store deletion concerns every key. */
    public boolean concerns(String prefix) {
        return prefix == null || key == null || key.startsWith(prefix);
    }

    /** Bytes this change holds in memory, for the bounds of what a replica keeps of recent changes. */
    long footprint() {
        return 96 + (key == null ? 0 : 2L * key.length()) + (storedValue == null ? 0 : storedValue.length);
    }
}
