package dev.datastores.client;

import java.nio.charset.StandardCharsets;

/**
 * Record keys in request paths. The service takes everything after {@code records/} as the key and
 * percent-decodes it exactly once, so a key is written segment by segment (split at {@code /}): every byte
 * outside RFC 3986's unreserved characters is percent-encoded ({@code %}, {@code ?}, {@code #}, spaces,
 * Unicode…), and a segment that is {@code .} or {@code ..} is written {@code %2E} / {@code %2E%2E} so that no
 * client library, proxy or gateway on the way takes it for a dot segment and drops it (the service itself takes
 * a bare one as part of the key, but {@code a/./b} normalised on the way arrives as the key {@code a/b}). The
 * generated API classes use {@code URLEncoder}, which leaves {@code .} and {@code ..} bare: the record
 * operations go through {@link StoreClient}.
 */
public final class Keys {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Keys() {
    }

    /** The key as a path: segments percent-encoded, joined by {@code /}. */
    public static String encodePath(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a key is 1 to 512 UTF-8 bytes");
        }
        StringBuilder path = new StringBuilder(key.length() + 16);
        int start = 0;
        while (true) {
            int slash = key.indexOf('/', start);
            String segment = slash < 0 ? key.substring(start) : key.substring(start, slash);
            if (segment.equals(".")) {
                path.append("%2E");
            } else if (segment.equals("..")) {
                path.append("%2E%2E");
            } else {
                encodeInto(segment, path);
            }
            if (slash < 0) {
                return path.toString();
            }
            path.append('/');
            start = slash + 1;
        }
    }

    /** One query parameter value (or any text) with every byte outside the unreserved characters encoded. */
    public static String encodeComponent(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        encodeInto(text, out);
        return out.toString();
    }

    private static void encodeInto(String text, StringBuilder out) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }
}
