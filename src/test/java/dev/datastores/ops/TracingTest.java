package dev.datastores.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.Receiver;
import dev.datastores.support.RecentSpans;
import dev.datastores.support.Tenant;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Traces, exported to memory in tests: a request is one trace, its server span the parent of its PostgreSQL and Redis
 * calls; a caller's W3C traceparent is honoured, and passed on to an export job's destination.
 */
@QuarkusTest
class TracingTest {

    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    /** The SQL client's spans carry their statement; their db.system is the database's name, not "postgresql". */
    private static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");

    @Inject
    RecentSpans spans;

    @Test
    void aRequestIsOneTraceWithItsPostgresqlAndRedisCallsAsChildren() throws Exception {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("traced"));
        String traceId = newTraceId();

        tenant.request().header("traceparent", traceparent(traceId, newSpanId())).body("{\"a\":1}").put(records + "/k")
                .then().statusCode(201);

        List<SpanData> trace = spans.awaitTrace(traceId, found -> hasSql(found) && hasDbSystem(found, "redis"));
        List<SpanData> servers = trace.stream().filter(span -> span.getKind() == SpanKind.SERVER).toList();
        assertThat(servers).as(describe(trace)).hasSize(1);
        SpanData server = servers.get(0);
        assertThat(server.getName()).contains("PUT");
        assertThat(hasSql(trace)).as(describe(trace)).isTrue();
        assertThat(hasDbSystem(trace, "redis")).as(describe(trace)).isTrue();
        // every database and Redis span descends from the request's span
        trace.stream().filter(span -> span.getAttributes().get(DB_SYSTEM) != null)
                .forEach(call -> assertThat(descendsFrom(call, server, trace)).as(describe(trace)).isTrue());
    }

    @Test
    void aCallersTraceparentIsHonoured() throws Exception {
        Tenant tenant = Tenant.create();
        String traceId = newTraceId();
        String parent = newSpanId();

        tenant.request().header("traceparent", traceparent(traceId, parent)).get("/v1/workspaces/{ws}", tenant.workspaceId())
                .then().statusCode(200);

        List<SpanData> trace = spans.awaitTrace(traceId, found -> found.stream().anyMatch(span -> span.getKind() == SpanKind.SERVER));
        SpanData server = trace.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(server.getParentSpanId()).isEqualTo(parent);
    }

    @Test
    void anExportJobPassesTheTraceOnToItsDestination() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("exported");
        tenant.request().body("1").put(tenant.records(store) + "/a").then().statusCode(201);
        String traceId = newTraceId();
        try (Receiver receiver = Receiver.acceptingAll()) {
            tenant.request().header("traceparent", traceparent(traceId, newSpanId())).body(Map.of("url", receiver.url()))
                    .post(tenant.stores() + "/" + store + "/exports").then().statusCode(202);

            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (receiver.chunks().isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(receiver.chunks()).isNotEmpty();
            assertThat(receiver.chunks().get(0).traceparent()).startsWith("00-" + traceId + "-");
        }
    }

    @Test
    void queryStringsKeepTheirNamesButNotTheirValues() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("queried");
        String traceId = newTraceId();
        tenant.request().header("traceparent", traceparent(traceId, newSpanId())).queryParam("prefix", "PREFIX-SECRET")
                .queryParam("limit", 5).get(tenant.records(store)).then().statusCode(200);

        List<SpanData> trace = spans.awaitTrace(traceId, found -> found.stream().anyMatch(span -> span.getKind() == SpanKind.SERVER));
        SpanData server = trace.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(server.getAttributes().get(QueryRedaction.URL_QUERY)).isEqualTo("prefix=?&limit=?");
        assertThat(describe(trace)).doesNotContain("PREFIX-SECRET");

        tenant.request().body("1").put(tenant.records(store) + "/a").then().statusCode(201);
        String jobTrace = newTraceId();
        try (Receiver receiver = Receiver.acceptingAll()) {
            tenant.request().header("traceparent", traceparent(jobTrace, newSpanId()))
                    .body(Map.of("url", receiver.url() + "?sig=DESTINATION-SECRET")).post(tenant.stores() + "/" + store + "/exports")
                    .then().statusCode(202);

            List<SpanData> job = spans.awaitTrace(jobTrace, found -> found.stream()
                    .anyMatch(span -> span.getAttributes().get(QueryRedaction.URL_FULL) != null));
            List<String> urls = job.stream().map(span -> span.getAttributes().get(QueryRedaction.URL_FULL)).filter(url -> url != null).toList();
            assertThat(urls).as(describe(job)).isNotEmpty().allSatisfy(url -> assertThat(url).endsWith("?sig=?"));
            assertThat(describe(job)).doesNotContain("DESTINATION-SECRET");
        }
    }

    @Test
    void aRefusalsSpanHoldsNothingTheClientSent() throws Exception {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("refused"));
        String badTtl = newTraceId();
        String badBody = newTraceId();
        tenant.request().header("traceparent", traceparent(badTtl, newSpanId())).queryParam("ttl", "TTL-SECRET").body("1")
                .put(records + "/k").then().statusCode(400);
        tenant.request().header("traceparent", traceparent(badBody, newSpanId())).body("[1,2,BODYSECRET]")
                .put(records + "/k").then().statusCode(400);

        for (String traceId : List.of(badTtl, badBody)) {
            List<SpanData> trace = spans.awaitTrace(traceId, found -> found.stream().anyMatch(span -> span.getKind() == SpanKind.SERVER));
            assertThat(trace).as(describe(trace)).isNotEmpty().allSatisfy(span -> assertThat(span.getEvents()).isEmpty());
            assertThat(describe(trace)).doesNotContain("TTL-SECRET").doesNotContain("BODYSECRET");
        }
    }

    @Test
    void aRedactedQueryKeepsOnlyNames() {
        assertThat(QueryRedaction.redact("prefix=a&limit=5")).isEqualTo("prefix=?&limit=?");
        assertThat(QueryRedaction.redact("dsk_token")).isEqualTo("?");
        assertThat(QueryRedaction.redact("a=&b=c=d&&$x=1")).isEqualTo("a=?&b=?&&$x=?");
    }

    private static boolean hasSql(List<SpanData> trace) {
        return trace.stream().anyMatch(span -> span.getKind() == SpanKind.CLIENT && span.getAttributes().get(DB_STATEMENT) != null);
    }

    private static boolean hasDbSystem(List<SpanData> trace, String system) {
        return trace.stream().anyMatch(span -> system.equals(span.getAttributes().get(DB_SYSTEM)));
    }

    private static boolean descendsFrom(SpanData span, SpanData ancestor, List<SpanData> trace) {
        String parent = span.getParentSpanId();
        for (int hops = 0; hops < 50; hops++) {
            if (parent.equals(ancestor.getSpanId())) {
                return true;
            }
            String current = parent;
            SpanData next = trace.stream().filter(candidate -> candidate.getSpanId().equals(current)).findFirst().orElse(null);
            if (next == null) {
                return false;
            }
            parent = next.getParentSpanId();
        }
        return false;
    }

    private static String describe(List<SpanData> trace) {
        StringBuilder text = new StringBuilder("spans of the trace:");
        trace.forEach(span -> text.append("\n  ").append(span.getKind()).append(' ').append(span.getName()).append(" id=")
                .append(span.getSpanId()).append(" parent=").append(span.getParentSpanId()).append(' ').append(span.getAttributes()));
        return text.toString();
    }

    static String newTraceId() {
        return random(16);
    }

    static String newSpanId() {
        return random(8);
    }

    static String traceparent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private static String random(int bytes) {
        byte[] id = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(id);
        id[0] |= 1;
        return HexFormat.of().formatHex(id);
    }
}
