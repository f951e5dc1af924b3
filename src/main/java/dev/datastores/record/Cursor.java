package dev.datastores.record;

import dev.datastores.domain.DomainException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page cursors: the last key of a page, so the next page starts strictly after it. */
public final class Cursor {

    private static final String VERSION = "k1:";

    private Cursor() {
    }

    public static String after(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The key a cursor continues after; invalid-cursor for anything this service did not issue. */
    public static String keyOf(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!decoded.startsWith(VERSION) || decoded.length() == VERSION.length()) {
                throw DomainException.invalidCursor();
            }
            return Keys.require(decoded.substring(VERSION.length()));
        } catch (IllegalArgumentException | DomainException e) {
            throw DomainException.invalidCursor();
        }
    }
}
