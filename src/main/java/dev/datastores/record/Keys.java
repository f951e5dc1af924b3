package dev.datastores.record;

import dev.datastores.http.Problems;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Record keys: decoded from paths exactly once, validated, and bounded for prefix scans. */
public final class Keys {

    public static final int MAX_BYTES = 512;
    private static final int SEGMENTS_BEFORE_KEY = 7;

    private Keys() {
    }

    /**
     * The key named by a raw (still percent-encoded) request path
     * {@code /v1/workspaces/{ws}/stores/{ds}/records/{key...}}: everything after {@code records/}, decoded once.
     * It reads the request URI as sent, because the router's normalised path has lost {@code ..} segments.
     */
    public static String fromRequestUri(String requestUri) {
        int query = requestUri.indexOf('?');
        String rawPath = query < 0 ? requestUri : requestUri.substring(0, query);
        int at = -1;
        for (int slash = 0; slash < SEGMENTS_BEFORE_KEY; slash++) {
            at = rawPath.indexOf('/', at + 1);
            if (at < 0) {
                throw Problems.invalidKey("The path names no key");
            }
        }
        return require(percentDecode(rawPath.substring(at + 1)));
    }

    /** Throws invalid-key unless the key is 1 to 512 UTF-8 bytes without control characters. */
    public static String require(String key) {
        if (key == null || key.isEmpty()) {
            throw Problems.invalidKey("A key must not be empty");
        }
        if (key.codePoints().anyMatch(Character::isISOControl)) {
            throw Problems.invalidKey("A key must not contain NUL or other control characters");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw Problems.invalidKey("A key is at most " + MAX_BYTES + " UTF-8 bytes; this one has " + bytes);
        }
        if (hasLoneSurrogate(key)) {
            throw Problems.invalidKey("A key must be valid Unicode");
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

    private static String percentDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw Problems.invalidKey("Malformed percent-encoding in the key");
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] literal = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(literal, 0, literal.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw Problems.invalidKey("The key is not valid UTF-8");
        }
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
