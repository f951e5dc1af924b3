package dev.datastores.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.datastores.support.Parallel;
import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class QuotaTest {

    @Inject
    RedisAPI redis;

    @Inject
    QuotaReconciler reconciler;

    @Inject
    Pool pool;

    private static final int BATCH = 100;

    @Test
    void fiftyParallelPutsForOneFreeKeySlotAdmitExactlyOne() {
        Tenant tenant = Tenant.create(Plans.create(5, 10, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        IntStream.range(0, 9).forEach(i -> put(tenant, store, "existing-" + i, "1").then().statusCode(201));

        List<Integer> statuses = Parallel.run(50, i -> put(tenant, store, "new-" + i, "{\"i\":" + i + "}").statusCode());

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(49);
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().body("usage.keys", equalTo(10));
        assertThat(tenant.request().get(tenant.records(store) + "?values=false&limit=1024").jsonPath().getList("records"))
                .hasSize(10);
    }

    @Test
    void aDeleteFreesItsKeyForTheVeryNextRequest() {
        Tenant tenant = Tenant.create(Plans.create(5, 3, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        for (int round = 0; round < 20; round++) {
            for (String key : List.of("a", "b", "c")) {
                put(tenant, store, key + round, "1").then().statusCode(201);
            }
            tenant.request().delete(tenant.records(store) + "/b" + round).then().statusCode(204);
            put(tenant, store, "d" + round, "1").then().statusCode(201);
            tenant.request().delete(tenant.records(store)).then().statusCode(200);
        }
    }

    @Test
    void refusalNamesTheLimitAndTheFigures() {
        Tenant tenant = Tenant.create(Plans.create(5, 1, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "a", "1").then().statusCode(201);

        put(tenant, store, "b", "1").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://datastores.dev/problems/quota-exceeded"))
                .body("limit", equalTo("keys")).body("allowed", equalTo(1)).body("used", equalTo(1));
        tenant.request().get(tenant.records(store) + "/b").then().statusCode(404);
    }

    @Test
    void replacingAKeyAtTheKeyLimitIsAllowed() {
        Tenant tenant = Tenant.create(Plans.create(5, 2, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "a", "1").then().statusCode(201);
        put(tenant, store, "b", "1").then().statusCode(201);

        put(tenant, store, "a", "{\"replaced\":true}").then().statusCode(200);
        tenant.request().get(tenant.records(store) + "/a").then().body("replaced", equalTo(true));
    }

    @Test
    void deletingARecordFreesItsSlotAtOnce() {
        Tenant tenant = Tenant.create(Plans.create(5, 1, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "a", "1").then().statusCode(201);
        tenant.request().delete(tenant.records(store) + "/a").then().statusCode(204);

        put(tenant, store, "b", "1").then().statusCode(201);
    }

    @Test
    void clearingAStoreFreesItsKeysAndBytes() {
        Tenant tenant = Tenant.create(Plans.create(5, 3, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        IntStream.range(0, 3).forEach(i -> put(tenant, store, "k" + i, "1").then().statusCode(201));
        tenant.request().delete(tenant.records(store)).then().statusCode(200).body("deleted", equalTo(3));

        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then()
                .body("usage.keys", equalTo(0)).body("usage.storageBytes", equalTo(0));
        put(tenant, store, "again", "1").then().statusCode(201);
    }

    @Test
    void fiftyParallelStoreCreationsForOneFreeSlotAdmitExactlyOne() {
        Tenant tenant = Tenant.create(Plans.create(3, 100, 10_000_000, 65536, 100_000));
        tenant.newStore("one");
        tenant.newStore("two");

        List<Integer> statuses = Parallel.run(50, i -> tenant.request().body(Map.of("name", "store-" + i))
                .post(tenant.stores()).statusCode());

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(49);
        assertThat(tenant.request().get(tenant.stores()).jsonPath().getList("stores")).hasSize(3);
    }

    @Test
    void fiftyParallelPutsNearTheStorageLimitAdmitExactlyOne() {
        String value = "\"" + "x".repeat(100) + "\"";
        Tenant probe = Tenant.create();
        String probeStore = probe.newStore("s");
        int stored = put(probe, probeStore, "k", value).then().statusCode(201).extract().path("storageBytes");
        Tenant tenant = Tenant.create(Plans.create(5, 1000, stored * 3L + stored / 2, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "first", value).then().statusCode(201);
        put(tenant, store, "second", value).then().statusCode(201);

        List<Response> responses = Parallel.run(50, i -> put(tenant, store, "new-" + i, value));

        assertThat(responses).filteredOn(r -> r.statusCode() == 201).hasSize(1);
        assertThat(responses).filteredOn(r -> r.statusCode() == 403)
                .allMatch(r -> "storageBytes".equals(r.path("limit"))).hasSize(49);
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().body("usage.storageBytes", equalTo(stored * 3));
    }

    @Test
    void usageAndStoreSizesAreReported() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("sized");
        put(tenant, store, "a", "{\"hello\":\"world\"}").then().statusCode(201);
        put(tenant, store, "b", "[1,2,3]").then().statusCode(201);

        tenant.request().get(tenant.stores() + "/" + store).then().statusCode(200)
                .body("recordCount", equalTo(2)).body("rawBytes", equalTo(17 + 7));
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200)
                .body("usage.stores", equalTo(1)).body("usage.keys", equalTo(2)).body("plan.maxKeys", notNullValue());
    }

    @Test
    void corruptedCountersAreRepairedByReconciliation() {
        Tenant tenant = Tenant.create(Plans.create(5, 3, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "a", "1").then().statusCode(201);
        String key = "dsq:{" + tenant.workspaceId() + "}";
        redis.hset(List.of(key, "keys", "3", "bytes", "999999")).await().atMost(Duration.ofSeconds(5));
        put(tenant, store, "b", "1").then().statusCode(403);

        assertThat(reconciler.reconcile(tenant.workspaceId(), false).await().atMost(Duration.ofSeconds(10))).isTrue();

        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().body("usage.keys", equalTo(1));
        put(tenant, store, "b", "1").then().statusCode(201);
    }

    @Test
    void theSweepComesRoundToEveryWorkspaceABoundedBatchAtATime() {
        Tenant tenant = Tenant.create(Plans.create(5, 3, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "a", "1").then().statusCode(201);
        redis.hset(List.of("dsq:{" + tenant.workspaceId() + "}", "keys", "3")).await().atMost(Duration.ofSeconds(5));
        long workspaces = pool.query("SELECT count(*) FROM workspaces").execute().await().atMost(Duration.ofSeconds(5))
                .iterator().next().getLong(0);

        List<Integer> batches = new ArrayList<>();
        for (long tick = 0; tick <= workspaces / BATCH + 2 && keysCounted(tenant) != 1; tick++) {
            batches.add(reconciler.sweepNextBatch().await().atMost(Duration.ofSeconds(30)));
        }

        assertThat(keysCounted(tenant)).isEqualTo(1);
        assertThat(batches).isNotEmpty().allMatch(looked -> looked <= BATCH);
    }

        @Test
    void countersLostFromRedisAreRebuiltFromPostgres() {
        Tenant tenant = Tenant.create(Plans.create(5, 2, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        put(tenant, store, "a", "1").then().statusCode(201);
        put(tenant, store, "b", "1").then().statusCode(201);
        redis.del(List.of("dsq:{" + tenant.workspaceId() + "}")).await().atMost(Duration.ofSeconds(5));

        put(tenant, store, "c", "1").then().statusCode(403).body("used", equalTo(2));
    }

    @Test
    void entriesAndKeysAnswer426AboveTheirLimit() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("big");
        Parallel.run(16, t -> {
            for (int i = t; i < 1024; i += 16) {
                put(tenant, store, String.format("k%04d", i), Integer.toString(i)).then().statusCode(201);
            }
            return null;
        });
        String base = tenant.stores() + "/" + store;
        tenant.request().get(base + "/keys").then().statusCode(200).body("keys.size()", equalTo(1024))
                .body("keys[0]", equalTo("k0000"));
        tenant.request().get(base + "/entries").then().statusCode(200).body("entries.k1023", equalTo(1023));

        put(tenant, store, "k1024", "1").then().statusCode(201);

        tenant.request().get(base + "/keys").then().statusCode(426)
                .body("type", equalTo("https://datastores.dev/problems/too-many-records")).body("recordCount", equalTo(1025));
        tenant.request().get(base + "/entries").then().statusCode(426).body("recordCount", equalTo(1025));
    }

    @Test
    void requestsAboveThePlanRateAnswer429WithHeaders() {
        Tenant tenant = Tenant.create(Plans.create(5, 100, 10_000_000, 65536, 5));
        List<Response> responses = Parallel.run(20, i -> tenant.request().get(tenant.stores()));

        assertThat(responses).filteredOn(r -> r.statusCode() == 200).hasSizeBetween(1, 10);
        Response limited = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        assertThat(limited.header("Retry-After")).isNotNull();
        assertThat(limited.header("RateLimit-Limit")).isEqualTo("5");
        assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(limited.header("RateLimit-Reset")).isNotNull();
        assertThat(limited.<String>path("type")).isEqualTo("https://datastores.dev/problems/rate-limited");
        Response allowed = responses.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow();
        assertThat(allowed.header("RateLimit-Limit")).isEqualTo("5");
    }

    private long keysCounted(Tenant tenant) {
        return redis.hget("dsq:{" + tenant.workspaceId() + "}", "keys").await().atMost(Duration.ofSeconds(5)).toLong();
    }

    private static Response put(Tenant tenant, String store, String key, String json) {
        return tenant.request().body(json).put(tenant.records(store) + "/" + key);
    }
}
