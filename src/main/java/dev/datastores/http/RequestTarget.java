package dev.datastores.http;

import dev.datastores.domain.DomainException;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A request's path, parsed once from the bytes the client sent; routing ({@link RequestTargetFilter}) and the
 * record routes' key both come from this parse. Under {@code /v1} every segment before a record key is a plain,
 * non-empty name: a dot segment, an empty segment ({@code //}), an encoded slash or a matrix parameter there is
 * refused rather than resolved, so no target can name another store, the store's listing or the store itself
 * by way of a path trick. In {@code R/{key}} everything after {@code records/} is the key, percent-decoded
 * exactly once, whatever dots and slashes it holds.
 *
 * @param rawPath     the path as sent
 * @param routingPath the path the router is to match: the raw path, or, when the key holds what a normalising
 *                    router would resolve ({@code .}, {@code ..}, {@code //}), the record route with a stand-in key
 * @param segments    the decoded segments of the path before the key (all of them when there is no key)
 * @param key         the record key, decoded; null when the target is not a record's
 */
public record RequestTarget(String rawPath, String routingPath, List<String> segments, String key) {

    private static final String CONTEXT_KEY = "datastores.request-target";
    private static final int RECORDS_SEGMENT = 5;
    /** Stands in for a key in {@link #routingPath}: one plain segment that no normalisation changes. */
    private static final String KEY_STAND_IN = "_";
    /** Query parameters whose empty value would mean nothing. */
    private static final Set<String> NEVER_EMPTY = Set.of("limit", "values", "cursor", "ttl", "against", "wait", "since");
    /** Characters of a raw key that every router leaves as they are. */
    private static final String ROUTED_AS_IS = "-._~!$&'()*+,=:@%/";

    public boolean hasKey() {
        return key != null;
    }

    /** Whether the router must be sent to {@link #routingPath} instead of the raw path. */
    public boolean needsRerouting() {
        return !routingPath.equals(rawPath);
    }

    /** The target parsed for this request by {@link RequestTargetFilter}. */
    public static RequestTarget of(RoutingContext context) {
        return context.get(CONTEXT_KEY);
    }

    void attachTo(RoutingContext context) {
        context.put(CONTEXT_KEY, this);
    }

    /** Parses a raw path (without the query); throws a 400 problem for a target that is malformed or not canonical. */
    public static RequestTarget parse(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw Problems.invalidRequest("The request target must be an absolute path");
        }
        boolean api = rawPath.equals("/v1") || rawPath.startsWith("/v1/");
        List<String> segments = new ArrayList<>();
        int start = 1;
        while (start <= rawPath.length()) {
            int end = rawPath.indexOf('/', start);
            if (end < 0) {
                end = rawPath.length();
            }
            String raw = rawPath.substring(start, end);
            if (api && isRecordsOfAStore(segments)) {
                return keyTarget(rawPath, segments, start);
            }
            segments.add(plainSegment(raw, api, end == rawPath.length()));
            start = end + 1;
        }
        return new RequestTarget(rawPath, rawPath, List.copyOf(segments), null);
    }

    /**
     * Throws a 400 problem unless the whole target (path and query) is a URI reference: the same check Quarkus'
     * HTTP layer makes, which dev.datastores.Datastores turns off there because it answers with an empty body.
     */
    public static void requireUri(String uri) {
        if (uri.indexOf('#') >= 0) {
            throw Problems.invalidRequest("A request target has no fragment; percent-encode '#' as %23");
        }
        try {
            new URI(uri);
        } catch (URISyntaxException e) {
            throw Problems.invalidRequest("The request target is not a valid URI at character " + e.getIndex()
                    + " (a '%' must be followed by two hex digits; spaces, quotes, '<', '>', '{', '}', '|', '\\' and '^' must be percent-encoded)");
        }
    }

    /**
     * Throws a 400 problem unless each query parameter is given once, decodes to UTF-8, and has a value where an
     * empty one means nothing ({@code ?limit=} is not "the default").
     */
    public static void requireWellFormedQuery(String query) {
        if (query == null || query.isEmpty()) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (String parameter : query.split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = decode(equals < 0 ? parameter : parameter.substring(0, equals), false);
            String value = decode(equals < 0 ? "" : parameter.substring(equals + 1), false);
            if (!names.add(name)) {
                throw Problems.invalidRequest("The query parameter '" + name + "' is given more than once");
            }
            if (value.isEmpty() && NEVER_EMPTY.contains(name)) {
                throw Problems.invalidRequest("The query parameter '" + name + "' is empty; leave it out for its default");
            }
        }
    }

    private static RequestTarget keyTarget(String rawPath, List<String> segments, int keyStart) {
        String rawKey = rawPath.substring(keyStart);
        String key = decode(rawKey, true);
        // The router resolves dot and empty segments, and JAX-RS cuts ';' parameters off a segment: a key holding
        // either is routed by this parse alone.
        boolean misleads = rawKey.chars().anyMatch(c -> !(c < 0x80 && Character.isLetterOrDigit(c) || ROUTED_AS_IS.indexOf(c) >= 0));
        for (String segment : rawKey.split("/", -1)) {
            String decoded = decode(segment, true);
            misleads |= decoded.isEmpty() || decoded.equals(".") || decoded.equals("..");
        }
        String routingPath = misleads ? rawPath.substring(0, keyStart) + KEY_STAND_IN : rawPath;
        return new RequestTarget(rawPath, routingPath, List.copyOf(segments), key);
    }

    /** {@code v1 workspaces {ws} stores {ds} records}: what follows is a key. */
    private static boolean isRecordsOfAStore(List<String> segments) {
        return segments.size() == RECORDS_SEGMENT + 1 && segments.get(0).equals("v1") && segments.get(1).equals("workspaces")
                && segments.get(3).equals("stores") && segments.get(RECORDS_SEGMENT).equals("records");
    }

    private static String plainSegment(String raw, boolean api, boolean last) {
        String decoded = decode(raw, false);
        if (decoded.equals(".") || decoded.equals("..")) {
            throw Problems.invalidRequest("The request target has a dot segment; send the path without '.' or '..'");
        }
        if (decoded.isEmpty() && (api || !last)) {
            throw Problems.invalidRequest("The request target has an empty segment ('//' or a trailing '/')");
        }
        if (raw.chars().anyMatch(c -> c >= 0x80)) {
            throw Problems.invalidRequest("A path segment before a record key must percent-encode non-ASCII characters");
        }
        if (api && (decoded.indexOf('/') >= 0 || raw.indexOf(';') >= 0)) {
            throw Problems.invalidRequest("A path segment before a record key may not hold an encoded '/' or a ';'");
        }
        return decoded;
    }

    /**
     * Percent-decodes once, as UTF-8; a malformed escape or invalid UTF-8 is a 400 (invalid-key within a key). The
     * HTTP codec hands over the request line's bytes one char each (ISO-8859-1), so a raw non-ASCII byte is a byte.
     */
    private static String decode(String raw, boolean isKey) {
        if (raw.chars().allMatch(c -> c != '%' && c < 0x80)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw isKey ? Problems.of(DomainException.invalidKey("Malformed percent-encoding in the key"))
                            : Problems.invalidRequest("Malformed percent-encoding in the request target");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c <= 0xFF) {
                bytes.write(c);
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
            throw isKey ? Problems.of(DomainException.invalidKey("The key is not valid UTF-8"))
                    : Problems.invalidRequest("The request target is not valid UTF-8 once decoded");
        }
    }
}
