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
        if (contentType != null && !contentType.isBlank() && !isJson(contentType)) {
            throw Problems.unsupportedMediaType(contentType);
        }
    }

    /**
     * Throws 415 when a JSON Content-Type names a charset other than UTF-8 (in any case, quoted or not): JSON text
     * is UTF-8 (RFC 8259), and bytes sent in another charset would be read as other characters.
     */
    public static void requireUtf8Json(String contentType) {
        if (contentType == null || !isJson(contentType)) {
            return;
        }
        String[] parameters = contentType.split(";");
        for (int i = 1; i < parameters.length; i++) {
            String[] parameter = parameters[i].split("=", 2);
            if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("charset")
                    && !unquoted(parameter[1].trim()).equalsIgnoreCase("utf-8")) {
                throw Problems.unsupportedMediaType(contentType);
            }
        }
    }

    private static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    private static String unquoted(String value) {
        boolean quoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"");
        return quoted ? value.substring(1, value.length() - 1) : value;
    }
}
