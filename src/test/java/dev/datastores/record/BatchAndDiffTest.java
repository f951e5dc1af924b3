package dev.datastores.record;

import dev.datastores.support.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.datastores.support.Parallel;
import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BatchAndDiffTest {

    @Inject
    TestClock clock;


    @Inject
    ExpirySweeper sweeper;

    @Test
    void batchSetsAndDeletesTogether() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/old").then().statusCode(201);

        batch(tenant, store, "{\"set\":[{\"key\":\"a\",\"value\":{\"z\":1,\"y\":1.50}},{\"key\":\"b/c\",\"value\":[1],\"ttl\":100}],"
                + "\"delete\":[\"old\",\"never-was\"]}")
                .then().statusCode(200).body("set", equalTo(2)).body("deleted", equalTo(1));

        assertThat(tenant.request().get(tenant.records(store) + "/a").asString()).isEqualTo("{\"z\":1,\"y\":1.50}");
        tenant.request().get(tenant.records(store) + "/b/c").then().statusCode(200).header("Expires-At", org.hamcrest.Matchers.notNullValue());
        tenant.request().get(tenant.records(store) + "/old").then().statusCode(404);
    }

    @Test
    void aValueNestedSixtyFourDeepIsStoredHoweverItIsSent() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String deepest = "[".repeat(64) + "]".repeat(64);

        tenant.request().body(deepest).put(tenant.records(store) + "/put").then().statusCode(201);
        batch(tenant, store, "{\"set\":[{\"key\":\"batch\",\"value\":" + deepest + "}]}").then().statusCode(200);
        tenant.request().body("{\"key\":\"created\",\"value\":" + deepest + "}").post(tenant.stores() + "/" + store + "/get-or-create")
                .then().statusCode(201);
        tenant.request().contentType("application/x-ndjson").body(("{\"key\":\"imported\",\"value\":" + deepest + "}\n").getBytes(StandardCharsets.UTF_8))
                .post(tenant.stores() + "/" + store + "/import").then().statusCode(200);

        for (String key : List.of("put", "batch", "created", "imported")) {
            assertThat(tenant.request().get(tenant.records(store) + "/" + key).asString()).as(key).isEqualTo(deepest);
        }
    }

    @Test
    void aBatchWithOneInvalidItemStoresNothing() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        batch(tenant, store, "{\"set\":[{\"key\":\"good\",\"value\":1},{\"key\":\"\",\"value\":2}]}").then().statusCode(400)
                .body("type", equalTo("https://datastores.dev/problems/invalid-key"));
        batch(tenant, store, "{\"set\":[{\"key\":\"good\",\"value\":1},{\"key\":\"bad\"}]}").then().statusCode(400);
        batch(tenant, store, "{\"set\":[{\"key\":\"good\",\"value\":1},{\"key\":\"good\",\"value\":2}]}").then().statusCode(400);
        batch(tenant, store, "{\"set\":[{\"key\":\"good\",\"value\":1},{\"key\":\"t\",\"value\":2,\"ttl\":-5}]}").then().statusCode(400)
                .body("type", equalTo("https://datastores.dev/problems/invalid-ttl"));

        tenant.request().get(tenant.records(store) + "/good").then().statusCode(404);
    }

    @Test
    void aBatchThatWouldPassTheQuotaStoresNothing() {
        Tenant tenant = Tenant.create(Plans.create(5, 5, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        batch(tenant, store, "{\"set\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":1},{\"key\":\"c\",\"value\":1}]}")
                .then().statusCode(200);

        batch(tenant, store, "{\"set\":[{\"key\":\"d\",\"value\":1},{\"key\":\"e\",\"value\":1},{\"key\":\"f\",\"value\":1}]}")
                .then().statusCode(403).body("limit", equalTo("keys"));
        tenant.request().get(tenant.records(store) + "/d").then().statusCode(404);

        batch(tenant, store, "{\"set\":[{\"key\":\"d\",\"value\":1},{\"key\":\"e\",\"value\":1},{\"key\":\"f\",\"value\":1},"
                + "{\"key\":\"a\",\"value\":2}],\"delete\":[\"b\"]}").then().statusCode(200);
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().body("usage.keys", equalTo(5));
    }

    @Test
    void aBatchOverTheOperationLimitIsRefused() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String deletes = IntStream.range(0, 1025).mapToObj(i -> "\"k" + i + "\"").collect(Collectors.joining(","));
        batch(tenant, store, "{\"delete\":[" + deletes + "]}").then().statusCode(400)
                .body("type", equalTo("https://datastores.dev/problems/too-many-keys"));
    }

    @Test
    void batchGetReturnsFoundRecordsAndMissingKeys() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        batch(tenant, store, "{\"set\":[{\"key\":\"a\",\"value\":\"A\"},{\"key\":\"b\",\"value\":{\"n\":2}}]}").then().statusCode(200);

        tenant.request().body("{\"keys\":[\"b\",\"x\",\"a\"]}").post(tenant.stores() + "/" + store + "/batch-get").then()
                .statusCode(200)
                .body("records.key", equalTo(List.of("b", "a")))
                .body("records[0].value.n", equalTo(2))
                .body("records[1].value", equalTo("A"))
                .body("missing", equalTo(List.of("x")));
    }

    @Test
    void diffReturnsExactlyTheKeysTheOtherStoreLacksInKeyOrder() {
        Tenant tenant = Tenant.create();
        String left = tenant.newStore("left");
        String right = tenant.newStore("right");
        load(tenant, left, 0, 5000);
        load(tenant, right, 2500, 7500);

        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            var request = tenant.request().queryParam("against", right).queryParam("limit", 1024).queryParam("values", "false");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get(tenant.stores() + "/" + left + "/diff").then().statusCode(200).extract().response();
            keys.addAll(page.jsonPath().getList("records.key"));
            cursor = page.path("nextCursor");
        } while (cursor != null);

        assertThat(keys).isEqualTo(IntStream.range(0, 2500).mapToObj(BatchAndDiffTest::key).toList());
    }

    @Test
    void diffAgainstAnotherWorkspacesStoreIsNotFound() {
        Tenant tenant = Tenant.create();
        String mine = tenant.newStore("mine");
        Tenant other = Tenant.create();
        String theirs = other.newStore("theirs");
        tenant.request().queryParam("against", theirs).get(tenant.stores() + "/" + mine + "/diff").then().statusCode(404);
    }

    @Test
    void expiredRecordsVanishFromListingsAndTheSweeperFreesTheirQuota() throws InterruptedException {
        Tenant tenant = Tenant.create(Plans.create(5, 2, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/short?ttl=1").then().statusCode(201);
        tenant.request().body("1").put(tenant.records(store) + "/long").then().statusCode(201);
        clock.advance(Duration.ofSeconds(2));

        assertThat(tenant.request().get(tenant.records(store)).jsonPath().getList("records.key")).containsExactly("long");
        tenant.request().get(tenant.stores() + "/" + store + "/keys").then().body("keys", equalTo(List.of("long")));
        tenant.request().body("1").put(tenant.records(store) + "/third").then().statusCode(403);

        assertThat(sweeper.sweep(10).await().atMost(Duration.ofSeconds(10))).isGreaterThanOrEqualTo(1L);

        tenant.request().body("1").put(tenant.records(store) + "/third").then().statusCode(201);
        // the store's counts are settled after the write is answered: give them a moment under load
        long deadline = System.currentTimeMillis() + 5_000;
        while (tenant.request().get(tenant.stores() + "/" + store).jsonPath().getInt("recordCount") != 2
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        tenant.request().get(tenant.stores() + "/" + store).then().body("recordCount", equalTo(2));
    }

    private static void load(Tenant tenant, String store, int from, int to) {
        for (int start = from; start < to; start += 1000) {
            int end = Math.min(to, start + 1000);
            String items = IntStream.range(start, end).mapToObj(i -> "{\"key\":\"" + key(i) + "\",\"value\":" + i + "}")
                    .collect(Collectors.joining(","));
            batch(tenant, store, "{\"set\":[" + items + "]}").then().statusCode(200);
        }
    }

    private static String key(int i) {
        return String.format("k%05d", i);
    }

    @Test
    void parallelBatchesOverTheSameKeysNeitherDeadlockNorCountAKeyTwice() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        IntStream.range(0, 50).forEach(i -> tenant.request().body("\"seed\"").put(tenant.records(store) + "/k" + i)
                .then().statusCode(201));
        String itemsInReverseKeyOrder = IntStream.range(0, 100).mapToObj(i -> "k" + (99 - i))
                .map(key -> "{\"key\":\"" + key + "\",\"value\":\"%s\"}").collect(Collectors.joining(","));

        List<Integer> statuses = Parallel.run(12, writer -> batch(tenant, store,
                "{\"set\":[" + itemsInReverseKeyOrder.replace("%s", "w" + writer) + "]}").statusCode());

        assertThat(statuses).containsOnly(200);
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().body("usage.keys", equalTo(100));
        List<String> values = IntStream.range(0, 100)
                .mapToObj(i -> tenant.request().get(tenant.records(store) + "/k" + i).asString()).distinct().toList();
        assertThat(values).hasSize(1).allMatch(value -> value.matches("\"w\\d+\""));
    }

    private static Response batch(Tenant tenant, String store, String body) {
        return tenant.request().body(body).post(tenant.stores() + "/" + store + "/batch");
    }
}
