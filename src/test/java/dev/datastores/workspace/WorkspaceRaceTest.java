package dev.datastores.workspace;

import static dev.datastores.support.Tenant.asOperator;
import static io.restassured.RestAssured.given;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Workspace, plan and key operations sent at the same moment as what depends on them, many rounds each:
 * no 500, nothing left behind a deleted workspace, no update lost, and a revoked key refused at once here.
 */
@QuarkusTest
class WorkspaceRaceTest {

    private static final int ROUNDS = 30;
    private static final String WORKSPACE = "/v1/admin/workspaces/{ws}";

    @Inject
    Pool database;

    @Test
    void aStoreCreatedWhileItsWorkspaceIsDeletedIsNotLeftBehind() {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            Tenant tenant = Tenant.create();
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body(Map.of("name", "s")).post(tenant.stores())
                    : asOperator().delete(WORKSPACE, tenant.workspaceId()));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            // 401: the key went with the workspace before the request was authenticated
            assertThat(outcome).as("store create / workspace delete, round %d", round).isIn("201/204", "404/204", "401/204");
            assertNothingLeftOf(tenant.workspaceId());
        }
        System.out.println("store create / workspace delete over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void aLinkPutWhileItsWorkspaceIsDeletedIsNotLeftBehind() {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            Tenant tenant = Tenant.create();
            String store = tenant.newStore("s");
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? tenant.request().body(Map.of("name", "n", "kind", "workflow")).put(tenant.stores() + "/" + store + "/links/l1")
                    : asOperator().delete(WORKSPACE, tenant.workspaceId()));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("link put / workspace delete, round %d", round).isIn("201/204", "404/204", "401/204");
            assertNothingLeftOf(tenant.workspaceId());
            assertThat(count("SELECT count(*) FROM store_links WHERE store_id = $1", store)).isZero();
        }
        System.out.println("link put / workspace delete over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void aKeyIssuedWhileItsWorkspaceIsDeletedIsNotLeftBehind() {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            Tenant tenant = Tenant.create();
            List<Response> answers = Parallel.run(2, i -> i == 0
                    ? asOperator().body(Map.of("name", "k", "scopes", List.of("read")))
                            .post(WORKSPACE + "/api-keys", tenant.workspaceId())
                    : asOperator().delete(WORKSPACE, tenant.workspaceId()));
            String outcome = answers.get(0).statusCode() + "/" + answers.get(1).statusCode();
            outcomes.merge(outcome, 1, Integer::sum);

            assertThat(outcome).as("key create / workspace delete, round %d", round).isIn("201/204", "404/204");
            assertNothingLeftOf(tenant.workspaceId());
            if (outcome.equals("201/204")) {
                given().auth().oauth2(answers.get(0).<String>path("token")).get("/v1/workspaces/{ws}", tenant.workspaceId())
                        .then().statusCode(401);
            }
        }
        System.out.println("key create / workspace delete over " + ROUNDS + " rounds: " + outcomes);
    }

    @Test
    void twoDeletesOfOneWorkspaceDeleteItOnce() {
        for (int round = 0; round < ROUNDS; round++) {
            Tenant tenant = Tenant.create();
            tenant.newStore("s");
            List<Integer> statuses = Parallel.run(2, i -> asOperator().delete(WORKSPACE, tenant.workspaceId()).statusCode());

            assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(204, 404);
            assertNothingLeftOf(tenant.workspaceId());
        }
    }

    @Test
    void aRenameAndAPlanChangeSentTogetherBothApply() {
        for (int round = 0; round < ROUNDS; round++) {
            Tenant tenant = Tenant.create("free");
            List<Integer> statuses = Parallel.run(2, i -> asOperator()
                    .body(i == 0 ? Map.of("name", "renamed") : Map.of("plan", "basic"))
                    .patch(WORKSPACE, tenant.workspaceId()).statusCode());

            assertThat(statuses).as("round %d", round).containsExactly(200, 200);
            asOperator().get(WORKSPACE, tenant.workspaceId()).then().statusCode(200)
                    .body("name", equalTo("renamed")).body("plan.name", equalTo("basic"));
        }
    }

    @Test
    void parallelPutsOfANewPlanCreateItOnceAndReplaceItAfter() {
        for (int round = 0; round < ROUNDS; round++) {
            String plan = "race-" + System.nanoTime();
            List<Integer> statuses = Parallel.run(3, i -> asOperator().body(Map.of("maxStores", i, "maxKeys", 10,
                    "maxStorageBytes", 1000, "maxValueBytes", 100, "requestsPerSecond", 10))
                    .put("/v1/admin/plans/{plan}", plan).statusCode());

            assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(201, 200, 200);
            assertThat(asOperator().get("/v1/admin/plans").jsonPath().<String>getList("plans.name")).containsOnlyOnce(plan);
        }
    }

    @Test
    void aRevokedKeyIsRefusedOnThisReplicaAsSoonAsTheRevocationIsAnswered() {
        for (int round = 0; round < ROUNDS; round++) {
            Tenant tenant = Tenant.create();
            Response issued = tenant.request().body(Map.of("name", "doomed", "scopes", List.of("read")))
                    .post("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(201).extract().response();
            String token = issued.path("token");
            AtomicBoolean revoked = new AtomicBoolean();
            List<String> acceptedAfterRevocation = Collections.synchronizedList(new ArrayList<>());

            List<Integer> revocation = Parallel.run(4, i -> {
                if (i == 0) {
                    int status = tenant.request().delete("/v1/workspaces/{ws}/api-keys/{key}", tenant.workspaceId(),
                            issued.path("id")).statusCode();
                    revoked.set(true);
                    return status;
                }
                // Keep the key in use across the revocation, and a little after it.
                for (int sent = 0; sent < 60; sent++) {
                    boolean after = revoked.get();
                    int status = given().auth().oauth2(token).get("/v1/workspaces/{ws}", tenant.workspaceId()).statusCode();
                    if (after && status != 401) {
                        acceptedAfterRevocation.add("request " + sent + " answered " + status);
                    }
                }
                return 0;
            });

            assertThat(revocation.get(0)).isEqualTo(204);
            assertThat(acceptedAfterRevocation).as("round %d: requests sent after the revocation was answered", round).isEmpty();
        }
    }

    @Test
    void twoRevocationsOfOneKeyRevokeItOnce() {
        Tenant tenant = Tenant.create();
        for (int round = 0; round < ROUNDS; round++) {
            String key = tenant.request().body(Map.of("name", "k", "scopes", List.of("read")))
                    .post("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(201).extract().path("id");
            List<Integer> statuses = Parallel.run(2, i -> tenant.request()
                    .delete("/v1/workspaces/{ws}/api-keys/{key}", tenant.workspaceId(), key).statusCode());

            assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(204, 404);
        }
    }

    private void assertNothingLeftOf(String workspaceId) {
        asOperator().get(WORKSPACE, workspaceId).then().statusCode(404);
        assertThat(count("SELECT count(*) FROM stores WHERE workspace_id = $1", workspaceId)).isZero();
        assertThat(count("SELECT count(*) FROM api_keys WHERE workspace_id = $1", workspaceId)).isZero();
    }

    private long count(String sql, String id) {
        return database.preparedQuery(sql).execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }
}
