package dev.datastores.change;

import dev.datastores.domain.DomainException;
import java.util.regex.Pattern;

/**
 * Positions as clients see them: sixteen lowercase hex digits, so that they compare the same as strings and as
 * numbers. Position 0 is the point before a store's first change.
 */
public final class Positions {

    private static final Pattern POSITION = Pattern.compile("[0-9a-f]{16}");

    private Positions() {
    }

    public static String format(long position) {
        String hex = Long.toHexString(position);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** The position a client sent back; null when it sent none. */
    public static Long parse(String text, String where) {
        if (text == null) {
            return null;
        }
        if (!POSITION.matcher(text).matches() || text.charAt(0) > '7') {
            throw DomainException.invalidPosition(where + " is not a position this service gave: '" + shorten(text) + "'");
        }
        return Long.parseUnsignedLong(text, 16);
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
