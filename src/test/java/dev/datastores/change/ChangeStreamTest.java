package dev.datastores.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.record.ExpirySweeper;
import dev.datastores.support.EventStream;
import dev.datastores.support.Plans;
import dev.datastores.support.StoreHistory;
import dev.datastores.support.Tenant;
import dev.datastores.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Change streams against real PostgreSQL and Redis: every kind of change, in commit order, resumable, bounded. */
@QuarkusTest
class ChangeStreamTest {

    private static final String PROBLEM = "https://datastores.dev/problems/";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TestClock clock;

    @Inject
    ExpirySweeper sweeper;

    @Inject
    ChangeHistory history;

    @Inject
    Pool pool;

    @Test
    void aLongPollAnswersWithTheNextChange() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        JsonPath idle = poll(tenant, store, null, 1);
        assertThat(idle.getList("changes")).isEmpty();
        assertThat(idle.getString("next")).isEqualTo("0000000000000000");

        tenant.request().body("{\"n\":1}").put(tenant.records(store) + "/k").then().statusCode(201);
        JsonPath page = poll(tenant, store, "0000000000000000", 5);
        assertThat(page.getList("changes")).hasSize(1);
        assertThat(page.getString("changes[0].type")).isEqualTo("set");
        assertThat(page.getString("changes[0].key")).isEqualTo("k");
        assertThat(page.getInt("changes[0].value.n")).isEqualTo(1);
        assertThat(page.getString("changes[0].position")).isEqualTo("0000000000000001");
        assertThat(page.getString("next")).isEqualTo("0000000000000001");
    }

    @Test
    void withoutAnAcceptOfItsOwnAWatchIsALongPoll() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().queryParam("wait", 1).get(tenant.stores() + "/" + store + "/changes").then().statusCode(200)
                .contentType("application/json").body("next", equalTo("0000000000000000"));
    }

    @Test
    void aWaitingLongPollAnswersWhenTheChangeCommits() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<JsonPath> waiting = pool.submit(() -> poll(tenant, store, "0000000000000000", 30));
            Thread.sleep(300);
            long written = System.nanoTime();
            tenant.request().body("true").put(tenant.records(store) + "/k").then().statusCode(201);
            JsonPath page = waiting.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(1));
            assertThat(page.getList("changes.key")).containsExactly("k");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serverSentEventsCarryEveryKindOfChangeAndEndWithTheStore() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        try (EventStream sse = EventStream.open(changesUrl(tenant, store), tenant.token(), null)) {
            assertThat(sse.nextComment(Duration.ofSeconds(5))).as("the stream opens with a comment").isNotNull();
            String etag = tenant.request().body("{\"a\": [1, 2]}").put(tenant.records(store) + "/a").then().statusCode(201)
                    .extract().header("ETag");
            tenant.request().delete(tenant.records(store) + "/a").then().statusCode(204);
            tenant.request().body("{\"key\":\"n\",\"by\":5}").post(tenant.stores() + "/" + store + "/increment").then().statusCode(201);
            tenant.request().body("{\"key\":\"list\",\"value\":\"x\"}").post(tenant.stores() + "/" + store + "/append").then().statusCode(201);
            tenant.request().body("{\"set\":[{\"key\":\"b1\",\"value\":1},{\"key\":\"b2\",\"value\":2}],\"delete\":[\"n\"]}")
                    .post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
            tenant.request().contentType("application/x-ndjson").body("{\"key\":\"i\",\"value\":\"imported\"}\n".getBytes(StandardCharsets.UTF_8))
                    .post(tenant.stores() + "/" + store + "/import").then().statusCode(200);
            tenant.request().delete(tenant.records(store)).then().statusCode(200);
            tenant.request().delete(tenant.stores() + "/" + store).then().statusCode(204);

            List<EventStream.Event> events = sse.take(10, Duration.ofSeconds(10));
            assertThat(events).extracting(EventStream.Event::name)
                    .as("a transaction's changes come in the order it made them: this batch deletes, then sets")
                    .containsExactly("set", "delete", "set", "set", "delete", "set", "set", "set", "clear", "store-deleted");
            assertThat(events).extracting(EventStream.Event::id).doesNotHaveDuplicates().isSorted();
            assertThat(events.get(0).data()).isEqualTo("{\"key\":\"a\",\"etag\":" + JSON.writeValueAsString(etag) + ",\"value\":{\"a\":[1,2]}}");
            assertThat(events.get(1).data()).isEqualTo("{\"key\":\"a\",\"etag\":" + JSON.writeValueAsString(etag) + "}");
            assertThat(JSON.readTree(events.get(2).data()).get("value").asInt()).isEqualTo(5);
            assertThat(events.get(8).data()).isEqualTo("{}");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!sse.ended() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(sse.ended()).as("the stream ends with the store").isTrue();
        }
        tenant.request().accept("application/json").get(tenant.stores() + "/" + store + "/changes").then().statusCode(404);
    }

    @Test
    void expiryIsADeleteWithItsReason() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/swept?ttl=1").then().statusCode(201);
        tenant.request().body("1").put(tenant.records(store) + "/overwritten?ttl=1").then().statusCode(201);
        String from = poll(tenant, store, "0000000000000000", 1).getString("next");
        clock.advance(Duration.ofSeconds(2));
        tenant.request().body("2").put(tenant.records(store) + "/overwritten").then().statusCode(201);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Map<String, Object>> changes = new ArrayList<>();
        String since = from;
        while (changes.size() < 3 && System.nanoTime() < deadline) {
            sweeper.sweep(100).await().atMost(Duration.ofSeconds(10));
            JsonPath page = poll(tenant, store, since, 1);
            changes.addAll(page.getList("changes"));
            since = page.getString("next");
        }
        assertThat(changes).extracting(change -> change.get("type") + " " + change.get("key") + " " + change.get("reason"))
                .containsExactlyInAnyOrder("delete overwritten expired", "set overwritten null", "delete swept expired");
        assertThat(changes.indexOf(changes.stream().filter(c -> "delete".equals(c.get("type")) && "overwritten".equals(c.get("key")))
                .findFirst().orElseThrow())).as("the expiry came before the write over it")
                .isLessThan(changes.indexOf(changes.stream().filter(c -> "set".equals(c.get("type"))).findFirst().orElseThrow()));
    }

    @Test
    void prefixAndValuesFilterWhatIsSent() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/other").then().statusCode(201);
        tenant.request().body("{\"big\":true}").put(tenant.records(store) + "/user-a").then().statusCode(201);
        tenant.request().delete(tenant.records(store)).then().statusCode(200);
        JsonPath page = tenant.request().accept("application/json").queryParam("since", "0000000000000000")
                .queryParam("prefix", "user-").queryParam("values", "false").queryParam("wait", 1)
                .get(tenant.stores() + "/" + store + "/changes").then().statusCode(200).extract().jsonPath();
        assertThat(page.getList("changes.type")).containsExactly("set", "clear");
        assertThat(page.getString("changes[0].key")).isEqualTo("user-a");
        assertThat(page.getMap("changes[0]")).doesNotContainKey("value").containsKey("etag");
        assertThat(page.getString("next")).isEqualTo("0000000000000003");
    }

    @Test
    void lastEventIdResumesAndBeatsSince() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        for (int i = 0; i < 5; i++) {
            tenant.request().body(Integer.toString(i)).put(tenant.records(store) + "/k" + i).then().statusCode(201);
        }
        try (EventStream sse = EventStream.open(changesUrl(tenant, store) + "?since=0000000000000000", tenant.token(),
                "0000000000000003")) {
            assertThat(sse.take(2, Duration.ofSeconds(5))).extracting(EventStream.Event::id)
                    .containsExactly("0000000000000004", "0000000000000005");
        }
    }

    @Test
    void theHistoryReplayedIsTheStoreUnderConcurrentWritersOfEveryKind() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        EventStream sse = EventStream.open(changesUrl(tenant, store) + "?since=0000000000000000", tenant.token(), null);
        int writers = 8;
        int operations = 60;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long seed = w;
            done.add(pool.submit(() -> randomWrites(tenant, store, new Random(seed), operations)));
        }
        for (Future<?> writer : done) {
            writer.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<Map<String, Object>> all = readAll(tenant, store, "0000000000000000");
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).get("position")).as("positions are dense and in order").isEqualTo(Positions.format(i + 1));
        }
        assertThat(StoreHistory.replay(all)).isEqualTo(StoreHistory.stored(tenant.request(), tenant.records(store)));

        List<EventStream.Event> streamed = sse.take(all.size(), Duration.ofSeconds(30));
        sse.close();
        assertThat(streamed).extracting(EventStream.Event::id).isEqualTo(all.stream().map(c -> c.get("position")).toList());
        assertThat(streamed).extracting(EventStream.Event::name).isEqualTo(all.stream().map(c -> c.get("type")).toList());

        Random random = new Random(7);
        for (int i = 0; i < 5; i++) {
            int from = random.nextInt(all.size());
            assertThat(readAll(tenant, store, Positions.format(from))).as("a resume is the rest of the history")
                    .isEqualTo(all.subList(from, all.size()));
        }
    }

    /**
     * For generated sequences of every kind of write, conditional ones and batches whose checks pass or fail among
     * them, replaying the history from its start gives the store: its keys, ETags, values and expiries.
     */
    @Test
    void theHistoryReplayedIsTheStoreForGeneratedWriteSequences() {
        Tenant tenant = Tenant.create();
        for (int round = 0; round < 25; round++) {
            Random random = new Random(round);
            String store = tenant.newStore("round-" + round);
            String base = tenant.stores() + "/" + store;
            for (int i = 0; i < 20; i++) {
                String key = "k" + random.nextInt(3);
                String other = "k" + random.nextInt(3);
                String etag = random.nextBoolean() ? currentEtag(tenant, store, key) : "\"stale\"";
                switch (random.nextInt(10)) {
                    case 0 -> tenant.request().body("{\"v\":" + i + "}").put(tenant.records(store) + "/" + key);
                    case 1 -> tenant.request().body("{\"v\":" + i + "}").header("If-Match", etag).put(tenant.records(store) + "/" + key);
                    case 2 -> tenant.request().body("[" + i + "]").header("If-None-Match", "*").put(tenant.records(store) + "/" + key);
                    case 3 -> tenant.request().header("If-Match", etag).delete(tenant.records(store) + "/" + key);
                    case 4 -> tenant.request().body("{\"key\":\"" + key + "\",\"ttl\":" + (random.nextBoolean() ? "3600" : "null") + "}")
                            .post(base + "/expire");
                    case 5 -> tenant.request().body("{\"key\":\"" + key + "\",\"by\":2}").post(base + "/increment");
                    case 6 -> tenant.request().body("{\"checks\":[{\"key\":\"" + key + "\",\"absent\":true}],\"set\":[{\"key\":\""
                            + other + "\",\"value\":" + i + "}]}").post(base + "/batch");
                    case 7 -> tenant.request().body("{\"checks\":[{\"key\":\"" + key + "\",\"etag\":" + JSON.valueToTree(etag)
                            + "}],\"set\":[{\"key\":\"" + key + "\",\"value\":\"checked " + i + "\"}],\"delete\":[\"" + other + "\"]}")
                            .post(base + "/batch");
                    case 8 -> tenant.request().body("{\"key\":\"" + key + "\",\"value\":" + i + ",\"ttl\":600}").post(base + "/append");
                    default -> tenant.request().delete(random.nextInt(4) == 0 ? tenant.records(store) : tenant.records(store) + "/" + key);
                }
            }
            List<Map<String, Object>> history = readAll(tenant, store, "0000000000000000");
            assertThat(StoreHistory.replay(history)).as("round %d: %s", round, history).isEqualTo(StoreHistory.stored(tenant.request(), tenant.records(store)));
        }
    }

    private static String currentEtag(Tenant tenant, String store, String key) {
        String etag = tenant.request().get(tenant.records(store) + "/" + key).header("ETag");
        return etag == null ? "\"absent\"" : etag;
    }

    private static void randomWrites(Tenant tenant, String store, Random random, int operations) {
        String base = tenant.stores() + "/" + store;
        for (int i = 0; i < operations; i++) {
            String key = "k" + random.nextInt(6);
            switch (random.nextInt(9)) {
                case 0, 1 -> tenant.request().body("{\"v\":" + random.nextInt(1000) + "}").put(tenant.records(store) + "/" + key);
                case 2 -> tenant.request().delete(tenant.records(store) + "/" + key);
                case 3 -> tenant.request().body("{\"key\":\"n" + random.nextInt(2) + "\",\"by\":1}").post(base + "/increment");
                case 4 -> tenant.request().body("{\"key\":\"list\",\"value\":" + i + "}").post(base + "/append");
                case 5 -> tenant.request().body("{\"set\":[{\"key\":\"" + key + "\",\"value\":[" + i + "]},{\"key\":\"b"
                        + random.nextInt(3) + "\",\"value\":null}],\"delete\":[\"k" + random.nextInt(6) + "\"]}").post(base + "/batch");
                case 6 -> tenant.request().body("{\"key\":\"" + key + "\",\"value\":\"created\"}").post(base + "/get-or-create");
                case 7 -> tenant.request().contentType("application/x-ndjson")
                        .body(("{\"key\":\"" + key + "\",\"value\":\"imported " + i + "\"}\n").getBytes(StandardCharsets.UTF_8))
                        .post(base + "/import");
                default -> {
                    if (random.nextInt(10) == 0) {
                        tenant.request().delete(tenant.records(store));
                    } else {
                        tenant.request().body("\"x\"").header("If-None-Match", "*").put(tenant.records(store) + "/" + key);
                    }
                }
            }
        }
    }

    @Test
    void aResumeFromBeforeTheKeptHistoryIsGoneWithWhereToGoOn() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        for (int i = 0; i < 3; i++) {
            tenant.request().body("1").put(tenant.records(store) + "/k" + i).then().statusCode(201);
        }
        clock.advance(Duration.ofHours(25));
        history.prune().await().atMost(Duration.ofSeconds(60));

        tenant.request().accept("application/json").queryParam("since", "0000000000000000")
                .get(tenant.stores() + "/" + store + "/changes").then().statusCode(410)
                .contentType("application/problem+json").body("type", equalTo(PROBLEM + "history-expired"))
                .body("oldest", equalTo("0000000000000003")).body("next", equalTo("0000000000000003"));
        tenant.request().accept("application/json").queryParam("since", "0000000000000002").queryParam("wait", 1)
                .get(tenant.stores() + "/" + store + "/changes").then().statusCode(200).body("changes[0].position", equalTo("0000000000000003"));

        tenant.request().body("1").put(tenant.records(store) + "/after").then().statusCode(201);
        assertThat(poll(tenant, store, "0000000000000003", 5).getList("changes.position"))
                .as("positions go on from the newest kept").containsExactly("0000000000000004");
    }

    @Test
    void aCheckThatAKeyIsAbsentIsNoChange() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String batch = tenant.stores() + "/" + store + "/batch";
        tenant.request().body("{\"checks\":[{\"key\":\"ghost\",\"absent\":true}]}").post(batch).then().statusCode(200);
        tenant.request().body("{\"checks\":[{\"key\":\"ghost\",\"absent\":true}],\"set\":[{\"key\":\"real\",\"value\":1}]}")
                .post(batch).then().statusCode(200);
        JsonPath page = poll(tenant, store, "0000000000000000", 1);
        assertThat(page.getList("changes.key")).containsExactly("real");
        assertThat(page.getString("changes[0].position")).isEqualTo("0000000000000001");
    }

    @Test
    void historyPrunedBetweenTheCheckAndTheReadIsGoneNotSkipped() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        for (int i = 0; i < 5; i++) {
            tenant.request().body("1").put(tenant.records(store) + "/k" + i).then().statusCode(201);
        }
        // what a prune racing the watch does: the oldest change is still there when the watch starts, the next are not
        pool.preparedQuery("DELETE FROM changes WHERE store_id = $1 AND position IN (2, 3)").execute(Tuple.of(store))
                .await().atMost(Duration.ofSeconds(10));
        tenant.request().accept("application/json").queryParam("since", "0000000000000001").queryParam("wait", 1)
                .get(tenant.stores() + "/" + store + "/changes").then().statusCode(410)
                .body("type", equalTo(PROBLEM + "history-expired")).body("oldest", equalTo("0000000000000004"))
                .body("next", equalTo("0000000000000005"));
    }

    @Test
    void openWatchesAreLimitedByThePlan() throws Exception {
        String plan = Plans.create(5, 1000, 10_000_000, 65536, 100_000);
        Tenant.asOperator().body(Map.of("maxStores", 5, "maxKeys", 1000, "maxStorageBytes", 10_000_000, "maxValueBytes", 65536,
                "requestsPerSecond", 100_000, "maxWatchers", 2)).put("/v1/admin/plans/{plan}", plan).then().statusCode(200)
                .body("maxWatchers", equalTo(2));
        Tenant tenant = Tenant.create(plan);
        String store = tenant.newStore("s");
        EventStream first = EventStream.open(changesUrl(tenant, store), tenant.token(), null);
        EventStream second = EventStream.open(changesUrl(tenant, store), tenant.token(), null);
        tenant.request().accept("text/event-stream").get(tenant.stores() + "/" + store + "/changes").then().statusCode(429)
                .body("type", equalTo(PROBLEM + "rate-limited")).body("limit", equalTo("watchers")).body("allowed", equalTo(2));
        tenant.request().accept("application/json").queryParam("wait", 1).get(tenant.stores() + "/" + store + "/changes")
                .then().statusCode(429);
        first.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            status = tenant.request().accept("application/json").queryParam("wait", 1)
                    .get(tenant.stores() + "/" + store + "/changes").statusCode();
        }
        assertThat(status).as("a closed stream gives its slot back").isEqualTo(200);
        second.close();
    }

    @Test
    void anIdleStreamGetsAKeepAliveComment() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        try (EventStream sse = EventStream.open(changesUrl(tenant, store), tenant.token(), null)) {
            assertThat(sse.nextComment(Duration.ofSeconds(5))).isNotNull();
            assertThat(sse.nextComment(Duration.ofSeconds(17))).as("a comment within 15 s of idleness").isNotNull();
        }
    }

    @Test
    void watchingIsReadScopedAndTenantBound() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        Tenant other = Tenant.create();
        String theirs = other.newStore("theirs");
        tenant.request().accept("application/json").get(tenant.stores() + "/" + theirs + "/changes").then().statusCode(404);
        tenant.request().accept("text/event-stream").get(tenant.stores() + "/" + theirs + "/changes").then().statusCode(404);
        other.request().accept("application/json").get(tenant.stores() + "/" + store + "/changes").then().statusCode(404);
        String writeOnly = Tenant.keyWith(tenant.workspaceId(), "write");
        RestAssured.given().auth().oauth2(writeOnly).accept("application/json")
                .get(tenant.stores() + "/" + store + "/changes").then().statusCode(403);
        RestAssured.given().auth().oauth2(writeOnly).accept("text/event-stream")
                .get(tenant.stores() + "/" + store + "/changes").then().statusCode(403);
    }

    @Test
    void badWatchRequestsAreRefused() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String changes = tenant.stores() + "/" + store + "/changes";
        for (String since : List.of("42", "000000000000002A", "ffffffffffffffff", "0000000000000000x", " ")) {
            io.restassured.response.Response refused = tenant.request().accept("application/json").queryParam("since", since).get(changes);
            assertThat(refused.statusCode()).as("since '%s'", since).isEqualTo(400);
            assertThat(refused.jsonPath().getString("type")).as("since '%s'", since).isEqualTo(PROBLEM + "invalid-position");
        }
        tenant.request().accept("application/json").queryParam("since", "").get(changes).then().statusCode(400);
        tenant.request().accept("application/json").queryParam("since", "0000000000000009").get(changes).then().statusCode(400)
                .body("type", equalTo(PROBLEM + "invalid-position"));
        tenant.request().accept("text/event-stream").header("Last-Event-ID", "nope").get(changes).then().statusCode(400)
                .body("type", equalTo(PROBLEM + "invalid-position"));
        for (String wait : List.of("0", "61", "x", "-1", "1.5")) {
            tenant.request().accept("application/json").queryParam("wait", wait).get(changes).then().statusCode(400)
                    .body("type", equalTo(PROBLEM + "invalid-request"));
        }
        tenant.request().accept("application/json").queryParam("values", "yes").get(changes).then().statusCode(400);
        tenant.request().accept("application/json").queryParam("prefix", "a\u0000b").get(changes).then().statusCode(400);
        tenant.request().accept("text/html").queryParam("wait", 1).get(changes).then().statusCode(406)
                .body("type", equalTo(PROBLEM + "not-acceptable"));
    }

    private static List<Map<String, Object>> readAll(Tenant tenant, String store, String since) {
        return StoreHistory.readAll(tenant::request, tenant.stores() + "/" + store + "/changes", since);
    }

    static JsonPath poll(Tenant tenant, String store, String since, int wait) {
        RequestSpecification request = tenant.request().accept("application/json").queryParam("wait", wait);
        if (since != null) {
            request = request.queryParam("since", since);
        }
        return request.get(tenant.stores() + "/" + store + "/changes").then().statusCode(200).extract().jsonPath();
    }

    static String changesUrl(Tenant tenant, String store) {
        return RestAssured.baseURI + ":" + RestAssured.port + tenant.stores() + "/" + store + "/changes";
    }

    static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }
}
