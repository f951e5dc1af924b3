package dev.datastores.quota;

/** What a settlement does to the per-store counters it names. */
public enum StoreCounters {
    /** Adds the deltas to the stores' counters, where they exist. */
    ADJUST("adjust"),
    /** Starts the stores' counters at zero: the stores were just created. */
    CREATE("create"),
    /** Drops the stores' counters: the stores are gone. */
    DELETE("delete");

    private final String scriptArgument;

    StoreCounters(String scriptArgument) {
        this.scriptArgument = scriptArgument;
    }

    /** How the settle script spells it. */
    String scriptArgument() {
        return scriptArgument;
    }
}
