package dev.datastores.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.datastores.support.Parallel;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Stores and their links (API.md, "Stores"), and a workspace as its own keys see it. */
@QuarkusTest
class StoreApiTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";

    @Test
    void createAnswers201WithTheNewEmptyStore() {
        Tenant tenant = Tenant.create();

        Response created = tenant.request().body(Map.of("name", "orders")).post(tenant.stores()).then().statusCode(201)
                .body("id", startsWith("ds_"))
                .body("name", equalTo("orders"))
                .body("recordCount", equalTo(0))
                .body("storageBytes", equalTo(0))
                .body("rawBytes", equalTo(0))
                .extract().response();

        assertThat(Instant.parse(created.path("createdAt"))).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));
    }

    @Test
    void listIsSortedByNameWithTheSameFieldsAsOneStore() {
        Tenant tenant = Tenant.create();
        tenant.newStore("charlie");
        String alpha = tenant.newStore("alpha");
        tenant.newStore("bravo");

        tenant.request().get(tenant.stores()).then().statusCode(200)
                .body("stores.name", equalTo(List.of("alpha", "bravo", "charlie")))
                .body("stores[0].id", equalTo(alpha))
                .body("stores[0].recordCount", equalTo(0))
                .body("stores[0].storageBytes", equalTo(0))
                .body("stores[0].rawBytes", equalTo(0))
                .body("stores[0].createdAt", notNullValue());
    }

    @Test
    void getAnswersOneStoreWithItsRecordCountAndSizes() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("{\"a\":1}").put(tenant.records(store) + "/one").then().statusCode(201);
        tenant.request().body("[1,2,3]").put(tenant.records(store) + "/two").then().statusCode(201);
        // a store's counts are settled just after a write is answered
        long deadline = System.currentTimeMillis() + 5_000;
        while (tenant.request().get(tenant.stores() + "/" + store).jsonPath().getInt("recordCount") != 2
                && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }

        tenant.request().get(tenant.stores() + "/" + store).then().statusCode(200)
                .body("id", equalTo(store))
                .body("name", equalTo("s"))
                .body("recordCount", equalTo(2))
                .body("rawBytes", equalTo(14))
                .body("storageBytes", greaterThan(0));
    }

    @Test
    void anUnknownStoreIsNotFound() {
        Tenant tenant = Tenant.create();

        tenant.request().get(tenant.stores() + "/ds_doesnotexist").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "not-found"));
    }

    @Test
    void aNameUsedAlreadyIsNameTaken() {
        Tenant tenant = Tenant.create();
        tenant.newStore("taken");

        tenant.request().body(Map.of("name", "taken")).post(tenant.stores()).then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "name-taken"));
        tenant.request().get(tenant.stores()).then().body("stores.name", equalTo(List.of("taken")));
    }

    @Test
    void renameChangesTheNameAndRefusesOneTaken() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("old");
        tenant.newStore("other");

        tenant.request().body(Map.of("name", "new")).patch(tenant.stores() + "/" + store).then().statusCode(200)
                .body("id", equalTo(store)).body("name", equalTo("new"));
        tenant.request().body(Map.of("name", "other")).patch(tenant.stores() + "/" + store).then().statusCode(409)
                .body("type", equalTo(PROBLEMS + "name-taken"));

        tenant.request().get(tenant.stores() + "/" + store).then().body("name", equalTo("new"));
        tenant.request().body(Map.of("name", "new")).patch(tenant.stores() + "/" + store).then().statusCode(200);
    }

    @Test
    void parallelRenamesToOneNameLetExactlyOneWin() {
        Tenant tenant = Tenant.create();
        List<String> stores = IntStream.range(0, 10).mapToObj(i -> tenant.newStore("s" + i)).toList();

        List<Integer> statuses = Parallel.run(stores.size(), i -> tenant.request().body(Map.of("name", "wanted"))
                .patch(tenant.stores() + "/" + stores.get(i)).statusCode());

        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status == 409).hasSize(stores.size() - 1);
        assertThat(tenant.request().get(tenant.stores()).jsonPath().getList("stores.name")).containsOnlyOnce("wanted");
    }

    @Test
    void deleteRemovesTheStoreWithItsRecordsAndFreesItsName() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("doomed");
        tenant.request().body("1").put(tenant.records(store) + "/k").then().statusCode(201);

        tenant.request().delete(tenant.stores() + "/" + store).then().statusCode(204);

        tenant.request().get(tenant.stores() + "/" + store).then().statusCode(404).body("type", equalTo(PROBLEMS + "not-found"));
        tenant.request().get(tenant.records(store) + "/k").then().statusCode(404).body("type", equalTo(PROBLEMS + "not-found"));
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().body("usage.stores", equalTo(0))
                .body("usage.keys", equalTo(0));
        String again = tenant.newStore("doomed");
        tenant.request().get(tenant.records(again) + "/k").then().statusCode(404).body("type", equalTo(PROBLEMS + "record-not-found"));
    }

    @Test
    void linksArePutListedReplacedAndDeleted() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String links = tenant.stores() + "/" + store + "/links";

        tenant.request().body(Map.of("name", "Nightly sync", "kind", "workflow")).put(links + "/wf_1").then().statusCode(201)
                .body("id", equalTo("wf_1")).body("name", equalTo("Nightly sync")).body("kind", equalTo("workflow"));
        tenant.request().body(Map.of("name", "Hourly sync", "kind", "workflow")).put(links + "/wf_1").then().statusCode(200)
                .body("name", equalTo("Hourly sync"));
        tenant.request().body(Map.of("name", "Reporter", "kind", "service")).put(links + "/svc_2").then().statusCode(201);

        tenant.request().get(links).then().statusCode(200).body("links", equalTo(List.of(
                Map.of("id", "svc_2", "name", "Reporter", "kind", "service"),
                Map.of("id", "wf_1", "name", "Hourly sync", "kind", "workflow"))));

        tenant.request().delete(links + "/wf_1").then().statusCode(204);
        tenant.request().delete(links + "/wf_1").then().statusCode(404).body("type", equalTo(PROBLEMS + "not-found"));
        tenant.request().get(links).then().body("links.id", equalTo(List.of("svc_2")));
    }

    @Test
    void aLinkedStoreCannotBeDeletedUntilItIsUnlinked() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/k").then().statusCode(201);
        String link = tenant.stores() + "/" + store + "/links/wf_1";
        tenant.request().body(Map.of("name", "Nightly sync", "kind", "workflow")).put(link).then().statusCode(201);

        tenant.request().delete(tenant.stores() + "/" + store).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "store-linked"))
                .body("links", equalTo(List.of(Map.of("id", "wf_1", "name", "Nightly sync", "kind", "workflow"))));
        tenant.request().get(tenant.records(store) + "/k").then().statusCode(200);

        tenant.request().delete(link).then().statusCode(204);
        tenant.request().delete(tenant.stores() + "/" + store).then().statusCode(204);
        tenant.request().get(tenant.stores() + "/" + store).then().statusCode(404);
    }

    @Test
    void theWorkspaceShowsItsPlanAndUsage() throws InterruptedException {
        Tenant tenant = Tenant.create("free");
        String store = tenant.newStore("s");
        tenant.request().body("{\"a\":1}").put(tenant.records(store) + "/k").then().statusCode(201);
        // Usage is read from the Redis counters, which settle a store's creation after answering it; once
        // (of several runs) the count still said 0 stores right after, so allow them a moment.
        Instant deadline = Instant.now().plusSeconds(2);
        while (tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).<Integer>path("usage.stores") != 1
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }

        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200)
                .body("id", equalTo(tenant.workspaceId()))
                .body("name", equalTo("test"))
                .body("plan.name", equalTo("free"))
                .body("plan.maxStores", equalTo(3))
                .body("plan.maxKeys", equalTo(1000))
                .body("plan.maxStorageBytes", equalTo(10485760))
                .body("plan.maxValueBytes", equalTo(65536))
                .body("plan.requestsPerSecond", equalTo(50))
                .body("usage.stores", equalTo(1))
                .body("usage.keys", equalTo(1))
                .body("usage.storageBytes", greaterThan(0));
    }
}
