package dev.datastores.record;

import dev.datastores.auth.AuthFilter;
import dev.datastores.auth.Scope;
import dev.datastores.domain.DomainException;
import io.vertx.ext.web.RoutingContext;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.datastores.codec.ValueCodec;
import io.smallrye.mutiny.Uni;
import dev.datastores.http.Problems;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;

/** Operations on a store's records as a whole, at the store's level so that no key can be mistaken for one. */
@Path("/v1/workspaces/{ws}/stores/{ds}")
@Produces(MediaType.APPLICATION_JSON)
public class StoreRecordsResource {

    private final RecordService records;
    private final AtomicService atomic;
    private final BatchService batches;

    public StoreRecordsResource(RecordService records, AtomicService atomic, BatchService batches) {
        this.records = records;
        this.atomic = atomic;
        this.batches = batches;
    }

    private static Response respond(AtomicService.Modified modified, Object body) {
        return Response.status(modified.created() ? Response.Status.CREATED : Response.Status.OK)
                .tag(Long.toString(modified.version())).entity(body).build();
    }

    private static RawValue raw(byte[] json) {
        return new RawValue(new String(json, StandardCharsets.UTF_8));
    }

    @GET
    @Path("entries")
    public Uni<Map<String, Map<String, RawValue>>> entries(@RestPath String ws, @RestPath String ds) {
        return records.whole(ws, ds, true).map(rows -> {
            Map<String, RawValue> entries = new LinkedHashMap<>();
            rows.forEach(row -> entries.put(row.key(), raw(ValueCodec.decode(row.storedValue()))));
            return Map.of("entries", entries);
        });
    }

    @POST
    @Path("increment")
    public Uni<Response> increment(@RestPath String ws, @RestPath String ds, @RestHeader("Content-Type") String contentType,
            byte[] body) {
        OperationBody request = OperationBody.parse(contentType, body).takingOnly("key", "by", "ttl");
        return atomic.increment(ws, ds, request.key(), request.number("by", BigDecimal.ONE), request.ttl())
                .map(modified -> respond(modified, new Valued(modified.key(), raw(modified.value()), Etags.of(modified.version()))));
    }

    @POST
    @Path("append")
    public Uni<Response> append(@RestPath String ws, @RestPath String ds, @RestHeader("Content-Type") String contentType,
            byte[] body) {
        OperationBody request = OperationBody.parse(contentType, body).takingOnly("key", "value", "ttl");
        return atomic.append(ws, ds, request.key(), request.value(), request.ttl())
                .map(modified -> respond(modified, new Appended(modified.key(), AtomicService.arrayLength(modified.value()),
                        Etags.of(modified.version()))));
    }

    @POST
    @Path("get-or-create")
    public Uni<Response> getOrCreate(@RestPath String ws, @RestPath String ds, @RestHeader("Content-Type") String contentType,
            byte[] body) {
        OperationBody request = OperationBody.parse(contentType, body).takingOnly("key", "value", "ttl");
        return atomic.getOrCreate(ws, ds, request.key(), request.value(), request.ttl())
                .map(modified -> respond(modified, new GotOrCreated(modified.key(), raw(modified.value()),
                        Etags.of(modified.version()), modified.created())));
    }

    @POST
    @Path("expire")
    public Uni<Map<String, Object>> expire(@RestPath String ws, @RestPath String ds, @RestHeader("Content-Type") String contentType,
            byte[] body) {
        OperationBody request = OperationBody.parse(contentType, body).takingOnly("key", "ttl");
        if (!request.has("ttl")) {
            throw DomainException.invalidTtl("ttl is required: seconds, or null to clear the expiry");
        }
        String key = request.key();
        return atomic.expire(ws, ds, key, request.ttl()).map(expiresAt -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("key", key);
            answer.put("expiresAt", expiresAt);
            return answer;
        });
    }

    @POST
    @Path("batch")
    public Uni<BatchService.BatchResult> batch(@RestPath String ws, @RestPath String ds,
            @RestHeader("Content-Type") String contentType, byte[] body, RoutingContext routing) {
        OperationBody request = OperationBody.parse(contentType, body).takingOnly("set", "delete", "checks");
        List<SetItem> sets = request.array("set").stream().map(Records::parseSetItem).toList();
        List<String> deletes = request.keys("delete");
        List<Check> checks = request.array("checks").stream().map(Records::parseCheck).toList();
        if (!checks.isEmpty()) {
            AuthFilter.requireScope(routing, Scope.READ, "a batch with checks (they tell what records hold)");
        }
        return batches.batch(ws, ds, sets, deletes, checks);
    }

    @POST
    @Path("batch-get")
    public Uni<BatchGot> batchGet(@RestPath String ws, @RestPath String ds,
            @RestHeader("Content-Type") String contentType, byte[] body) {
        OperationBody request = OperationBody.parse(contentType, body).takingOnly("keys");
        if (!request.has("keys")) {
            throw Problems.invalidRequest("keys is required");
        }
        return batches.batchGet(ws, ds, request.keys("keys")).map(result -> new BatchGot(result.records().stream()
                .map(record -> new Valued(record.key(), raw(ValueCodec.decode(record.storedValue())), record.etag())).toList(),
                result.missing()));
    }

    // Answers as records, not Map.of: a Map.of has no fixed member order, and answers are to be byte-stable.

    /** A record's key, value as stored and ETag: increment, and each record of batch-get. */
    record Valued(String key, RawValue value, String etag) {
    }

    record Appended(String key, long length, String etag) {
    }

    record GotOrCreated(String key, RawValue value, String etag, boolean created) {
    }

    record BatchGot(List<Valued> records, List<String> missing) {
    }

    @GET
    @Path("diff")
    public Uni<RecordResource.PageView> diff(@RestPath String ws, @RestPath String ds, @RestQuery String against,
            @RestQuery String limit, @RestQuery String cursor, @RestQuery String values) {
        boolean withValues = RecordResource.parseValues(values);
        return batches.diff(ws, ds, against, RecordResource.parseLimit(limit), cursor, withValues)
                .map(page -> RecordResource.PageView.of(page, withValues));
    }

    @GET
    @Path("keys")
    public Uni<Map<String, List<String>>> keys(@RestPath String ws, @RestPath String ds) {
        return records.whole(ws, ds, false).map(rows -> Map.of("keys", rows.stream().map(StoredRecord::key).toList()));
    }
}
