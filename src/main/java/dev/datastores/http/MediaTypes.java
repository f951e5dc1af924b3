package dev.datastores.http;

import java.util.Locale;

/** Content types the API accepts. */
public final class MediaTypes {

    private MediaTypes() {
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
