package dev.datastores.store;

import java.time.Instant;

/** A store as the API shows it: with its live record count and sizes (compressed and as sent). */
public record StoreView(String id, String name, Instant createdAt, long recordCount, long storageBytes, long rawBytes) {
}
