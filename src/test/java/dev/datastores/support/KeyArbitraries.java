package dev.datastores.support;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Generated record keys: every valid key of the contract is fair game (arbitrary Unicode, dots, slashes, '%',
 * '?', '#', spaces), with extra weight on what paths treat specially, and two ways to write each in a path.
 */
public final class KeyArbitraries {

    private KeyArbitraries() {
    }

    /** Valid keys: 1 to 512 UTF-8 bytes, no control characters, no lone surrogates. */
    public static Arbitrary<String> keys() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("./%?#;+ a").ofMinLength(1).ofMaxLength(10),
                Arbitraries.of(".", "..", "/", "//", "./", "../", "a/..", "a/../b", "./a", "a/./b", "a//b", "/a", "a/", "%",
                        "%2E", "records", "records/k1", "?x=1", "#frag", " ", "...", "é", "😀", "a;b=c", "a+b"),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(24),
                Arbitraries.strings().withCharRange('\u00a0', '\uffff').ofMinLength(1).ofMaxLength(171))
                .filter(KeyArbitraries::isValid);
    }

    public static boolean isValid(String key) {
        if (key.isEmpty() || key.codePoints().anyMatch(Character::isISOControl)) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) ? i + 1 >= key.length() || !Character.isLowSurrogate(key.charAt(++i))
                    : Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return key.getBytes(StandardCharsets.UTF_8).length <= 512;
    }

    /** Every byte percent-encoded but letters, digits and {@code -_~}: dots and slashes too. */
    public static String encodeAll(String key) {
        return encode(key, "-_~");
    }

    /** Only what must be encoded in a path: dots, slashes and sub-delimiters stay as they are. */
    public static String encodeMinimally(String key) {
        return encode(key, "-_~./!$&'()*+,;=:@");
    }

    private static String encode(String key, String literal) {
        StringBuilder out = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || literal.indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }
}
