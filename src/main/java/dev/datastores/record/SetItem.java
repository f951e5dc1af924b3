package dev.datastores.record;

import dev.datastores.codec.ValueCodec;

/** One value of a batch or an import: as sent, in its stored (compressed) form, and its time to live if any. */
public record SetItem(String key, byte[] json, byte[] stored, Ttl ttl) {

    /** Compresses the value: the costly part of a write, so callers may do it on any thread, in parallel. */
    public static SetItem encoding(String key, byte[] json, Ttl ttl) {
        return new SetItem(key, json, ValueCodec.encode(json), ttl);
    }
}
