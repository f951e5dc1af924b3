package dev.datastores.http;

import java.util.Locale;
import java.util.regex.Pattern;

/** Content types the API accepts. */
public final class MediaTypes {

    /** {@code type/subtype} and parameters, as RFC 9110 writes a media type. */
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "\\s*[-!#$%&'*+.^_`|~0-9A-Za-z]+/[-!#$%&'*+.^_`|~0-9A-Za-z]+\\s*(;.*)?", Pattern.DOTALL);

    private MediaTypes() {
    }

    /** Whether a Content-Type header is a media type at all; one that is not can never be accepted (415). */
    public static boolean isWellFormed(String contentType) {
        return MEDIA_TYPE.matcher(contentType).matches();
    }

    /** Throws 415 unless the request is JSON; a request without Content-Type is taken as JSON. */
    public static void requireJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw Problems.unsupportedMediaType(contentType);
        }
    }
}
