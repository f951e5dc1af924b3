package dev.datastores.record;

import dev.datastores.codec.ValueCodec;
import java.time.Instant;

/**
 * One value of a batch or an import: as sent, in its stored (compressed) form, and when it expires: after a time
 * to live counted from the write, or at a moment given outright (an import line of an export), or never.
 */
public record SetItem(String key, byte[] json, byte[] stored, Ttl ttl, Instant expiresAt) {

    /** Compresses the value: the costly part of a write, so callers may do it on any thread, in parallel. */
    public static SetItem encoding(String key, byte[] json, Ttl ttl, Instant expiresAt) {
        return new SetItem(key, json, ValueCodec.encode(json), ttl, expiresAt);
    }
}
