package dev.datastores.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.datastores.support.Receiver;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ExportJobTest {

    private static final String PROBLEM = "https://datastores.dev/problems/";

    @Inject
    Pool pool;

    @Test
    void aJobPostsEveryRecordInKeyOrderedChunksAndReportsWhatItDid() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 0, 250);
        try (Receiver receiver = Receiver.acceptingAll()) {
            String job = start(tenant, store, Map.of("url", receiver.url(), "chunkSize", 100));

            JsonPath status = awaitFinished(tenant, store, job);

            assertThat(status.getString("status")).isEqualTo("succeeded");
            assertThat(status.getLong("exported")).isEqualTo(250);
            assertThat(status.getLong("deleted")).isZero();
            assertThat(status.getLong("chunks")).isEqualTo(3);
            assertThat(status.getString("finishedAt")).isNotNull();
            assertThat(receiver.chunks()).extracting(Receiver.Chunk::number).containsExactly("1", "2", "3");
            assertThat(receiver.chunks()).extracting(chunk -> chunk.records().size()).containsExactly(100, 100, 50);
            assertThat(receivedKeys(receiver)).isEqualTo(keys(0, 250));
            assertThat(receiver.chunks().get(0).body()).contains("{\"key\":\"k00007\",\"value\":{\"n\":7,\"d\":1.50}}");
            assertThat(receiver.chunks().get(0).job()).isEqualTo(job);
        }
        tenant.request().get(tenant.records(store) + "?limit=1").then().body("records", hasSize(1));
    }

    @Test
    void aReceiverThatFailsChunkThreeLeavesExactlyChunksOneAndTwoDeleted() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 0, 50);
        try (Receiver receiver = Receiver.answering(chunk -> chunk == 3 ? 500 : 200)) {
            String job = start(tenant, store, Map.of("url", receiver.url(), "chunkSize", 10, "deleteAfterExport", true));

            JsonPath status = awaitFinished(tenant, store, job);

            assertThat(status.getString("status")).isEqualTo("failed");
            assertThat(status.getString("error")).contains("chunk 3").contains("500");
            assertThat(status.getLong("exported")).isEqualTo(20);
            assertThat(status.getLong("deleted")).isEqualTo(20);
            assertThat(receiver.chunks()).hasSize(3);
        }
        assertThat(storedKeys(tenant, store)).isEqualTo(keys(20, 50));
        awaitUsageKeys(tenant, 30);
    }

    @Test
    void aRecordChangedAfterItWasExportedIsKeptWithItsNewValue() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 0, 5);
        Runnable changeFirstRecord = () -> tenant.request().body("\"changed meanwhile\"").put(tenant.records(store) + "/" + key(0))
                .then().statusCode(200);
        try (Receiver receiver = Receiver.acceptingAfter(changeFirstRecord)) {
            String job = start(tenant, store, Map.of("url", receiver.url(), "chunkSize", 5, "deleteAfterExport", true));

            JsonPath status = awaitFinished(tenant, store, job);

            assertThat(status.getString("status")).isEqualTo("succeeded");
            assertThat(status.getLong("exported")).isEqualTo(5);
            assertThat(status.getLong("deleted")).isEqualTo(4);
        }
        assertThat(storedKeys(tenant, store)).containsExactly(key(0));
        tenant.request().get(tenant.records(store) + "/" + key(0)).then().statusCode(200).body(equalTo("\"changed meanwhile\""));
    }

    @Test
    void destinationsOutsideTheAllowlistAreRefusedBeforeAnyRequestIsSent() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 0, 3);
        try (Receiver receiver = Receiver.acceptingAll()) {
            String port = ":" + receiver.port();
            List<String> refused = List.of(
                    "http://127.0.0.2" + port + "/",
                    "http://[::1]" + port + "/",
                    "http://169.254.169.254/latest/meta-data",
                    "http://10.0.0.1/",
                    "ftp://127.0.0.1" + port + "/",
                    "http://user:secret@127.0.0.1" + port + "/",
                    "not a url",
                    "http://no-such-host.invalid/",
                    "http://localhost" + port + "/",
                    "http://2130706433" + port + "/",
                    "http://0x7f.0.0.1" + port + "/",
                    "http://0177.0.0.1" + port + "/",
                    "http://127.1" + port + "/",
                    "http://[fe80::1%25lo]" + port + "/",
                    "http://127.0.0.1:0/",
                    "http://127.0.0.1:65536/");
            Map<String, String> answers = new java.util.LinkedHashMap<>();
            for (String url : refused) {
                var response = tenant.request().body(Map.of("url", url)).post(exports(tenant, store));
                answers.put(url, response.statusCode() + " " + response.contentType() + " " + response.path("type"));
            }
            assertThat(answers).allSatisfy((url, answer) ->
                    assertThat(answer).isEqualTo("400 application/problem+json " + PROBLEM + "destination-not-allowed"));
            assertThat(receiver.chunks()).isEmpty();
        }
        tenant.request().get(exports(tenant, store)).then().statusCode(200).body("exports", hasSize(0));
    }

    @Test
    void aRedirectStopsTheJobAndIsNotFollowed() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 0, 3);
        try (Receiver receiver = Receiver.answering(chunk -> 307)) {
            String job = start(tenant, store, Map.of("url", receiver.url()));

            JsonPath status = awaitFinished(tenant, store, job);

            assertThat(status.getString("status")).isEqualTo("failed");
            assertThat(status.getString("error"))
                    .isEqualTo("chunk 1 was not acknowledged: the destination answered 307 (redirects are not followed)");
            assertThat(receiver.chunks()).hasSize(1);
        }
    }

    @Test
    void aJobsErrorSaysWhatTheDestinationDidInPlainWords() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 0, 3);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String job = start(tenant, store, Map.of("url", "http://127.0.0.1:" + closedPort + "/in"));

        JsonPath status = awaitFinished(tenant, store, job);

        assertThat(status.getString("status")).isEqualTo("failed");
        assertThat(status.getString("error"))
                .isEqualTo("chunk 1 was not acknowledged: the connection was refused, reset or closed before an answer");
    }

    @Test
    void badRequestsOtherTenantsAndMissingScopesAreRefused() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        try (Receiver receiver = Receiver.acceptingAll()) {
            for (int chunkSize : new int[] {0, 1001}) {
                tenant.request().body(Map.of("url", receiver.url(), "chunkSize", chunkSize)).post(exports(tenant, store))
                        .then().statusCode(400).body("type", equalTo(PROBLEM + "invalid-request"));
            }
            tenant.request().body(Map.of("url", receiver.url(), "prefix", "a\u0001")).post(exports(tenant, store))
                    .then().statusCode(400).body("type", equalTo(PROBLEM + "invalid-key"));
            tenant.request().contentType("text/plain").body("x").post(exports(tenant, store)).then().statusCode(415);

            String job = start(tenant, store, Map.of("url", receiver.url()));
            Tenant other = Tenant.create();
            other.request().get(other.stores() + "/" + store + "/exports/" + job).then().statusCode(404);
            other.request().get(other.stores() + "/" + store + "/exports").then().statusCode(404);
            other.request().body(Map.of("url", receiver.url())).post(other.stores() + "/" + store + "/exports").then().statusCode(404)
                    .body("type", equalTo(PROBLEM + "not-found"));
            // the store is looked for before the destination, so a refused URL does not tell another tenant it exists
            other.request().body(Map.of("url", "http://10.0.0.1/")).post(other.stores() + "/" + store + "/exports").then()
                    .statusCode(404).body("type", equalTo(PROBLEM + "not-found"));
            tenant.request().get(exports(tenant, store) + "/exp_unknown").then().statusCode(404);

            String writeOnly = Tenant.keyWith(tenant.workspaceId(), "write");
            io.restassured.RestAssured.given().auth().oauth2(writeOnly).contentType("application/json")
                    .body(Map.of("url", receiver.url())).post(exports(tenant, store)).then().statusCode(403);
            String readOnly = Tenant.keyWith(tenant.workspaceId(), "read");
            io.restassured.RestAssured.given().auth().oauth2(readOnly).contentType("application/json")
                    .body(Map.of("url", receiver.url(), "deleteAfterExport", true)).post(exports(tenant, store)).then().statusCode(403);
            io.restassured.RestAssured.given().auth().oauth2(readOnly).get(exports(tenant, store) + "/" + job).then().statusCode(200);
            awaitFinished(tenant, store, job);
        }
        assertThat(receivedJobs(tenant, store)).hasSize(1);
    }

    @Test
    void aJobWhoseRunnerStoppedIsResumedAfterItsLastAcknowledgedChunk() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        seed(tenant, store, 20, 50);
        String job = "exp_interrupted" + System.nanoTime();
        try (Receiver receiver = Receiver.acceptingAll()) {
            // As a replica leaves a job when it dies after chunks 1 and 2 of 10 records were acknowledged and deleted.
            pool.preparedQuery("""
                    INSERT INTO export_jobs (id, workspace_id, store_id, url, chunk_size, delete_after, status, chunks,
                                             exported, deleted, last_key, runner, heartbeat_at)
                    VALUES ($1, $2, $3, $4, 10, true, 'running', 2, 20, 20, $5, 'run_stopped', now() - interval '1 hour')""")
                    .execute(Tuple.of(job, tenant.workspaceId(), store, receiver.url(), key(19)))
                    .await().atMost(Duration.ofSeconds(5));

            JsonPath status = awaitFinished(tenant, store, job);

            assertThat(status.getString("status")).isEqualTo("succeeded");
            assertThat(status.getLong("exported")).isEqualTo(50);
            assertThat(status.getLong("deleted")).isEqualTo(50);
            assertThat(receiver.chunks()).extracting(Receiver.Chunk::number).containsExactly("3", "4", "5");
            assertThat(receivedKeys(receiver)).isEqualTo(keys(20, 50));
        }
        assertThat(storedKeys(tenant, store)).isEmpty();
    }

    private static String start(Tenant tenant, String store, Map<String, Object> request) {
        return tenant.request().body(request).post(exports(tenant, store)).then().statusCode(202)
                .body("status", equalTo("running")).extract().path("id");
    }

    private static JsonPath awaitFinished(Tenant tenant, String store, String job) {
        for (int i = 0; i < 300; i++) {
            JsonPath status = tenant.request().get(exports(tenant, store) + "/" + job).then().statusCode(200).extract().jsonPath();
            if (!"running".equals(status.getString("status"))) {
                return status;
            }
            sleep(100);
        }
        throw new AssertionError("export job " + job + " still running after 30 s");
    }

    private static List<String> receivedJobs(Tenant tenant, String store) {
        return tenant.request().get(exports(tenant, store)).then().statusCode(200).extract().path("exports.id");
    }

    private static void awaitUsageKeys(Tenant tenant, int expected) {
        int reported = -1;
        for (int i = 0; i < 50 && reported != expected; i++) {
            reported = tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().extract().path("usage.keys");
            if (reported != expected) {
                sleep(100);
            }
        }
        assertThat(reported).isEqualTo(expected);
    }

    private static void seed(Tenant tenant, String store, int from, int to) {
        String set = IntStream.range(from, to)
                .mapToObj(i -> "{\"key\":\"" + key(i) + "\",\"value\":{\"n\":" + i + ",\"d\":1.50}}")
                .collect(java.util.stream.Collectors.joining(","));
        tenant.request().body("{\"set\":[" + set + "]}").post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
    }

    private static List<String> storedKeys(Tenant tenant, String store) {
        return tenant.request().get(tenant.stores() + "/" + store + "/keys").then().statusCode(200).extract().path("keys");
    }

    private static List<String> receivedKeys(Receiver receiver) {
        List<String> keys = new ArrayList<>();
        receiver.chunks().forEach(chunk -> chunk.records().forEach(record -> keys.add(record.get("key").asText())));
        return keys;
    }

    private static List<String> keys(int from, int to) {
        return IntStream.range(from, to).mapToObj(ExportJobTest::key).toList();
    }

    private static String key(int i) {
        return String.format("k%05d", i);
    }

    private static String exports(Tenant tenant, String store) {
        return tenant.stores() + "/" + store + "/exports";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
