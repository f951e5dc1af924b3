package dev.datastores.record;

/**
 * A condition of a batch: the key's live record is at {@code version} (the ETag named it), or, with a null version,
 * there is no live record under the key. An ETag that names no version this service writes never holds.
 */
public record Check(String key, Long version) {

    public static Check etag(String key, long version) {
        return new Check(key, version);
    }

    public static Check absent(String key) {
        return new Check(key, null);
    }

    public boolean absent() {
        return version == null;
    }
}
