package dev.datastores.quota;

import dev.datastores.http.Problems;
import dev.datastores.workspace.Plan;

/** Checks usage against a plan, naming the first limit passed. */
final class Limits {

    private Limits() {
    }

    /** Throws quota-exceeded when {@code usage} passes a limit in a dimension that {@code delta} grew. */
    static void check(Plan plan, Usage usage, Delta delta) {
        if (delta.stores() > 0 && usage.stores() > plan.maxStores) {
            throw Problems.quotaExceeded("stores", plan.maxStores, usage.stores() - delta.stores());
        }
        if (delta.keys() > 0 && usage.keys() > plan.maxKeys) {
            throw Problems.quotaExceeded("keys", plan.maxKeys, usage.keys() - delta.keys());
        }
        if (delta.bytes() > 0 && usage.storageBytes() > plan.maxStorageBytes) {
            throw Problems.quotaExceeded("storageBytes", plan.maxStorageBytes, usage.storageBytes() - delta.bytes());
        }
    }
}
