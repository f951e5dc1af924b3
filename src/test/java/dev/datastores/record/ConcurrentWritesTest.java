package dev.datastores.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.Parallel;
import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Random;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Concurrent writes to the same keys, conditional and not, checked against what a sequential model allows: each
 * write gets exactly the outcome it would get alone. The semantics group commit (issue 17) must keep.
 */
@QuarkusTest
class ConcurrentWritesTest {

    @Inject
    Pool pool;

    @Test
    void readModifyWritesWithIfMatchLoseNoUpdateWhenTheyShareStatements() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String path = tenant.records(store) + "/counter";
        tenant.request().body("0").put(path).then().statusCode(201);

        List<Integer> won = Parallel.run(16, client -> {
            int wins = 0;
            for (int attempt = 0; attempt < 15; attempt++) {
                Response current = tenant.request().get(path);
                int value = Integer.parseInt(current.asString());
                int status = tenant.request().header("If-Match", current.header("ETag")).body(Integer.toString(value + 1))
                        .put(path).statusCode();
                assertThat(status).isIn(200, 412);
                wins += status == 200 ? 1 : 0;
            }
            return wins;
        });

        int successes = won.stream().mapToInt(Integer::intValue).sum();
        assertThat(successes).isPositive();
        assertThat(tenant.request().get(path).asString()).as("every acknowledged conditional write, none lost")
                .isEqualTo(Integer.toString(successes));
    }

    @Test
    void ofManyCreatesOfOneKeyExactlyOneWinsAndOthersSeePreconditionFailed() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        for (int round = 0; round < 5; round++) {
            String path = tenant.records(store) + "/once-" + round;
            List<Integer> statuses = Parallel.run(24, client ->
                    tenant.request().header("If-None-Match", "*").body(Integer.toString(client)).put(path).statusCode());
            assertThat(statuses).filteredOn(status -> status == 201).hasSize(1);
            assertThat(statuses).filteredOn(status -> status == 412).hasSize(23);
        }
    }

    @Test
    void unconditionalWritesToOneKeyEndAtOneOfThemWhole() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String path = tenant.records(store) + "/last";

        Map<String, String> valueByEtag = Parallel.run(24, client -> {
            Response put = tenant.request().body(Integer.toString(client)).put(path);
            assertThat(put.statusCode()).isIn(200, 201);
            return new String[] {put.header("ETag"), Integer.toString(client)};
        }).stream().collect(Collectors.toMap(written -> written[0], written -> written[1]));

        assertThat(valueByEtag).as("every write its own version").hasSize(24);
        Response now = tenant.request().get(path);
        assertThat(valueByEtag).as("the record is one write, its value under its own ETag")
                .containsEntry(now.header("ETag"), now.asString());
    }

    @Test
    void aGroupAtTheKeyLimitAdmitsExactlyWhatFitsAndEachRefusalIsItsOwn() {
        Tenant tenant = Tenant.create(Plans.create(5, 10, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");

        List<Integer> statuses = Parallel.run(40, client ->
                tenant.request().body("1").put(tenant.records(store) + "/k-" + client).statusCode());

        Map<Integer, Long> byStatus = statuses.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(byStatus.get(201)).isEqualTo(10);
        assertThat(byStatus.get(403)).isEqualTo(30);
        assertThat(tenant.request().get(tenant.stores() + "/" + store + "/keys").jsonPath().getList("keys")).hasSize(10);
    }


    @Test
    void mixedWritesOnFewKeysAtAKeyLimitNeverGoPastItAndLeaveUsageExact() throws InterruptedException {
        Tenant tenant = Tenant.create(Plans.create(5, 4, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        String records = tenant.records(store);

        List<Integer> statuses = Parallel.run(16, client -> {
            Random random = new Random(client);
            List<Integer> seen = new java.util.ArrayList<>();
            for (int step = 0; step < 25; step++) {
                String path = records + "/k" + random.nextInt(6);
                String value = "{\"client\":" + client + ",\"pad\":\"" + "x".repeat(random.nextInt(200)) + "\"}";
                int status = switch (random.nextInt(5)) {
                    case 0 -> tenant.request().delete(path).statusCode();
                    case 1 -> tenant.request().header("If-None-Match", "*").body(value).put(path).statusCode();
                    case 2 -> {
                        String etag = tenant.request().get(path).header("ETag");
                        yield tenant.request().header("If-Match", etag == null ? "\"1\"" : etag).body(value).put(path).statusCode();
                    }
                    default -> tenant.request().body(value).put(path).statusCode();
                };
                seen.add(status);
            }
            return seen;
        }).stream().flatMap(List::stream).toList();

        assertThat(statuses).allMatch(status -> List.of(200, 201, 204, 403, 404, 412).contains(status));
        Row truth = pool.preparedQuery("SELECT count(*) AS keys, coalesce(sum(stored_bytes), 0) AS bytes FROM records WHERE store_id = $1")
                .execute(Tuple.of(store)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        assertThat(truth.getLong("keys")).as("never past the key limit").isLessThanOrEqualTo(4);
        Map<String, Object> usage = null;
        for (int wait = 0; wait < 50; wait++) {
            usage = tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).jsonPath().getMap("usage");
            if (((Number) usage.get("keys")).longValue() == truth.getLong("keys")
                    && ((Number) usage.get("storageBytes")).longValue() == truth.getLong("bytes")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(usage).as("usage as PostgreSQL counts it, once settled")
                .containsEntry("keys", truth.getLong("keys").intValue())
                .containsEntry("storageBytes", truth.getLong("bytes").intValue());
    }

    @Test
    void batchesSingleWritesAndClearsRacingOnTheSameKeysNeverAnswer5xx() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String records = tenant.records(store);
        String batch = tenant.stores() + "/" + store + "/batch";

        List<Integer> statuses = Parallel.run(24, client -> {
            Random random = new Random(client);
            List<Integer> seen = new java.util.ArrayList<>();
            for (int step = 0; step < 12; step++) {
                int op = random.nextInt(10);
                if (op < 4) {
                    String sets = random.ints(0, 30).distinct().limit(8).sorted()
                            .mapToObj(k -> "{\"key\":\"k" + k + "\",\"value\":" + client + "}")
                            .collect(Collectors.joining(","));
                    seen.add(tenant.request().body("{\"set\":[" + sets + "],\"delete\":[\"k" + random.nextInt(30) + "\"]}")
                            .post(batch).statusCode());
                } else if (op < 7) {
                    seen.add(tenant.request().body(Integer.toString(client)).put(records + "/k" + random.nextInt(30)).statusCode());
                } else if (op < 9) {
                    seen.add(tenant.request().delete(records + "/k" + random.nextInt(30)).statusCode());
                } else {
                    seen.add(tenant.request().delete(records).statusCode());
                }
            }
            return seen;
        }).stream().flatMap(List::stream).toList();

        assertThat(statuses).as("every answer, deadlocks between writers of many rows included").allMatch(status -> status < 500);
    }

    @Test
    void aStoreDeletedWhileWritesHitItAnswers204AndKeepsNothing() {
        for (int round = 0; round < 3; round++) {
            Tenant tenant = Tenant.create();
            String store = tenant.newStore("s");
            String records = tenant.records(store);
            List<Integer> statuses = Parallel.run(17, client -> {
                if (client == 0) {
                    sleepQuietly(50);
                    return tenant.request().delete(tenant.stores() + "/" + store).statusCode();
                }
                int last = 0;
                for (int step = 0; step < 10; step++) {
                    last = tenant.request().body("1").put(records + "/k" + (client * 10 + step)).statusCode();
                    assertThat(last).isIn(201, 404);
                }
                return last;
            });
            assertThat(statuses.get(0)).as("the store's deletion").isEqualTo(204);
            Row left = pool.preparedQuery("SELECT count(*) AS n FROM records WHERE store_id = $1").execute(Tuple.of(store))
                    .await().atMost(Duration.ofSeconds(5)).iterator().next();
            assertThat(left.getLong("n")).isZero();
            assertThat(tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).jsonPath().getInt("usage.keys"))
                    .as("usage as soon as every write is answered: no reservation of a write that found no store lingers")
                    .isZero();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
