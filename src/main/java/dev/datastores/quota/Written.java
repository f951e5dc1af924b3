package dev.datastores.quota;

/**
 * The outcome of a guarded write together with what it actually changed, for settling the counters;
 * {@code storeRemoved} when the write deleted the store itself.
 */
public record Written<T>(T result, Delta workspace, StoreDelta store, boolean storeRemoved) {

    public Written(T result, Delta workspace, StoreDelta store) {
        this(result, workspace, store, false);
    }
}
