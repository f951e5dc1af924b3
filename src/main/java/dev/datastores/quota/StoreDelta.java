package dev.datastores.quota;

/** A change in one store's record count and sizes (compressed and as sent). */
public record StoreDelta(String storeId, long records, long storageBytes, long rawBytes) {
}
