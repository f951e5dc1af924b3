package dev.datastores.record;

import dev.datastores.http.Problems;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time-to-live in whole seconds, 1 … 315,360,000 (ten years). */
public final class Ttl {

    public static final long MAX_SECONDS = 315_360_000L;

    private Ttl() {
    }

    /** The expiry a {@code ?ttl=} query value asks for, or null when absent. */
    public static Instant fromQuery(String ttl) {
        if (ttl == null) {
            return null;
        }
        try {
            return expiryAfter(new BigDecimal(ttl.trim()));
        } catch (NumberFormatException e) {
            throw Problems.invalidTtl("ttl must be a whole number of seconds, 1 to " + MAX_SECONDS + "; got '" + ttl + "'");
        }
    }

    /** The expiry a JSON {@code ttl} member asks for, or null when absent or null. */
    public static Instant fromJson(BigDecimal ttl) {
        return ttl == null ? null : expiryAfter(ttl);
    }

    /** The detail quotes {@code seconds} in its compact form: the plain text of 1e999999999 is a gigabyte. */
    private static Instant expiryAfter(BigDecimal seconds) {
        if (seconds.stripTrailingZeros().scale() > 0 || seconds.compareTo(BigDecimal.ONE) < 0
                || seconds.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
            throw Problems.invalidTtl("ttl must be a whole number of seconds, 1 to " + MAX_SECONDS + "; got " + seconds);
        }
        return Instant.now().plusSeconds(seconds.longValueExact()).truncatedTo(ChronoUnit.MICROS);
    }
}
