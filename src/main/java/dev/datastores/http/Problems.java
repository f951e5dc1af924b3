package dev.datastores.http;

import dev.datastores.codec.JsonFailures;
import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.ChecksFailed;
import dev.datastores.domain.DomainException.DestinationRefused;
import dev.datastores.domain.DomainException.Forbidden;
import dev.datastores.domain.DomainException.HistoryExpired;
import dev.datastores.domain.DomainException.ImportStopped;
import dev.datastores.domain.DomainException.Invalid;
import dev.datastores.domain.DomainException.InvalidLine;
import dev.datastores.domain.DomainException.NameTaken;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.PreconditionFailed;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.RecordNotFound;
import dev.datastores.domain.DomainException.StoreLinked;
import dev.datastores.domain.DomainException.TooManyKeys;
import dev.datastores.domain.DomainException.TooManyRecords;
import dev.datastores.domain.DomainException.TooManyWatchers;
import dev.datastores.domain.DomainException.Unauthenticated;
import dev.datastores.domain.DomainException.ValueTooLarge;
import dev.datastores.domain.DomainException.WrongType;
import java.util.HashMap;
import java.util.Map;

/** The problems of the contract, one factory per type slug, so a slug is spelt in one place. */
public final class Problems {

    private Problems() {
    }

    /** How the contract answers a domain failure: its status, type slug, title, and the members that go with it. */
    public static ProblemException of(DomainException failure) {
        String detail = failure.getMessage();
        if (failure instanceof NotFound) {
            return new ProblemException(404, "not-found", "Not found", detail);
        }
        if (failure instanceof RecordNotFound) {
            return new ProblemException(404, "record-not-found", "Record not found", detail);
        }
        if (failure instanceof Invalid invalid) {
            return switch (invalid.kind()) {
                case JSON -> new ProblemException(400, "invalid-json", "Invalid JSON", detail);
                case KEY -> new ProblemException(400, "invalid-key", "Invalid key", detail);
                case TTL -> new ProblemException(400, "invalid-ttl", "Invalid TTL", detail);
                case CURSOR -> new ProblemException(400, "invalid-cursor", "Invalid cursor", detail);
                case POSITION -> new ProblemException(400, "invalid-position", "Invalid position", detail);
                case REQUEST -> invalidRequest(detail);
            };
        }
        if (failure instanceof HistoryExpired expired) {
            return new ProblemException(410, "history-expired", "History expired", detail,
                    Map.of("oldest", expired.oldest(), "next", expired.next()));
        }
        if (failure instanceof TooManyWatchers watchers) {
            return new ProblemException(429, "rate-limited", "Too many change streams", detail,
                    Map.of("limit", "watchers", "allowed", watchers.allowed())) {
                @Override
                public Map<String, String> headers() {
                    return Map.of("Retry-After", "15");
                }
            };
        }
        if (failure instanceof TooManyKeys) {
            return new ProblemException(400, "too-many-keys", "Too many keys", detail);
        }
        if (failure instanceof PreconditionFailed) {
            return new ProblemException(412, "precondition-failed", "Precondition failed", detail);
        }
        if (failure instanceof ChecksFailed checks) {
            return new ProblemException(412, "precondition-failed", "Precondition failed", detail,
                    Map.of("failed", checks.failed()));
        }
        if (failure instanceof NameTaken) {
            return new ProblemException(409, "name-taken", "Name taken", detail);
        }
        if (failure instanceof StoreLinked linked) {
            return new ProblemException(409, "store-linked", "Store is linked", detail, Map.of("links", linked.links()));
        }
        if (failure instanceof ValueTooLarge) {
            return new ProblemException(413, "value-too-large", "Value too large", detail);
        }
        if (failure instanceof QuotaExceeded quota) {
            return new ProblemException(403, "quota-exceeded", "Quota exceeded", detail,
                    Map.of("limit", quota.limit().wireName(), "allowed", quota.allowed(), "used", quota.used()));
        }
        if (failure instanceof Unauthenticated) {
            return unauthorized();
        }
        if (failure instanceof Forbidden) {
            return forbidden(detail);
        }
        if (failure instanceof WrongType wrongType) {
            return wrongType.expected() == WrongType.Expected.NUMBER
                    ? new ProblemException(409, "not-a-number", "Not a number", detail)
                    : new ProblemException(409, "not-an-array", "Not an array", detail);
        }
        if (failure instanceof TooManyRecords tooMany) {
            return new ProblemException(426, "too-many-records", "Too many records", detail,
                    Map.of("recordCount", tooMany.recordCount()));
        }
        if (failure instanceof DestinationRefused) {
            return new ProblemException(400, "destination-not-allowed", "Destination not allowed", detail);
        }
        if (failure instanceof InvalidLine invalidLine) {
            return new ProblemException(400, "invalid-line", "Invalid line", detail,
                    Map.of("line", invalidLine.line(), "imported", invalidLine.imported()));
        }
        ImportStopped stopped = (ImportStopped) failure;
        ProblemException refusal = of(stopped.refusal());
        Map<String, Object> extensions = new HashMap<>(refusal.extensions());
        extensions.put("imported", stopped.imported());
        return new ProblemException(refusal.status(), refusal.slug(), refusal.title(), detail, extensions) {
            @Override
            public Map<String, String> headers() {
                return refusal.headers();
            }
        };
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not-found", "Not found", what + " does not exist");
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

    public static ProblemException unsupportedMediaType(String contentType) {
        return unsupportedMediaType(contentType, "application/json");
    }

    /** {@code accepted}: what this route takes, as the client should send it. */
    public static ProblemException unsupportedMediaType(String contentType, String accepted) {
        return new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                "Content-Type " + contentType + " is not accepted here; send " + accepted);
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
}
