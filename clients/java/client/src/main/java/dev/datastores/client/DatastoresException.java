package dev.datastores.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Optional;

/**
 * The service refused a request: an RFC 9457 problem document (or, for a body-less answer such as HEAD, just
 * the status). {@link #slug()} is the stable last segment of the problem {@code type}, the thing to switch on
 * ({@code record-not-found}, {@code precondition-failed}, {@code quota-exceeded}, …); extension members such as
 * {@code line} and {@code imported} of {@code invalid-line} are in {@link #member(String)}.
 */
public class DatastoresException extends RuntimeException {

    private static final String TYPE_PREFIX = "https://datastores.dev/problems/";

    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final JsonNode problem;

    public DatastoresException(int status, String type, String title, String detail, JsonNode problem) {
        super(oneLine(status, type, title, detail));
        this.status = status;
        this.type = type;
        this.title = title;
        this.detail = detail;
        this.problem = problem == null ? NullNode.getInstance() : problem;
    }

    /** Reads an answer's body as a problem document; a body that is not one keeps the status and a short detail. */
    static DatastoresException of(int status, byte[] body, ObjectMapper mapper) {
        JsonNode problem = null;
        if (body != null && body.length > 0) {
            try {
                problem = mapper.readTree(body);
            } catch (java.io.IOException notJson) {
                problem = null;
            }
        }
        if (problem != null && problem.isObject()) {
            return new DatastoresException(status, text(problem, "type"), text(problem, "title"), text(problem, "detail"),
                    problem);
        }
        String detail = body == null || body.length == 0 ? null
                : new String(body, 0, Math.min(body.length, 200), java.nio.charset.StandardCharsets.UTF_8).strip();
        return new DatastoresException(status, null, null, detail, null);
    }

    private static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String oneLine(int status, String type, String title, String detail) {
        StringBuilder line = new StringBuilder().append(status);
        String slug = slugOf(type);
        if (slug != null) {
            line.append(' ').append(slug);
        }
        String text = detail != null ? detail : title;
        if (text != null && !text.isBlank()) {
            line.append(": ").append(text.replaceAll("\\s+", " ").strip());
        }
        return line.toString();
    }

    private static String slugOf(String type) {
        if (type == null || type.isBlank() || "about:blank".equals(type)) {
            return null;
        }
        return type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The problem {@code type} URI, or null when the answer had no problem document. */
    public String type() {
        return type;
    }

    /** The stable slug of the type ({@code precondition-failed}), or null when the answer had no problem document. */
    public String slug() {
        return slugOf(type);
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** The whole problem document (a missing node when there was none). */
    public JsonNode problem() {
        return problem;
    }

    /** An extension member of the problem document, such as {@code line}, {@code imported} or {@code limit}. */
    public Optional<JsonNode> member(String name) {
        return Optional.ofNullable(problem.get(name)).filter(node -> !node.isNull());
    }

    /** {@code status slug: detail} on one line, as the command line shows it. */
    public String oneLine() {
        return getMessage();
    }

    public boolean isNotFound() {
        return status == 404;
    }

    /**
     * 410 {@code history-expired} from a watch: the changes after its position are no longer kept. Re-read the
     * store, then watch from {@link #member member("next")}; {@code member("oldest")} is the oldest position kept.
     */
    public boolean isHistoryExpired() {
        return status == 410 && "history-expired".equals(slug());
    }

    public boolean isPreconditionFailed() {
        return status == 412;
    }
}
