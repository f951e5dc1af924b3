package dev.datastores.quota;

import java.util.Locale;

/** What a settlement does to the per-store counters it names. */
public enum StoreCounters {
    /** Adds the deltas to the stores' counters, where they exist. */
    ADJUST,
    /** Starts the stores' counters at zero: the stores were just created. */
    CREATE,
    /** Drops the stores' counters: the stores are gone. */
    DELETE;

    /** How the settle script spells it: the name in lower case. */
    String scriptArgument() {
        return name().toLowerCase(Locale.ROOT);
    }
}
