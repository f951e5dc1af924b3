package dev.datastores.quota;

/** What a workspace holds: stores, keys across all its stores, and compressed bytes stored. */
public record Usage(long stores, long keys, long storageBytes) {
}
