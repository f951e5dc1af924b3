package dev.datastores.http;

import java.util.Map;

/** The problems of the contract, one factory per type slug, so a slug is spelt in one place. */
public final class Problems {

    private Problems() {
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not-found", "Not found", what + " does not exist");
    }

    public static ProblemException recordNotFound(String key) {
        return new ProblemException(404, "record-not-found", "Record not found", "No record with key '" + key + "'");
    }

    public static ProblemException invalidJson(String detail) {
        return new ProblemException(400, "invalid-json", "Invalid JSON", detail);
    }

    /**
     * A body the JSON parser refused, said in plain words with where: the parser's own message may name its Java
     * types and settings ({@code StreamReadConstraints.getMaxNestingDepth()}), which are no business of a client.
     */
    public static ProblemException invalidJson(com.fasterxml.jackson.core.JsonProcessingException failure) {
        return invalidJson(JsonFailures.describe(failure));
    }

    public static ProblemException invalidKey(String detail) {
        return new ProblemException(400, "invalid-key", "Invalid key", detail);
    }

    public static ProblemException invalidTtl(String detail) {
        return new ProblemException(400, "invalid-ttl", "Invalid TTL", detail);
    }

    public static ProblemException invalidCursor() {
        return new ProblemException(400, "invalid-cursor", "Invalid cursor", "The cursor was not issued by this service");
    }

    public static ProblemException invalidRequest(String detail) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail);
    }

    public static ProblemException methodNotAllowed(String method, java.util.Set<String> allowed) {
        String allow = String.join(", ", allowed);
        return new ProblemException(405, "method-not-allowed", "Method not allowed",
                method + " is not a method of this path; it allows " + allow) {
            @Override
            public Map<String, String> headers() {
                return Map.of("Allow", allow);
            }
        };
    }

    public static ProblemException uriTooLong(int max) {
        return new ProblemException(414, "uri-too-long", "URI too long", "The request target is longer than " + max + " characters");
    }

    public static ProblemException headersTooLarge(int max) {
        return new ProblemException(431, "headers-too-large", "Request header fields too large",
                "The request's headers are larger than " + max + " bytes together");
    }

    public static ProblemException httpVersionNotSupported() {
        return new ProblemException(505, "http-version-not-supported", "HTTP version not supported",
                "This service speaks HTTP/1.0, HTTP/1.1 and HTTP/2");
    }

    public static ProblemException noSuchRoute() {
        return new ProblemException(404, "not-found", "Not found", "No route of the API has this path");
    }

    public static ProblemException tooManyKeys(int max) {
        return new ProblemException(400, "too-many-keys", "Too many keys", "At most " + max + " keys or records per request");
    }

    public static ProblemException unsupportedMediaType(String contentType) {
        return new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                "Content-Type " + contentType + " is not accepted here; send application/json");
    }

    public static ProblemException preconditionFailed(String detail) {
        return new ProblemException(412, "precondition-failed", "Precondition failed", detail);
    }

    public static ProblemException nameTaken(String name) {
        return new ProblemException(409, "name-taken", "Name taken", "A store named '" + name + "' already exists");
    }

    public static ProblemException storeLinked(Object links) {
        return new ProblemException(409, "store-linked", "Store is linked",
                "Remove the store's links before deleting it", Map.of("links", links));
    }

    public static ProblemException valueTooLarge(long size, long max) {
        return new ProblemException(413, "value-too-large", "Value too large",
                "The value is " + size + " bytes; the plan allows " + max);
    }

    public static ProblemException payloadTooLarge(long limit) {
        return new ProblemException(413, "payload-too-large", "Payload too large",
                "The request body is larger than this route accepts (" + limit + " bytes)");
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    public static ProblemException unauthorized() {
        return new ProblemException(401, "unauthorized", "Unauthorized", "A valid bearer token is required") {
            @Override
            public Map<String, String> headers() {
                return Map.of("WWW-Authenticate", "Bearer realm=\"datastores\"");
            }
        };
    }

    public static ProblemException quotaExceeded(String limit, long allowed, long used) {
        return new ProblemException(403, "quota-exceeded", "Quota exceeded",
                "The workspace's plan allows " + allowed + " " + limit + "; " + used + " in use",
                Map.of("limit", limit, "allowed", allowed, "used", used));
    }

    public static ProblemException rateLimited(long limit, long resetSeconds) {
        return new ProblemException(429, "rate-limited", "Rate limited",
                "The workspace's plan allows " + limit + " requests per second; retry after " + resetSeconds + " s") {
            @Override
            public Map<String, String> headers() {
                return Map.of("Retry-After", Long.toString(resetSeconds), "RateLimit-Limit", Long.toString(limit),
                        "RateLimit-Remaining", "0", "RateLimit-Reset", Long.toString(resetSeconds));
            }
        };
    }

    /** Seconds a client should wait before retrying after {@link #unavailable}: about how long a PostgreSQL restart takes. */
    public static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

    public static ProblemException unavailable(String dependency) {
        return new ProblemException(503, "unavailable", "Service unavailable",
                dependency + " cannot be reached; retry after " + UNAVAILABLE_RETRY_AFTER_SECONDS + " s") {
            @Override
            public Map<String, String> headers() {
                return Map.of("Retry-After", Integer.toString(UNAVAILABLE_RETRY_AFTER_SECONDS));
            }
        };
    }

    public static ProblemException notANumber(String key) {
        return new ProblemException(409, "not-a-number", "Not a number", "The record '" + key + "' does not hold a number");
    }

    public static ProblemException notAnArray(String key) {
        return new ProblemException(409, "not-an-array", "Not an array", "The record '" + key + "' does not hold an array");
    }

    public static ProblemException tooManyRecords(long recordCount, int max) {
        return new ProblemException(426, "too-many-records", "Too many records",
                "The store holds " + recordCount + " records; this call returns at most " + max
                        + ". Page through GET records or use export instead",
                Map.of("recordCount", recordCount));
    }

    public static ProblemException destinationNotAllowed(String why) {
        return new ProblemException(400, "destination-not-allowed", "Destination not allowed",
                "The export destination is refused: " + why);
    }
}
