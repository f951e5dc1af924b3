package dev.datastores.quota;

import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.tenant.Plan;

/** Checks usage against a plan, naming the first limit passed. */
final class Limits {

    private Limits() {
    }

    /** Throws quota-exceeded when {@code usage} passes a limit in a dimension that {@code delta} grew. */
    static void check(Plan plan, Usage usage, Delta delta) {
        if (delta.stores() > 0 && usage.stores() > plan.maxStores) {
            throw new QuotaExceeded(Limit.STORES, plan.maxStores, usage.stores() - delta.stores());
        }
        if (delta.keys() > 0 && usage.keys() > plan.maxKeys) {
            throw new QuotaExceeded(Limit.KEYS, plan.maxKeys, usage.keys() - delta.keys());
        }
        if (delta.bytes() > 0 && usage.storageBytes() > plan.maxStorageBytes) {
            throw new QuotaExceeded(Limit.STORAGE_BYTES, plan.maxStorageBytes, usage.storageBytes() - delta.bytes());
        }
    }
}
