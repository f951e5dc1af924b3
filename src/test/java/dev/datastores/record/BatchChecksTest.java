package dev.datastores.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.datastores.support.Parallel;
import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import dev.datastores.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A batch's checks: all hold at commit and the batch is written, or none of it is and the answer names the failed. */
@QuarkusTest
class BatchChecksTest {

    private static final String PROBLEM = "https://datastores.dev/problems/";

    @Inject
    TestClock clock;

    @Inject
    Pool pool;

    @Inject
    RecordStorage records;

    @Test
    void checksThatHoldLetTheBatchWrite() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = put(tenant, store, "counter", "1");
        put(tenant, store, "old", "true");

        batch(tenant, store, "{\"checks\":[{\"key\":\"counter\",\"etag\":" + json(etag) + "},{\"key\":\"lock\",\"absent\":true}],"
                + "\"set\":[{\"key\":\"counter\",\"value\":2},{\"key\":\"lock\",\"value\":\"mine\"}],\"delete\":[\"old\"]}")
                .then().statusCode(200).body("set", equalTo(2)).body("deleted", equalTo(1));

        assertThat(get(tenant, store, "counter").asString()).isEqualTo("2");
        assertThat(get(tenant, store, "lock").asString()).isEqualTo("\"mine\"");
        get(tenant, store, "old").then().statusCode(404);
    }

    @Test
    void aStaleEtagWritesNothingAndNamesTheKey() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String stale = put(tenant, store, "counter", "1");
        String current = put(tenant, store, "counter", "2");
        put(tenant, store, "old", "true");

        batch(tenant, store, "{\"checks\":[{\"key\":\"counter\",\"etag\":" + json(stale) + "}],"
                + "\"set\":[{\"key\":\"counter\",\"value\":3},{\"key\":\"new\",\"value\":1}],\"delete\":[\"old\"]}")
                .then().statusCode(412).contentType("application/problem+json")
                .body("type", equalTo(PROBLEM + "precondition-failed")).body("failed", contains("counter"));

        Response counter = get(tenant, store, "counter");
        assertThat(counter.asString()).isEqualTo("2");
        assertThat(counter.header("ETag")).isEqualTo(current);
        get(tenant, store, "new").then().statusCode(404);
        assertThat(get(tenant, store, "old").asString()).isEqualTo("true");
    }

    @Test
    void anEtagCheckOnAMissingRecordFails() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        batch(tenant, store, "{\"checks\":[{\"key\":\"never-was\",\"etag\":\"\\\"1\\\"\"}],\"set\":[{\"key\":\"a\",\"value\":1}]}")
                .then().statusCode(412).body("failed", contains("never-was"));
        get(tenant, store, "a").then().statusCode(404);
    }

    @Test
    void anEtagIsComparedByItsExactText() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = put(tenant, store, "k", "1");
        String version = etag.substring(1, etag.length() - 1);
        for (String other : List.of("W/" + etag, "\"0" + version + "\"")) {
            batch(tenant, store, "{\"checks\":[{\"key\":\"k\",\"etag\":" + json(other) + "}],\"set\":[{\"key\":\"k\",\"value\":2}]}")
                    .then().statusCode(412).body("failed", contains("k"));
        }
        assertThat(get(tenant, store, "k").asString()).isEqualTo("1");
    }

    @Test
    void anAbsentCheckOnALiveRecordFails() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        put(tenant, store, "lock", "\"theirs\"");

        batch(tenant, store, "{\"checks\":[{\"key\":\"lock\",\"absent\":true}],\"set\":[{\"key\":\"lock\",\"value\":\"mine\"}]}")
                .then().statusCode(412).body("failed", contains("lock"));
        assertThat(get(tenant, store, "lock").asString()).isEqualTo("\"theirs\"");
    }

    @Test
    void anExpiredRecordCountsAsAbsent() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().queryParam("ttl", 1).body("\"theirs\"").put(tenant.records(store) + "/lease").then().statusCode(201);
        String etag = get(tenant, store, "lease").header("ETag");
        clock.advance(Duration.ofSeconds(2));

        batch(tenant, store, "{\"checks\":[{\"key\":\"lease\",\"etag\":" + json(etag) + "}],\"set\":[{\"key\":\"lease\",\"value\":1}]}")
                .then().statusCode(412).body("failed", contains("lease"));
        batch(tenant, store, "{\"checks\":[{\"key\":\"lease\",\"absent\":true}],\"set\":[{\"key\":\"lease\",\"value\":\"mine\"}]}")
                .then().statusCode(200).body("set", equalTo(1));
        assertThat(get(tenant, store, "lease").asString()).isEqualTo("\"mine\"");
    }

    @Test
    void everyFailedCheckIsListedInTheOrderOfTheChecks() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String a = put(tenant, store, "a", "1");
        String b = put(tenant, store, "b", "1");
        put(tenant, store, "b", "2");
        put(tenant, store, "c", "1");

        batch(tenant, store, "{\"checks\":[{\"key\":\"c\",\"absent\":true},{\"key\":\"a\",\"etag\":" + json(a) + "},"
                + "{\"key\":\"b\",\"etag\":" + json(b) + "},{\"key\":\"d\",\"absent\":true}],\"delete\":[\"a\"]}")
                .then().statusCode(412).body("failed", contains("c", "b"));
        assertThat(get(tenant, store, "a").asString()).isEqualTo("1");
    }

    @Test
    void checksAloneWriteNothingAndLeaveNoTrace() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = put(tenant, store, "a", "1");

        batch(tenant, store, "{\"checks\":[{\"key\":\"a\",\"etag\":" + json(etag) + "},{\"key\":\"b\",\"absent\":true}]}")
                .then().statusCode(200).body("set", equalTo(0)).body("deleted", equalTo(0));

        get(tenant, store, "b").then().statusCode(404);
        assertThat(get(tenant, store, "a").header("ETag")).isEqualTo(etag);
        assertThat(tenant.request().get("/v1/workspaces/" + tenant.workspaceId()).then().statusCode(200)
                .extract().<Integer>path("usage.keys")).isEqualTo(1);
        // the held key can be created at once afterwards
        tenant.request().body("2").put(tenant.records(store) + "/b").then().statusCode(201);
    }

    @Test
    void aFailedCheckReleasesTheQuotaItReserved() {
        Tenant tenant = Tenant.create(Plans.create(5, 3, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "taken", "1");
        String sets = "\"set\":[{\"key\":\"x\",\"value\":1},{\"key\":\"y\",\"value\":1}]";

        for (int i = 0; i < 5; i++) {
            batch(tenant, store, "{\"checks\":[{\"key\":\"taken\",\"absent\":true}]," + sets + "}").then().statusCode(412);
        }
        batch(tenant, store, "{\"checks\":[{\"key\":\"free\",\"absent\":true}]," + sets + "}").then().statusCode(200);
        assertThat(tenant.request().get("/v1/workspaces/" + tenant.workspaceId()).then().statusCode(200)
                .extract().<Integer>path("usage.keys")).isEqualTo(3);
    }

    @Test
    void ofTwentyRacingTransactionsOnOneEtagExactlyOneCommits() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = put(tenant, store, "counter", "0");

        List<Response> answers = Parallel.run(20, i -> batch(tenant, store,
                "{\"checks\":[{\"key\":\"counter\",\"etag\":" + json(etag) + "}],"
                        + "\"set\":[{\"key\":\"counter\",\"value\":" + (i + 1) + "},{\"key\":\"by-" + i + "\",\"value\":true}]}"));

        List<Integer> statuses = answers.stream().map(Response::statusCode).toList();
        assertThat(statuses.stream().filter(status -> status == 200).count()).as("%s", statuses).isEqualTo(1);
        assertThat(statuses.stream().filter(status -> status == 412).count()).as("%s", statuses).isEqualTo(19);
        int winner = statuses.indexOf(200);
        assertThat(get(tenant, store, "counter").asString()).isEqualTo(Integer.toString(winner + 1));
        for (int i = 0; i < 20; i++) {
            get(tenant, store, "by-" + i).then().statusCode(i == winner ? 200 : 404);
        }
        answers.stream().filter(answer -> answer.statusCode() == 412)
                .forEach(answer -> assertThat(answer.jsonPath().getList("failed")).containsExactly("counter"));
    }

    @Test
    void ofRacingTransactionsCreatingOneAbsentKeyExactlyOneCommits() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        List<Integer> statuses = Parallel.run(20, i -> batch(tenant, store,
                "{\"checks\":[{\"key\":\"leader\",\"absent\":true}],\"set\":[{\"key\":\"leader\",\"value\":" + i + "}]}")
                .statusCode());

        assertThat(statuses.stream().filter(status -> status == 200).count()).as("%s", statuses).isEqualTo(1);
        assertThat(statuses.stream().filter(status -> status == 412).count()).as("%s", statuses).isEqualTo(19);
        assertThat(get(tenant, store, "leader").asString()).isEqualTo(Integer.toString(statuses.indexOf(200)));
    }

    @Test
    void absentChecksRacingSingleWritesAnswerOnly200Or412() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        // single writes creating the key race batches that check it absent: no deadlock or error surfaces, and at
        // most one batch commits (that the hold lasts until commit is aKeyCheckedAbsentCannotBeCreatedUntilTheBatchCommits)
        for (int round = 0; round < 5; round++) {
            String key = "k" + round;
            List<Integer> statuses = Parallel.run(10, i -> i % 2 == 0
                    ? tenant.request().body("\"put\"").put(tenant.records(store) + "/" + key).statusCode()
                    : batch(tenant, store, "{\"checks\":[{\"key\":\"" + key + "\",\"absent\":true}],"
                            + "\"set\":[{\"key\":\"" + key + "\",\"value\":\"batch\"}]}").statusCode());
            List<Integer> batches = java.util.stream.IntStream.range(0, 10).filter(i -> i % 2 == 1).mapToObj(statuses::get).toList();
            assertThat(batches).as("round %d: %s", round, statuses).allMatch(status -> status == 200 || status == 412);
            assertThat(batches.stream().filter(status -> status == 200).count()).as("%s", statuses).isLessThanOrEqualTo(1);
            assertThat(statuses.stream().filter(status -> status >= 500).count()).as("%s", statuses).isZero();
        }
    }

    @Test
    void aKeyCheckedAbsentCannotBeCreatedUntilTheBatchCommits() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        SqlConnection connection = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Transaction transaction = connection.begin().await().atMost(Duration.ofSeconds(10));
            records.lockKeys(connection, store, List.of("held")).await().atMost(Duration.ofSeconds(10));
            RecordStorage.CheckOutcome outcome = records.check(connection, tenant.workspaceId(), store,
                    List.of(Check.absent("held"))).await().atMost(Duration.ofSeconds(10));
            assertThat(outcome.storeFound()).isTrue();
            assertThat(outcome.failed()).isEmpty();

            CompletableFuture<Integer> put = CompletableFuture.supplyAsync(
                    () -> tenant.request().body("1").put(tenant.records(store) + "/held").statusCode());
            Thread.sleep(1500);
            assertThat(put).as("a put of the held key waits for the batch's transaction").isNotDone();

            transaction.commit().await().atMost(Duration.ofSeconds(10));
            assertThat(put.get(10, TimeUnit.SECONDS)).isEqualTo(201);
        } finally {
            connection.close().await().atMost(Duration.ofSeconds(10));
        }
        assertThat(get(tenant, store, "held").asString()).isEqualTo("1");
        // the placeholder went with the transaction: the only row is the put's
        assertThat(pool.preparedQuery("SELECT count(*) FROM records WHERE store_id = $1").execute(Tuple.of(store))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0)).isEqualTo(1L);
    }

    @Test
    void checksNeedReadAsWellAsWrite() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String body = "{\"checks\":[{\"key\":\"a\",\"absent\":true}],\"set\":[{\"key\":\"a\",\"value\":1}]}";
        String writeOnly = Tenant.keyWith(tenant.workspaceId(), "write");
        String readOnly = Tenant.keyWith(tenant.workspaceId(), "read");
        String readWrite = Tenant.keyWith(tenant.workspaceId(), "read", "write");

        for (String token : List.of(writeOnly, readOnly)) {
            RestAssured.given().auth().oauth2(token).contentType("application/json").body(body)
                    .post(tenant.stores() + "/" + store + "/batch").then().statusCode(403)
                    .body("type", equalTo(PROBLEM + "forbidden"));
        }
        get(tenant, store, "a").then().statusCode(404);
        // a batch without checks needs write only
        RestAssured.given().auth().oauth2(writeOnly).contentType("application/json")
                .body("{\"set\":[{\"key\":\"b\",\"value\":1}]}").post(tenant.stores() + "/" + store + "/batch")
                .then().statusCode(200);
        RestAssured.given().auth().oauth2(readWrite).contentType("application/json").body(body)
                .post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
    }

    @Test
    void malformedChecksAreRefused() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String set = ",\"set\":[{\"key\":\"written\",\"value\":1}]}";
        List<String> invalidRequests = List.of(
                "{\"checks\":{\"key\":\"a\",\"absent\":true}",
                "{\"checks\":[\"a\"]",
                "{\"checks\":[{\"key\":\"a\"}]",
                "{\"checks\":[{\"key\":\"a\",\"etag\":\"\\\"1\\\"\",\"absent\":true}]",
                "{\"checks\":[{\"key\":\"a\",\"absent\":false}]",
                "{\"checks\":[{\"key\":\"a\",\"absent\":\"true\"}]",
                "{\"checks\":[{\"key\":\"a\",\"absent\":null}]",
                "{\"checks\":[{\"key\":\"a\",\"etag\":17}]",
                "{\"checks\":[{\"key\":\"a\",\"etag\":\"17\"}]",
                "{\"checks\":[{\"key\":\"a\",\"etag\":\"*\"}]",
                "{\"checks\":[{\"key\":\"a\",\"etag\":\"\\\"1\\\", \\\"2\\\"\"}]",
                "{\"checks\":[{\"key\":\"a\",\"absent\":true,\"ttl\":5}]",
                "{\"checks\":[{\"key\":\"a\",\"absent\":true},{\"key\":\"a\",\"etag\":\"\\\"1\\\"\"}]");
        for (String body : invalidRequests) {
            Response answer = batch(tenant, store, body + set);
            assertThat(answer.statusCode()).as(body).isEqualTo(400);
            assertThat(answer.jsonPath().getString("type")).as(body).isEqualTo(PROBLEM + "invalid-request");
        }
        batch(tenant, store, "{\"checks\":[{\"absent\":true}]" + set).then().statusCode(400)
                .body("type", equalTo(PROBLEM + "invalid-key"));
        batch(tenant, store, "{\"checks\":[{\"key\":\"\",\"absent\":true}]" + set).then().statusCode(400)
                .body("type", equalTo(PROBLEM + "invalid-key"));

        String tooMany = java.util.stream.IntStream.range(0, 1024)
                .mapToObj(i -> "{\"key\":\"c" + i + "\",\"absent\":true}").collect(Collectors.joining(",", "{\"checks\":[", "]"));
        batch(tenant, store, tooMany + set).then().statusCode(400).body("type", equalTo(PROBLEM + "too-many-keys"));

        get(tenant, store, "written").then().statusCode(404);
    }

    @Test
    void checksOnAStoreThatDoesNotExistAreNotFound() {
        Tenant tenant = Tenant.create();
        batch(tenant, "ds_doesnotexist000000", "{\"checks\":[{\"key\":\"a\",\"absent\":true}]}").then().statusCode(404);
    }

    private static Response batch(Tenant tenant, String store, String body) {
        return tenant.request().body(body).post(tenant.stores() + "/" + store + "/batch");
    }

    private static String put(Tenant tenant, String store, String key, String value) {
        return tenant.request().body(value).put(tenant.records(store) + "/" + key).then().statusCode(org.hamcrest.Matchers.anyOf(
                equalTo(200), equalTo(201))).extract().header("ETag");
    }

    private static Response get(Tenant tenant, String store, String key) {
        return tenant.request().get(tenant.records(store) + "/" + key);
    }

    /** A string as a JSON string literal. */
    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
