package dev.datastores.record;

import dev.datastores.domain.DomainException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Time-to-live in whole seconds, 1 … 315,360,000 (ten years), written as plain digits: {@code ?ttl=} (empty),
 * {@code +5}, {@code 05}, {@code 1e3}, {@code 60.0} and {@code -1} are refused, never read as "no expiry" or rounded.
 * The expiry it gives is counted from the service's clock when the write is made.
 */
public record Ttl(long seconds) {

    public static final long MAX_SECONDS = 315_360_000L;
    private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,17}");

    /** The TTL the {@code ttl} query parameter asks for (all its occurrences), or null when it is absent. */
    public static Ttl fromQuery(List<String> ttl) {
        if (ttl == null || ttl.isEmpty()) {
            return null;
        }
        if (ttl.size() > 1) {
            throw DomainException.invalidTtl("ttl is given " + ttl.size() + " times; give it once");
        }
        return fromText(ttl.get(0));
    }

    /** The TTL a JSON {@code ttl} number asks for, from the number's text as sent. */
    public static Ttl fromJsonNumber(String text) {
        return fromText(text);
    }

    /** When a record written now with {@code ttl} expires; null (never) without one. */
    public static Instant expiryOf(Ttl ttl, Clock clock) {
        return ttl == null ? null : clock.instant().plusSeconds(ttl.seconds).truncatedTo(ChronoUnit.MICROS);
    }

    private static Ttl fromText(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        if (!DIGITS.matcher(text).matches()) {
            throw DomainException.invalidTtl("ttl must be a whole number of seconds in digits, 1 to " + MAX_SECONDS + "; got '" + shown + "'");
        }
        long seconds = Long.parseLong(text);
        if (seconds > MAX_SECONDS) {
            throw DomainException.invalidTtl("ttl must be a whole number of seconds, 1 to " + MAX_SECONDS + "; got " + seconds);
        }
        return new Ttl(seconds);
    }
}
