package dev.datastores.client;

import java.time.OffsetDateTime;

/**
 * The answer to a write: whether the key was new (201) or a value was replaced (200), the new ETag and the
 * expiry.
 */
public record Written(boolean created, String key, String etag, OffsetDateTime expiresAt, Long rawBytes,
        Long storageBytes) {
}
