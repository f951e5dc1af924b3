package dev.datastores.record;

import dev.datastores.domain.DomainException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.datastores.codec.ValueCodec;
import dev.datastores.http.MediaTypes;
import dev.datastores.http.ProblemMapper;
import dev.datastores.http.Problems;
import dev.datastores.http.RequestTarget;
import dev.datastores.record.RecordService.PutResult;
import dev.datastores.record.RecordService.WriteCondition;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Records of one store: {@code R/{key}} where the key is everything after {@code records/}, decoded once. The key
 * comes from {@link RequestTarget}, never from the router's path parameter, which a normalised path may have changed.
 */
@Path("/v1/workspaces/{ws}/stores/{ds}/records")
@Produces(MediaType.APPLICATION_JSON)
public class RecordResource {

    private static final String EXPIRES_AT = "Expires-At";

    private final RecordService records;

    public RecordResource(RecordService records) {
        this.records = records;
    }

    @PUT
    @Path("{key: .+}")
    public Uni<Response> put(@RestPath String ws, @RestPath String ds, RoutingContext request,
            @RestHeader("Content-Type") String contentType, byte[] body) {
        String key = keyOf(request);
        MediaTypes.requireJson(contentType);
        WriteCondition condition = WriteCondition.fromHeaders(rawHeader(request, "If-Match"), rawHeader(request, "If-None-Match"));
        return records.put(ws, ds, key, body == null ? new byte[0] : body, Ttl.fromQuery(request.queryParam("ttl")), condition)
                .map(result -> Response.status(result.created() ? Response.Status.CREATED : Response.Status.OK)
                        .tag(unquoted(result.etag()))
                        .entity(new PutView(result))
                        .build());
    }

    @GET
    @Path("{key: .+}")
    public Uni<Response> get(@RestPath String ws, @RestPath String ds, RoutingContext request,
            @RestHeader("If-None-Match") String ifNoneMatch, @RestHeader("Accept-Encoding") String acceptEncoding) {
        return read(ws, ds, request, ifNoneMatch, acceptEncoding, true);
    }

    @HEAD
    @Path("{key: .+}")
    public Uni<Response> head(@RestPath String ws, @RestPath String ds, RoutingContext request,
            @RestHeader("If-None-Match") String ifNoneMatch) {
        return read(ws, ds, request, ifNoneMatch, null, false);
    }

    @DELETE
    @Path("{key: .+}")
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    public Uni<Response> delete(@RestPath String ws, @RestPath String ds, RoutingContext request) {
        String key = keyOf(request);
        return records.delete(ws, ds, key, WriteCondition.fromHeaders(rawHeader(request, "If-Match"), null))
                .replaceWith(Response.noContent().build());
    }

    @GET
    public Uni<PageView> list(@RestPath String ws, @RestPath String ds, @RestQuery String prefix,
            @RestQuery String limit, @RestQuery String cursor, @RestQuery String values) {
        boolean withValues = parseValues(values);
        if (prefix != null && !prefix.isEmpty()) {
            Keys.require(prefix);
        }
        return records.list(ws, ds, prefix, parseLimit(limit), cursor, withValues).map(page -> PageView.of(page, withValues));
    }

    @DELETE
    public Uni<Map<String, Long>> clear(@RestPath String ws, @RestPath String ds) {
        return records.clear(ws, ds).map(deleted -> Map.of("deleted", deleted));
    }

    private Uni<Response> read(String ws, String ds, RoutingContext request, String ifNoneMatch,
            String acceptEncoding, boolean withBody) {
        String key = keyOf(request);
        return records.get(ws, ds, key).map(record -> {
            Response.ResponseBuilder response = Etags.noneMatchHits(ifNoneMatch, record.version())
                    ? Response.notModified()
                    : Response.ok();
            response.tag(unquoted(record.etag()))
                    .lastModified(Date.from(record.updatedAt()))
                    .header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING)
                    .type(MediaType.APPLICATION_JSON_TYPE);
            if (record.expiresAt() != null) {
                response.header(EXPIRES_AT, record.expiresAt().toString());
            }
            if (withBody && !Etags.noneMatchHits(ifNoneMatch, record.version())) {
                if (acceptsBrotli(acceptEncoding) && ValueCodec.isBrotli(record.storedValue())) {
                    response.header(HttpHeaders.CONTENT_ENCODING, "br").entity(ValueCodec.brotliBody(record.storedValue()));
                } else {
                    response.entity(ValueCodec.decode(record.storedValue()));
                }
            }
            return response.build();
        });
    }

    /**
     * A header as sent: an empty one is "" here, where the framework's header parameter makes it null, as if absent.
     * For conditions the difference matters: an empty If-Match must be refused, not taken as no condition.
     */
    private static String rawHeader(RoutingContext request, String name) {
        return request.request().getHeader(name);
    }

    /** The key as the request target's one parse found it: everything after {@code records/}, decoded once. */
    private static String keyOf(RoutingContext request) {
        return Keys.require(RequestTarget.of(request).key());
    }

    public static boolean parseValues(String values) {
        if (values != null && !values.equals("true") && !values.equals("false")) {
            throw Problems.invalidRequest("values must be true or false");
        }
        return !"false".equals(values);
    }

    /** A page size, 1 to 1,024 in digits; a larger whole number asks for too many (too-many-keys), not malformed. */
    static Integer parseLimit(String limit) {
        if (limit == null) {
            return null;
        }
        if (!limit.matches("[0-9]{1,9}")) {
            if (limit.matches("[0-9]+")) {
                throw new DomainException.TooManyKeys(RecordService.MAX_PAGE);
            }
            throw Problems.invalidRequest("limit must be a whole number from 1 to " + RecordService.MAX_PAGE);
        }
        int value = Integer.parseInt(limit);
        if (value > RecordService.MAX_PAGE) {
            throw new DomainException.TooManyKeys(RecordService.MAX_PAGE);
        }
        if (value < 1) {
            throw Problems.invalidRequest("limit must be a whole number from 1 to " + RecordService.MAX_PAGE);
        }
        return value;
    }

    private static boolean acceptsBrotli(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (parts[0].trim().equalsIgnoreCase("br")) {
                return parts.length == 1 || !parts[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static String unquoted(String etag) {
        return etag.substring(1, etag.length() - 1);
    }

    /** Body of a PUT's answer. */
    public record PutView(String key, String etag, Instant expiresAt, long rawBytes, long storageBytes) {
        PutView(PutResult result) {
            this(result.key(), result.etag(), result.expiresAt(), result.rawBytes(), result.storageBytes());
        }
    }

    /** A record in a listing; the value is the stored JSON text, embedded as it is. */
    public record RecordView(String key, @JsonInclude(JsonInclude.Include.NON_NULL) @JsonRawValue String value,
            String etag, Instant updatedAt, Instant expiresAt) {

        static RecordView of(StoredRecord record, boolean withValue) {
            String value = withValue ? new String(ValueCodec.decode(record.storedValue()), StandardCharsets.UTF_8) : null;
            return new RecordView(record.key(), value, record.etag(), record.updatedAt(), record.expiresAt());
        }
    }

    /** A page of a listing. */
    public record PageView(List<RecordView> records, String nextCursor) {

        static PageView of(RecordService.Page page, boolean withValues) {
            return new PageView(page.records().stream().map(record -> RecordView.of(record, withValues)).toList(),
                    page.nextCursor());
        }
    }
}
