package dev.datastores.client;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

/**
 * A record as {@code GET …/records/{key}} answers it: the value's exact JSON bytes as they were written, and
 * its version.
 */
public final class StoredValue {

    private final String key;
    private final byte[] json;
    private final String etag;
    private final String lastModified;
    private final OffsetDateTime expiresAt;

    StoredValue(String key, byte[] json, String etag, String lastModified, OffsetDateTime expiresAt) {
        this.key = key;
        this.json = json;
        this.etag = etag;
        this.lastModified = lastModified;
        this.expiresAt = expiresAt;
    }

    public String key() {
        return key;
    }

    /** The value as JSON text, exactly as stored (member order, number text and escapes kept). */
    public String json() {
        return new String(json, StandardCharsets.UTF_8);
    }

    public byte[] bytes() {
        return json.clone();
    }

    /** The ETag, with its quotes, for {@link Put#ifMatch} and {@link StoreClient#delete(String, String)}. */
    public String etag() {
        return etag;
    }

    /** The {@code Last-Modified} header (an HTTP date), or null. */
    public String lastModified() {
        return lastModified;
    }

    /** When the record expires, or null when it has no TTL. */
    public OffsetDateTime expiresAt() {
        return expiresAt;
    }

    @Override
    public String toString() {
        return key + " " + etag + " " + json();
    }
}
