package dev.datastores.client;

/**
 * How a {@link StoreClient#put} writes: a TTL and at most one condition. {@code Put.ttl(60).ifMatch(etag)}.
 *
 * @param ttl          seconds the record lives (1 to 315,360,000), or null for no expiry
 * @param ifMatch      write only if the record is still at this ETag (as the service sent it, with its
 *                     quotes), or {@code *}: only if it exists
 * @param ifNoneMatch  write only if no live record has the key
 */
public record Put(Long ttl, String ifMatch, boolean ifNoneMatch) {

    public static final Put NONE = new Put(null, null, false);

    public Put {
        if (ifMatch != null && ifNoneMatch) {
            throw new IllegalArgumentException("a write is conditional on If-Match or If-None-Match, not both");
        }
    }

    public static Put ttl(long seconds) {
        return NONE.withTtl(seconds);
    }

    public static Put ifMatch(String etag) {
        return NONE.withIfMatch(etag);
    }

    /** {@code If-None-Match: *}: create only. */
    public static Put ifAbsent() {
        return new Put(null, null, true);
    }

    public Put withTtl(Long seconds) {
        return new Put(seconds, ifMatch, ifNoneMatch);
    }

    public Put withIfMatch(String etag) {
        return new Put(ttl, etag, ifNoneMatch);
    }

    public Put withIfAbsent() {
        return new Put(ttl, ifMatch, true);
    }
}
