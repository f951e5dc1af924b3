package dev.datastores.record;

import dev.datastores.domain.DomainException;
import java.nio.charset.StandardCharsets;

/** Record keys: validated, and bounded for prefix scans. */
public final class Keys {

    public static final int MAX_BYTES = 512;

    private Keys() {
    }

    /** Throws invalid-key unless the key is 1 to 512 UTF-8 bytes without control characters. */
    public static String require(String key) {
        if (key == null || key.isEmpty()) {
            throw DomainException.invalidKey("A key must not be empty");
        }
        if (key.codePoints().anyMatch(Character::isISOControl)) {
            throw DomainException.invalidKey("A key must not contain NUL or other control characters");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw DomainException.invalidKey("A key is at most " + MAX_BYTES + " UTF-8 bytes; this one has " + bytes);
        }
        if (hasLoneSurrogate(key)) {
            throw DomainException.invalidKey("A key must be valid Unicode");
        }
        return key;
    }

    /**
     * The smallest string greater than every string that starts with {@code prefix}, in UTF-8 byte
     * order (which is code point order), or null when there is none.
     */
    public static String prefixUpperBound(String prefix) {
        int[] codePoints = prefix.codePoints().toArray();
        for (int i = codePoints.length - 1; i >= 0; i--) {
            int next = codePoints[i] + 1;
            if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
                next = Character.MAX_SURROGATE + 1;
            }
            if (next <= Character.MAX_CODE_POINT) {
                codePoints[i] = next;
                return new String(codePoints, 0, i + 1);
            }
        }
        return null;
    }

    private static boolean hasLoneSurrogate(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 >= key.length() || !Character.isLowSurrogate(key.charAt(i + 1)))) {
                return true;
            }
            if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(key.charAt(i - 1)))) {
                return true;
            }
        }
        return false;
    }
}
