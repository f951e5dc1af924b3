package dev.datastores.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.datastores.support.Parallel;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Store operations sent at the same moment, many rounds each: every pair ends as if one ran after the other,
 * with no 500, and what was acknowledged is what the API shows afterwards.
 */
@QuarkusTest
class StoreRaceTest {

    private static final int ROUNDS = 40;
    private static final String PROBLEMS = "https://datastores.dev/problems/";

    @Inject
    Pool database;

    @Test
    void aLinkPutAndAStoreDeleteNeverBothSucceed() {
        Tenant tenant = Tenant.create();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String store = tenant.stores() + "/" + tenant.newStore("s" + round);
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body(Map.of("name", "Nightly", "kind", "workflow")).put(store + "/links/l1")
                    : tenant.request().delete(store));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("link put / store delete, round %d", round).isIn("201/409", "404/204");
            if (outcome.equals("201/409")) {
                answers.get(1).then().body("type", equalTo(PROBLEMS + "store-linked")).body("links.id", equalTo(List.of("l1")));
                tenant.request().get(store + "/links").then().statusCode(200).body("links.id", equalTo(List.of("l1")));
                tenant.request().get(store).then().statusCode(200);
                tenant.request().delete(store + "/links/l1").then().statusCode(204);
                tenant.request().delete(store).then().statusCode(204);
            } else {
                tenant.request().get(store).then().statusCode(404);
                tenant.request().get(store + "/links").then().statusCode(404);
            }
        }
        System.out.println("link put / store delete over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void twoPutsOfANewLinkAddItOnceAndReplaceItOnce() {
        Tenant tenant = Tenant.create();
        String store = tenant.stores() + "/" + tenant.newStore("s");
        for (int round = 0; round < ROUNDS; round++) {
            String link = store + "/links/l" + round;
            List<Integer> statuses = Parallel.run(3, i -> tenant.request().body(Map.of("name", "n" + i, "kind", "workflow"))
                    .put(link).statusCode());

            assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(201, 200, 200);
        }
        tenant.request().get(store + "/links").then().body("links.size()", equalTo(ROUNDS));
    }

    @Test
    void twoDeletesOfOneStoreDeleteItOnceAndFreeItOnce() throws InterruptedException {
        Tenant tenant = Tenant.create();
        String kept = tenant.newStore("kept");
        for (int round = 0; round < ROUNDS; round++) {
            String store = tenant.stores() + "/" + tenant.newStore("s" + round);
            List<Integer> statuses = Parallel.run(2, i -> tenant.request().delete(store).statusCode());

            assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(204, 404);
        }
        tenant.request().get(tenant.stores()).then().body("stores.id", equalTo(List.of(kept)));
        awaitUsedStores(tenant, 1);
    }

    @Test
    void aRenameAndADeleteEndWithTheStoreGoneAndItsNamesFree() {
        Tenant tenant = Tenant.create();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String store = tenant.stores() + "/" + tenant.newStore("s" + round);
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body(Map.of("name", "renamed")).patch(store)
                    : tenant.request().delete(store));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("rename / delete, round %d", round).isIn("200/204", "404/204");
            tenant.request().get(store).then().statusCode(404);
            tenant.request().get(tenant.stores()).then().body("stores.size()", equalTo(0));
        }
        System.out.println("rename / delete over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void aRenameAndACreateToOneNameLetExactlyOneHaveIt() {
        Tenant tenant = Tenant.create();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String wanted = "wanted" + round;
            String store = tenant.stores() + "/" + tenant.newStore("s" + round);
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body(Map.of("name", wanted)).patch(store)
                    : tenant.request().body(Map.of("name", wanted)).post(tenant.stores()));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("rename / create, round %d", round).isIn("200/409", "409/201");
            Response refused = outcome.equals("200/409") ? answers.get(1) : answers.get(0);
            refused.then().body("type", equalTo(PROBLEMS + "name-taken"));
            assertThat(tenant.request().get(tenant.stores()).jsonPath().getList("stores.name")).containsOnlyOnce(wanted);
        }
        System.out.println("rename / create over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void parallelCreatesOfOneNameLetExactlyOneHaveIt() {
        Tenant tenant = Tenant.create();
        for (int round = 0; round < ROUNDS; round++) {
            String wanted = "wanted" + round;
            List<Integer> statuses = Parallel.run(3, i -> tenant.request().body(Map.of("name", wanted))
                    .post(tenant.stores()).statusCode());

            assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(201, 409, 409);
        }
        assertThat(tenant.request().get(tenant.stores()).jsonPath().getList("stores")).hasSize(ROUNDS);
    }

    @Test
    void aRecordPutAndAStoreDeleteNeverAnswer500() {
        Tenant tenant = Tenant.create();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String store = tenant.newStore("s" + round);
            tenant.request().body("0").put(tenant.records(store) + "/existing").then().statusCode(201);
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body("1").put(tenant.records(store) + "/k")
                    : tenant.request().delete(tenant.stores() + "/" + store));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("record put / store delete, round %d", round).isIn("201/204", "404/204");
            tenant.request().get(tenant.records(store) + "/k").then().statusCode(404).body("type", equalTo(PROBLEMS + "not-found"));
        }
        System.out.println("record put / store delete over " + ROUNDS + " rounds: " + outcomes);
    }

    /** The batch locks the record it deletes before it share-locks the store: a delete holding both would deadlock. */
    @Test
    void aBatchThatDeletesAndSetsAndAStoreDeleteNeverDeadlock() {
        Tenant tenant = Tenant.create();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String store = tenant.newStore("s" + round);
            tenant.request().body("{\"set\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":2}]}")
                    .post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body("{\"delete\":[\"a\"],\"set\":[{\"key\":\"b\",\"value\":3},{\"key\":\"c\",\"value\":4}]}")
                            .post(tenant.stores() + "/" + store + "/batch")
                    : tenant.request().delete(tenant.stores() + "/" + store));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("batch / store delete, round %d", round).isIn("200/204", "404/204");
        }
        System.out.println("batch / store delete over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void aStoreLeftMarkedByAnInterruptedDeletionWorksTakesNoLinksAndIsDeletedAgain() {
        Tenant tenant = Tenant.create();
        String id = tenant.newStore("s");
        String store = tenant.stores() + "/" + id;
        tenant.request().body("1").put(tenant.records(id) + "/k").then().statusCode(201);
        // what a replica that died between marking the store and deleting it leaves behind
        database.preparedQuery("UPDATE stores SET deleting = true WHERE id = $1").execute(Tuple.of(id))
                .await().atMost(Duration.ofSeconds(10));

        tenant.request().get(tenant.records(id) + "/k").then().statusCode(200);
        tenant.request().body(Map.of("name", "n", "kind", "workflow")).put(store + "/links/l1").then().statusCode(404)
                .body("type", equalTo(PROBLEMS + "not-found"));
        tenant.request().delete(store).then().statusCode(204);
        tenant.request().get(store).then().statusCode(404);
    }

    /** Usage counts are settled in Redis just after each answer: allow them a moment. */
    private static void awaitUsedStores(Tenant tenant, int expected) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(3);
        int used;
        while ((used = tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).<Integer>path("usage.stores")) != expected
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(used).as("usage.stores").isEqualTo(expected);
    }
}
