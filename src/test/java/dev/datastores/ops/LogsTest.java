package dev.datastores.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.support.Receiver;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Logs as an operator switches them on: the access log with each request's trace id, and JSON lines carrying the
 * trace id, workspace and route of the request they belong to, never a value, a token or a query string.
 */
@QuarkusTest
@TestProfile(LogsTest.JsonLogsAndAccessLog.class)
class LogsTest {

    private static final Path LOG = Path.of("target", "logs-test.log");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** JSON logs and the access log on, everything logged also to {@link #LOG}. */
    public static class JsonLogsAndAccessLog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "datastores.log.json", "true",
                    "quarkus.http.access-log.enabled", "true",
                    "%test.quarkus.log.category.\"io.quarkus.http.access-log\".level", "INFO",
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOG.toString());
        }
    }

    @Test
    void aRequestsAccessLogLineCarriesItsTraceId() throws Exception {
        Tenant tenant = Tenant.create();
        String traceId = TracingTest.newTraceId();

        tenant.request().header("traceparent", TracingTest.traceparent(traceId, TracingTest.newSpanId()))
                .get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200);

        JsonNode line = awaitLine(json -> json.path("message").asText().contains(traceId));
        assertThat(line.path("logger").asText()).isEqualTo("io.quarkus.http.access-log");
        assertThat(line.path("message").asText()).contains("GET /v1/workspaces/" + tenant.workspaceId() + " HTTP/1.1\" 200");
    }

    @Test
    void logLinesAreJsonWithTheRequestsTraceWorkspaceAndRouteButNoValueTokenOrQuery() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("logged");
        String secretValue = "\"value-that-must-not-be-logged\"";
        tenant.request().body(secretValue).put(tenant.records(store) + "/a").then().statusCode(201);
        String traceId = TracingTest.newTraceId();
        try (Receiver refusing = Receiver.answering(chunk -> 500)) {
            // the job fails in the background and says so in the log
            tenant.request().header("traceparent", TracingTest.traceparent(traceId, TracingTest.newSpanId()))
                    .queryParam("token", tenant.token()).body(Map.of("url", refusing.url()))
                    .post(tenant.stores() + "/" + store + "/exports").then().statusCode(202);

            JsonNode answered = awaitLine(json -> json.path("message").asText().contains(traceId));
            assertThat(answered.path("traceId").asText()).isEqualTo(traceId);
            assertThat(answered.path("spanId").asText()).hasSize(16);
            assertThat(answered.path("workspaceId").asText()).isEqualTo(tenant.workspaceId());
            assertThat(answered.path("route").asText()).isEqualTo("POST /v1/workspaces/{ws}/stores/{ds}/exports");
            assertThat(answered.path("timestamp").asText()).isNotEmpty();
            // the job's own lines, logged after the request's span ended, still name its workspace and route
            JsonNode failed = awaitLine(json -> json.path("message").asText().contains("failed")
                    && tenant.workspaceId().equals(json.path("workspaceId").asText()));
            assertThat(failed.path("level").asText()).isEqualTo("INFO");
            assertThat(failed.path("route").asText()).isEqualTo("POST /v1/workspaces/{ws}/stores/{ds}/exports");
        }

        String log = Files.readString(LOG);
        assertThat(log).doesNotContain("value-that-must-not-be-logged").doesNotContain(tenant.token())
                .doesNotContain("token=").doesNotContain("Bearer");
        List<String> lines = log.lines().filter(line -> line.startsWith("{")).toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(JSON.readTree(line).has("message")).as(line).isTrue();
        }
    }

    /** The first JSON line of the log that matches, waiting up to ten seconds for it to be written. */
    private static JsonNode awaitLine(Predicate<JsonNode> matches) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String log = "";
        while (Instant.now().isBefore(deadline)) {
            log = Files.exists(LOG) ? Files.readString(LOG) : "";
            for (String line : log.lines().filter(line -> line.startsWith("{")).toList()) {
                JsonNode json = JSON.readTree(line);
                if (matches.test(json)) {
                    return json;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No log line matched:\n" + log);
    }
}
