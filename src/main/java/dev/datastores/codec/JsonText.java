package dev.datastores.codec;

import dev.datastores.domain.DomainException;
import java.util.Arrays;

/**
 * JSON text as bytes: the checks that make accepted bytes RFC 8259 text in UTF-8, which Jackson does not
 * make, and the compaction that puts a value on one line.
 */
public final class JsonText {

    private JsonText() {
    }

    /** {@link #require(byte[], int, int)} over all of {@code bytes}. */
    public static void require(byte[] bytes) {
        require(bytes, 0, bytes.length);
    }

    /**
     * Throws invalid-json unless the bytes are well-formed UTF-8 without a byte-order mark or a NUL byte, and
     * every {@code \}{@code uD800}-{@code \}{@code uDFFF} escape is half of a high-low pair. The parsers check
     * none of it fully: Jackson skips a byte-order mark, guesses UTF-16 or UTF-32 from NUL bytes, does not
     * decode the strings it skips, and turns a lone surrogate escape into a string no UTF-8 output can hold.
     * The JSON grammar itself is left to the parser.
     */
    public static void require(byte[] bytes, int offset, int length) {
        int end = offset + length;
        if (length >= 3 && bytes[offset] == (byte) 0xEF && bytes[offset + 1] == (byte) 0xBB && bytes[offset + 2] == (byte) 0xBF) {
            throw DomainException.invalidJson("The text starts with a byte-order mark; send UTF-8 without one");
        }
        int i = offset;
        while (i < end) {
            byte b = bytes[i];
            if (b == '\\') {
                i = afterEscape(bytes, i, end, offset);
            } else if (b > 0) {
                i++;
            } else if (b == 0) {
                throw DomainException.invalidJson("A NUL byte at byte " + (i - offset) + "; JSON text has none");
            } else {
                i = afterMultibyte(bytes, i, end, offset);
            }
        }
    }

    /**
     * The value without whitespace outside its strings, so it fits on one line; members keep their order and
     * numbers their text. Takes valid JSON (a stored value); bytes without whitespace come back as they are.
     */
    public static byte[] compact(byte[] json) {
        if (!hasWhitespace(json)) {
            return json;
        }
        byte[] out = new byte[json.length];
        int length = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                out[length++] = b;
                if (b == '\\') {
                    out[length++] = json[++i];
                } else if (b == '"') {
                    inString = false;
                }
            } else if (!isWhitespace(b)) {
                out[length++] = b;
                inString = b == '"';
            }
        }
        return Arrays.copyOf(out, length);
    }

    /**
     * Past a backslash and what it escapes. Only {@code \}{@code u} escapes of surrogates are checked; a backslash
     * outside a string, or before a character JSON does not escape, is the parser's to refuse.
     */
    private static int afterEscape(byte[] bytes, int i, int end, int offset) {
        int unit = hexEscape(bytes, i, end);
        if (unit < 0) {
            // skip the escaped character when it is ASCII (\" and \\ above all); anything else is decoded as usual
            return i + 1 < end && bytes[i + 1] > 0 ? i + 2 : i + 1;
        }
        if (Character.isHighSurrogate((char) unit)) {
            if (Character.isLowSurrogate((char) hexEscape(bytes, i + 6, end))) {
                return i + 12;
            }
        } else if (!Character.isLowSurrogate((char) unit)) {
            return i + 6;
        }
        throw DomainException.invalidJson("A lone surrogate escape \\u" + Integer.toHexString(unit) + " at byte " + (i - offset)
                + "; a character past U+FFFF is escaped as a high and low surrogate pair");
    }

    /** The code unit of the escape {@code \}{@code uXXXX} at {@code i}, or -1 when there is none. */
    private static int hexEscape(byte[] bytes, int i, int end) {
        if (i + 6 > end || bytes[i] != '\\' || bytes[i + 1] != 'u') {
            return -1;
        }
        int unit = 0;
        for (int k = i + 2; k < i + 6; k++) {
            int digit = Character.digit(bytes[k], 16);
            if (digit < 0) {
                return -1;
            }
            unit = unit << 4 | digit;
        }
        return unit;
    }

    /**
     * Past the multi-byte sequence at {@code i}, which must be one of Unicode's well-formed ones (Table 3-7): no
     * overlong form, no encoded surrogate, nothing past U+10FFFF.
     */
    private static int afterMultibyte(byte[] bytes, int i, int end, int offset) {
        int lead = bytes[i] & 0xFF;
        int length;
        int secondMin = 0x80;
        int secondMax = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            secondMin = lead == 0xE0 ? 0xA0 : 0x80;
            secondMax = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            secondMin = lead == 0xF0 ? 0x90 : 0x80;
            secondMax = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            throw notUtf8(i, offset);
        }
        if (i + length > end) {
            throw notUtf8(i, offset);
        }
        int second = bytes[i + 1] & 0xFF;
        if (second < secondMin || second > secondMax) {
            throw notUtf8(i, offset);
        }
        for (int k = i + 2; k < i + length; k++) {
            if ((bytes[k] & 0xC0) != 0x80) {
                throw notUtf8(i, offset);
            }
        }
        return i + length;
    }

    private static DomainException notUtf8(int i, int offset) {
        return DomainException.invalidJson("Not valid UTF-8 at byte " + (i - offset));
    }

    private static boolean hasWhitespace(byte[] json) {
        for (byte b : json) {
            if (isWhitespace(b)) {
                return true;
            }
        }
        return false;
    }

    /** JSON's four whitespace characters; nothing else may stand between tokens. */
    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
