package dev.datastores.quota;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.Parallel;
import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The service with its Redis unreachable from the start: it stays ready (Redis a degraded detail), and every write is
 * checked in PostgreSQL against the fallback's running count, exactly, under concurrency.
 */
@QuarkusTest
@TestProfile(RedisAwayTest.NoRedis.class)
class RedisAwayTest {

    /** Nothing listens on port 1. */
    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:1");
        }
    }

    @Inject
    Pool pool;

    @Test
    void theReplicaStaysReadyAndSaysRedisIsDegraded() {
        Response ready = given().get("/q/health/ready");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.jsonPath().getString("checks.find { it.name.contains('Redis') }.data.redis")).isEqualTo("degraded");
        assertThat(given().accept("text/plain").get("/q/metrics").asString())
                .containsPattern("(?m)^datastores_redis_degraded(\\{[^}]*})? 1\\.0$");
    }

    @Test
    void concurrentCreatesAtTheKeyLimitAdmitExactlyWhatFits() {
        Tenant tenant = Tenant.create(Plans.create(5, 10, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        for (int i = 0; i < 4; i++) {
            tenant.request().body("1").put(tenant.records(store) + "/before-" + i).then().statusCode(201);
        }

        List<Integer> statuses = Parallel.run(30, client ->
                tenant.request().body("{\"client\":" + client + "}").put(tenant.records(store) + "/new-" + client).statusCode());

        assertThat(statuses).filteredOn(status -> status == 201).hasSize(6);
        assertThat(statuses).filteredOn(status -> status == 403).hasSize(24);
        assertThat(truth(tenant.workspaceId())).containsExactly(10L, storedBytes(tenant.workspaceId()));
        assertThat(runningCount(tenant.workspaceId())).as("the fallback's running count is the truth")
                .isEqualTo(truth(tenant.workspaceId()));
    }

    @Test
    void theRunningCountFollowsReplacesDeletesClearsAndStoreDeletions() {
        Tenant tenant = Tenant.create(Plans.create(5, 100, 3_000, 65536, 100_000));
        String store = tenant.newStore("s");
        String other = tenant.newStore("t");
        tenant.request().body("\"" + "a".repeat(300) + "\"").put(tenant.records(store) + "/grows").then().statusCode(201);
        tenant.request().body("\"" + "b".repeat(900) + "\"").put(tenant.records(store) + "/grows").then().statusCode(200);
        tenant.request().body("1").put(tenant.records(store) + "/gone").then().statusCode(201);
        tenant.request().delete(tenant.records(store) + "/gone").then().statusCode(204);
        tenant.request().body("2").put(tenant.records(other) + "/x").then().statusCode(201);
        tenant.request().contentType("application/json").body("{\"key\":\"n\"}").post(tenant.stores() + "/" + other + "/increment")
                .then().statusCode(201);
        assertThat(runningCount(tenant.workspaceId())).isEqualTo(truth(tenant.workspaceId()));

        tenant.request().delete(tenant.records(store)).then().statusCode(200);
        assertThat(runningCount(tenant.workspaceId())).isEqualTo(truth(tenant.workspaceId()));
        tenant.request().delete(tenant.stores() + "/" + other).then().statusCode(204);
        assertThat(runningCount(tenant.workspaceId())).isEqualTo(truth(tenant.workspaceId())).containsExactly(0L, 0L);
    }

    @Test
    void storageBytesAreExactToo() {
        Tenant tenant = Tenant.create(Plans.create(5, 1000, 2_000, 65536, 100_000));
        String store = tenant.newStore("s");
        // random letters, which Brotli cannot shrink much: 20 values of ~250 stored bytes pass the 2,000 allowed
        List<Integer> statuses = Parallel.run(20, client -> tenant.request()
                .body("\"" + new Random(client).ints(320, 'a', 'z' + 1).collect(StringBuilder::new,
                        StringBuilder::appendCodePoint, StringBuilder::append) + "\"")
                .put(tenant.records(store) + "/k-" + client).statusCode());

        assertThat(statuses).contains(201, 403);
        List<Long> truth = truth(tenant.workspaceId());
        assertThat(truth.get(1)).as("never past the storage limit").isLessThanOrEqualTo(2_000);
        assertThat(runningCount(tenant.workspaceId())).isEqualTo(truth);
    }

    /** Keys and stored bytes of the workspace, counted in PostgreSQL. */
    private List<Long> truth(String workspaceId) {
        Row row = pool.preparedQuery("""
                        SELECT count(r.key) AS keys, coalesce(sum(r.stored_bytes), 0) AS bytes
                          FROM stores s LEFT JOIN records r ON r.store_id = s.id WHERE s.workspace_id = $1""")
                .execute(Tuple.of(workspaceId)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        return List.of(row.getLong("keys"), row.getLong("bytes"));
    }

    private long storedBytes(String workspaceId) {
        return truth(workspaceId).get(1);
    }

    private List<Long> runningCount(String workspaceId) {
        var rows = pool.preparedQuery("SELECT keys, storage_bytes FROM fallback_usage WHERE workspace_id = $1")
                .execute(Tuple.of(workspaceId)).await().atMost(Duration.ofSeconds(5));
        assertThat(rows.size()).as("a running count exists").isEqualTo(1);
        Row row = rows.iterator().next();
        return List.of(row.getLong("keys"), row.getLong("storage_bytes"));
    }
}
