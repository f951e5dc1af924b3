package dev.datastores.quota;

import java.util.List;

/** What a workspace holds: stores, keys across all its stores, and compressed bytes stored. */
public record Usage(long stores, long keys, long storageBytes) {

    /** This usage after a change. */
    public Usage plus(Delta change) {
        return new Usage(stores + change.stores(), keys + change.keys(), storageBytes + change.bytes());
    }

    /** The workspace's usage as the sum of its stores'. */
    public static Usage of(List<StoreDelta> stores) {
        return new Usage(stores.size(), stores.stream().mapToLong(StoreDelta::records).sum(),
                stores.stream().mapToLong(StoreDelta::storageBytes).sum());
    }
}
