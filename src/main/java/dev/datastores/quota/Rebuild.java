package dev.datastores.quota;

/** When a workspace's counters may be replaced by PostgreSQL's figures. */
enum Rebuild {
    /** Only where Redis has no counters for the workspace yet. */
    INIT("init"),
    /** Only while no write is in flight and none happened since the figures' sequence number was read. */
    IF_QUIET("if-quiet"),
    /** Regardless: the writes marked in flight died with their replica. */
    FORCE("force");

    private final String scriptArgument;

    Rebuild(String scriptArgument) {
        this.scriptArgument = scriptArgument;
    }

    /** How the rebuild script spells it. */
    String scriptArgument() {
        return scriptArgument;
    }
}
