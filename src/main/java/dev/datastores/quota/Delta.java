package dev.datastores.quota;

/** A change in what a workspace holds: stores, keys and compressed bytes. */
public record Delta(long stores, long keys, long bytes) {

    public static final Delta NONE = new Delta(0, 0, 0);

    public Delta minus(Delta other) {
        return new Delta(stores - other.stores, keys - other.keys, bytes - other.bytes);
    }

    /** Whether this needs more than {@code reserved} in any dimension. */
    public boolean exceeds(Delta reserved) {
        return stores > reserved.stores || keys > reserved.keys || bytes > reserved.bytes;
    }

    /** Whether this frees room in any dimension. */
    public boolean frees() {
        return stores < 0 || keys < 0 || bytes < 0;
    }

    /** What must be reserved before a write: only growth needs room, shrinking is settled afterwards. */
    public Delta growth() {
        return new Delta(Math.max(0, stores), Math.max(0, keys), Math.max(0, bytes));
    }
}
