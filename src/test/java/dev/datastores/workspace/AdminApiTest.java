package dev.datastores.workspace;

import java.nio.charset.StandardCharsets;
import static dev.datastores.support.Tenant.asOperator;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator API (API.md, "Operator API") and a workspace's own API keys. */
@QuarkusTest
class AdminApiTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";

    @Inject
    Pool database;

    @Test
    void theDefaultPlansAreListedWithTheirLimits() {
        asOperator().get("/v1/admin/plans").then().statusCode(200)
                .body("plans.name", hasItems("free", "basic", "advanced", "business"))
                .body("plans.find { it.name == 'free' }.maxStores", equalTo(3))
                .body("plans.find { it.name == 'free' }.maxKeys", equalTo(1000))
                .body("plans.find { it.name == 'free' }.maxStorageBytes", equalTo(10485760))
                .body("plans.find { it.name == 'free' }.maxValueBytes", equalTo(65536))
                .body("plans.find { it.name == 'free' }.requestsPerSecond", equalTo(50));
    }

    @Test
    void aPlanIsCreatedWith201ThenReplacedWith200() {
        String plan = Plans.create(1, 2, 3, 4, 5);

        asOperator().body(Map.of("maxStores", 10, "maxKeys", 20, "maxStorageBytes", 30, "maxValueBytes", 40,
                "requestsPerSecond", 50)).put("/v1/admin/plans/{plan}", plan).then().statusCode(200)
                .body("name", equalTo(plan)).body("maxStores", equalTo(10)).body("requestsPerSecond", equalTo(50));

        asOperator().get("/v1/admin/plans").then()
                .body("plans.find { it.name == '" + plan + "' }.maxKeys", equalTo(20))
                .body("plans.find { it.name == '" + plan + "' }.maxValueBytes", equalTo(40));
    }

    @Test
    void aPlanWithoutEveryLimitIsRefused() {
        asOperator().body(Map.of("maxStores", 1)).put("/v1/admin/plans/{plan}", "incomplete").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "invalid-request"));

        asOperator().get("/v1/admin/plans").then().body("plans.name", org.hamcrest.Matchers.not(hasItems("incomplete")));
    }

    @Test
    void aWorkspaceIsCreatedAndReadWithItsPlanAndUsage() {
        String ws = asOperator().body(Map.of("name", "Acme", "plan", "basic")).post("/v1/admin/workspaces").then()
                .statusCode(201).body("id", startsWith("ws_")).body("name", equalTo("Acme")).body("plan.name", equalTo("basic"))
                .extract().path("id");

        asOperator().get("/v1/admin/workspaces/{ws}", ws).then().statusCode(200)
                .body("id", equalTo(ws))
                .body("name", equalTo("Acme"))
                .body("plan.maxStores", equalTo(10))
                .body("usage.stores", equalTo(0))
                .body("usage.keys", equalTo(0))
                .body("usage.storageBytes", equalTo(0));
    }

    @Test
    void aWorkspaceWithAnUnknownPlanIsRefused() {
        asOperator().body(Map.of("name", "Acme", "plan", "no-such-plan")).post("/v1/admin/workspaces").then()
                .statusCode(400).body("type", equalTo(PROBLEMS + "invalid-request"));
    }

    @Test
    void patchRenamesAndChangesThePlan() {
        Tenant tenant = Tenant.create("free");

        asOperator().body(Map.of("name", "Renamed", "plan", "advanced")).patch("/v1/admin/workspaces/{ws}", tenant.workspaceId())
                .then().statusCode(200).body("name", equalTo("Renamed")).body("plan.name", equalTo("advanced"));
        asOperator().body(Map.of("plan", "nope")).patch("/v1/admin/workspaces/{ws}", tenant.workspaceId()).then()
                .statusCode(400);

        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200)
                .body("name", equalTo("Renamed")).body("plan.name", equalTo("advanced")).body("plan.maxStores", equalTo(50));
    }

    @Test
    void aPlanChangeAppliesToTheNextRequest() {
        Tenant tenant = Tenant.create("business");
        String store = tenant.newStore("s");
        byte[] value = ("\"" + "x".repeat(2000) + "\"").getBytes(StandardCharsets.UTF_8);
        tenant.request().body(value).put(tenant.records(store) + "/k").then().statusCode(201);
        String small = Plans.create(5, 100, 10_000_000, 1000, 100_000);

        asOperator().body(Map.of("plan", small)).patch("/v1/admin/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200);
        tenant.request().body(value).put(tenant.records(store) + "/k").then().statusCode(413);

        asOperator().body(Map.of("maxStores", 5, "maxKeys", 100, "maxStorageBytes", 10_000_000, "maxValueBytes", 4000,
                "requestsPerSecond", 100_000)).put("/v1/admin/plans/{plan}", small).then().statusCode(200);
        tenant.request().body(value).put(tenant.records(store) + "/k").then().statusCode(200);
    }

    @Test
    void anUnknownWorkspaceIsNotFound() {
        asOperator().get("/v1/admin/workspaces/{ws}", "ws_doesnotexist").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "not-found"));
        asOperator().body(Map.of("name", "x")).patch("/v1/admin/workspaces/{ws}", "ws_doesnotexist").then().statusCode(404);
        asOperator().delete("/v1/admin/workspaces/{ws}", "ws_doesnotexist").then().statusCode(404);
    }

    @Test
    void deletingAWorkspaceRemovesItsStoresRecordsAndKeys() throws InterruptedException {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("{\"set\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":2}]}")
                .post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
        tenant.request().body(Map.of("name", "wf", "kind", "workflow")).put(tenant.stores() + "/" + store + "/links/l1")
                .then().statusCode(201);

        asOperator().delete("/v1/admin/workspaces/{ws}", tenant.workspaceId()).then().statusCode(204);

        asOperator().get("/v1/admin/workspaces/{ws}", tenant.workspaceId()).then().statusCode(404);
        assertThat(count("SELECT count(*) FROM stores WHERE workspace_id = $1", tenant.workspaceId())).isZero();
        assertThat(count("SELECT count(*) FROM records WHERE store_id = $1", store)).isZero();
        assertThat(count("SELECT count(*) FROM store_links WHERE store_id = $1", store)).isZero();
        assertThat(count("SELECT count(*) FROM api_keys WHERE workspace_id = $1", tenant.workspaceId())).isZero();
        awaitRefused(tenant.token(), "/v1/workspaces/" + tenant.workspaceId(), 401);
    }

    @Test
    void theOperatorIssuesAKeyShowingItsTokenOnce() {
        Tenant tenant = Tenant.create();

        Response created = asOperator().body(Map.of("name", "ci", "scopes", List.of("read", "write")))
                .post("/v1/admin/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(201)
                .body("id", startsWith("key_")).body("name", equalTo("ci")).body("scopes", equalTo(List.of("read", "write")))
                .body("createdAt", notNullValue()).body("token", startsWith("dsk_"))
                .extract().response();

        given().auth().oauth2(created.path("token")).get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200);
    }

    @Test
    void aManageKeyIssuesListsAndRevokesKeysAndTheListNeverShowsASecret() throws InterruptedException {
        Tenant tenant = Tenant.create();
        Response created = tenant.request().body(Map.of("name", "reader", "scopes", List.of("read")))
                .post("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(201)
                .body("token", startsWith("dsk_")).extract().response();
        String token = created.path("token");
        given().auth().oauth2(token).get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200);

        Response list = tenant.request().get("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(200)
                .body("keys.name", equalTo(List.of("key", "reader")))
                .body("keys[1].id", equalTo(created.path("id")))
                .body("keys[1].scopes", equalTo(List.of("read")))
                .body("keys[1].createdAt", notNullValue())
                .body("keys[1].lastUsedAt", notNullValue())
                .extract().response();
        assertThat(list.jsonPath().getList("keys", Map.class))
                .allSatisfy(key -> assertThat(key.keySet()).containsOnly("id", "name", "scopes", "createdAt", "lastUsedAt"));
        assertThat(list.asString()).doesNotContain("dsk_").doesNotContain(token.substring(4));

        tenant.request().delete("/v1/workspaces/{ws}/api-keys/{key}", tenant.workspaceId(), created.path("id")).then()
                .statusCode(204);
        awaitRefused(token, "/v1/workspaces/" + tenant.workspaceId(), 401);
        tenant.request().get("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().body("keys.name", equalTo(List.of("key")));
    }

    @Test
    void revokingAnUnknownKeyIsNotFound() {
        Tenant tenant = Tenant.create();

        tenant.request().delete("/v1/workspaces/{ws}/api-keys/{key}", tenant.workspaceId(), "key_doesnotexist").then()
                .statusCode(404).body("type", equalTo(PROBLEMS + "not-found"));
    }

    @Test
    void aKeyWithAnUnknownScopeIsRefused() {
        Tenant tenant = Tenant.create();

        tenant.request().body(Map.of("name", "k", "scopes", List.of("read", "admin")))
                .post("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(400)
                .body("type", equalTo(PROBLEMS + "invalid-request"));
        tenant.request().get("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().body("keys.name", equalTo(List.of("key")));
    }

    @Test
    void theOperatorTokenIsRefusedOnWorkspaceRoutes() {
        Tenant tenant = Tenant.create();

        asOperator().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "forbidden"));
        asOperator().body(Map.of("name", "s")).post(tenant.stores()).then().statusCode(403);
    }

    @Test
    void aWorkspaceKeyIsRefusedOnOperatorRoutes() {
        Tenant tenant = Tenant.create();

        tenant.request().get("/v1/admin/plans").then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "forbidden"));
        tenant.request().get("/v1/admin/workspaces/{ws}", tenant.workspaceId()).then().statusCode(403);
    }

    @Test
    void anUnknownWorkspaceKeyOnAnOperatorRouteIsUnauthorized() {
        given().auth().oauth2("dsk_thisKeyWasNeverIssued").get("/v1/admin/plans").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer")).body("type", equalTo(PROBLEMS + "unauthorized"));
    }

    private long count(String sql, String id) {
        return database.preparedQuery(sql).execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }

    /** A revoked key fails within one second (API.md): poll for at most that long, plus a little for the round trip. */
    private static void awaitRefused(String token, String path, int status) throws InterruptedException {
        Instant deadline = Instant.now().plusMillis(1300);
        while (given().auth().oauth2(token).contentType(ContentType.JSON).get(path).statusCode() != status) {
            assertThat(Instant.now()).as("the key still works more than a second later").isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
