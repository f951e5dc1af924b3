package dev.datastores.record;

import java.time.Instant;

/** A record as stored: the value in its stored form (tag byte + raw or Brotli bytes). */
public record StoredRecord(String key, byte[] storedValue, long version, Instant updatedAt, Instant expiresAt) {

    public String etag() {
        return Etags.of(version);
    }
}
