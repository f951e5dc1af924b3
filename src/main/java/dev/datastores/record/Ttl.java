package dev.datastores.record;

import dev.datastores.domain.DomainException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Time-to-live in whole seconds, 1 … 315,360,000 (ten years), written as plain digits: {@code ?ttl=} (empty),
 * {@code +5}, {@code 05}, {@code 1e3}, {@code 60.0} and {@code -1} are refused, never read as "no expiry" or rounded.
 */
public final class Ttl {

    public static final long MAX_SECONDS = 315_360_000L;
    private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,17}");

    private Ttl() {
    }

    /** The expiry the {@code ttl} query parameter asks for (all its occurrences), or null when it is absent. */
    public static Instant fromQuery(List<String> ttl) {
        if (ttl == null || ttl.isEmpty()) {
            return null;
        }
        if (ttl.size() > 1) {
            throw DomainException.invalidTtl("ttl is given " + ttl.size() + " times; give it once");
        }
        return fromText(ttl.get(0));
    }

    /** The expiry a JSON {@code ttl} number asks for, from the number's text as sent. */
    public static Instant fromJsonNumber(String text) {
        return fromText(text);
    }

    private static Instant fromText(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        if (!DIGITS.matcher(text).matches()) {
            throw DomainException.invalidTtl("ttl must be a whole number of seconds in digits, 1 to " + MAX_SECONDS + "; got '" + shown + "'");
        }
        long seconds = Long.parseLong(text);
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw DomainException.invalidTtl("ttl must be a whole number of seconds, 1 to " + MAX_SECONDS + "; got " + seconds);
        }
        return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.MICROS);
    }
}
