package dev.datastores.http;

import java.util.Map;

/**
 * An error a client is meant to see: it becomes one RFC 9457 problem document with a stable type slug.
 * Subclasses name the failure; {@link ProblemMapper} is the only place that turns them into responses.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, Object> extensions;

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, Map.of());
    }

    public ProblemException(int status, String slug, String title, String detail, Map<String, Object> extensions) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.extensions = extensions;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    /** Response headers that belong to this problem (Retry-After, WWW-Authenticate...). */
    public Map<String, String> headers() {
        return Map.of();
    }
}
