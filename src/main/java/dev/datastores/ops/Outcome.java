package dev.datastores.ops;

/** How a request ended, for the operations counter: a handful of values, whatever the status or problem. */
enum Outcome {
    OK("ok"),
    NOT_FOUND("not-found"),
    PRECONDITION_FAILED("precondition-failed"),
    /** A plan limit refused the write: quota (stores, keys, storage) or the value's size. */
    QUOTA_EXCEEDED("quota-exceeded"),
    RATE_LIMITED("rate-limited"),
    /** The request was malformed or broke a rule of the API (400, 409, 413, 415, …). */
    INVALID("invalid"),
    /** No valid token, or the token may not do this (401, 403 other than quota). */
    DENIED("denied"),
    /** PostgreSQL could not be reached (503). */
    UNAVAILABLE("unavailable"),
    /** A failure of the service (500). */
    ERROR("error"),
    /** The client closed the connection before any answer (recorded as 499). */
    ABORTED("aborted");

    /** The limit tag of every outcome but a quota refusal. */
    static final String NO_LIMIT = "none";
    /** The limit tag of a value over the plan's maxValueBytes. */
    static final String VALUE_BYTES = "valueBytes";

    private final String tag;

    Outcome(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }

    /** The outcome of an answer with this status, and the type slug of the problem it carried ("" for none). */
    static Outcome of(int status, String slug) {
        if (status < 400) {
            return OK;
        }
        if (slug.equals("quota-exceeded") || slug.equals("value-too-large")) {
            return QUOTA_EXCEEDED;
        }
        return switch (status) {
            case 404 -> NOT_FOUND;
            case 412 -> PRECONDITION_FAILED;
            case 429 -> RATE_LIMITED;
            case 401, 403 -> DENIED;
            case 503 -> UNAVAILABLE;
            case 499 -> ABORTED;
            default -> status >= 500 ? ERROR : INVALID;
        };
    }

    /** The plan limit a quota refusal names: stores, keys, storageBytes or valueBytes. */
    static String limitOf(String slug, Object limit) {
        if (slug.equals("value-too-large")) {
            return VALUE_BYTES;
        }
        return limit == null ? NO_LIMIT : limit.toString();
    }
}
