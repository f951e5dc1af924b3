package dev.datastores.quota;

import java.util.Locale;

/** When a workspace's counters may be replaced by PostgreSQL's figures. */
enum Rebuild {
    /** Only where Redis has no counters for the workspace yet. */
    INIT,
    /** Only while no write is in flight and none happened since the figures' sequence number was read. */
    IF_QUIET,
    /** Regardless: the writes marked in flight died with their replica. */
    FORCE;

    /** How the rebuild script spells it: the name in lower case, with a hyphen for the underscore. */
    String scriptArgument() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
