package dev.datastores.record;

import dev.datastores.support.TestClock;
import java.time.Duration;
import jakarta.inject.Inject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.datastores.support.Parallel;
import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AtomicOperationsTest {

    @Inject
    TestClock clock;


    @Test
    void twoHundredParallelIncrementsEndAtTwoHundred() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("counters");

        List<Integer> statuses = Parallel.run(200, i -> op(tenant, store, "increment", "{\"key\":\"hits\"}").statusCode());

        assertThat(statuses).allMatch(s -> s == 200 || s == 201);
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(value(tenant, store, "hits")).isEqualTo("200");
    }

    @Test
    void answersHaveTheirMembersInTheDocumentedOrder() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        assertThat(op(tenant, store, "increment", "{\"key\":\"n\"}").asString()).matches("\\{\"key\":\"n\",\"value\":1,\"etag\":\"\\\\\"\\d+\\\\\"\"}");
        assertThat(op(tenant, store, "append", "{\"key\":\"a\",\"value\":1}").asString())
                .matches("\\{\"key\":\"a\",\"length\":1,\"etag\":\"\\\\\"\\d+\\\\\"\"}");
        assertThat(op(tenant, store, "get-or-create", "{\"key\":\"g\",\"value\":[1]}").asString())
                .matches("\\{\"key\":\"g\",\"value\":\\[1],\"etag\":\"\\\\\"\\d+\\\\\"\",\"created\":true}");
        assertThat(op(tenant, store, "batch-get", "{\"keys\":[\"n\",\"zz\"]}").asString())
                .matches("\\{\"records\":\\[\\{\"key\":\"n\",\"value\":1,\"etag\":\"\\\\\"\\d+\\\\\"\"}],\"missing\":\\[\"zz\"]}");
    }

    @Test
    void decimalIncrementsAreExact() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("counters");
        for (int i = 0; i < 10; i++) {
            op(tenant, store, "increment", "{\"key\":\"sum\",\"by\":0.1}").then().statusCode(i == 0 ? 201 : 200);
        }
        assertThat(value(tenant, store, "sum")).isEqualTo("1.0");
        op(tenant, store, "increment", "{\"key\":\"sum\",\"by\":0.2}").then().statusCode(200).body("value", equalTo(1.2f));
    }

    @Test
    void largeIntegersStayExact() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("counters");
        tenant.request().body("1152921504606846976").put(tenant.records(store) + "/big").then().statusCode(201);

        op(tenant, store, "increment", "{\"key\":\"big\",\"by\":1}").then().statusCode(200).header("ETag", notNullValue());
        op(tenant, store, "increment", "{\"key\":\"big\",\"by\":1152921504606846976}").then().statusCode(200);

        assertThat(value(tenant, store, "big")).isEqualTo("2305843009213693953");
    }

    @Test
    void incrementOfANonNumberIsAConflictAndChangesNothing() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("counters");
        tenant.request().body("\"seven\"").put(tenant.records(store) + "/word").then().statusCode(201);

        op(tenant, store, "increment", "{\"key\":\"word\"}").then().statusCode(409)
                .body("type", equalTo("https://datastores.dev/problems/not-a-number"));
        assertThat(value(tenant, store, "word")).isEqualTo("\"seven\"");
    }

    @Test
    void incrementByANonNumberIsABadRequest() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("counters");
        op(tenant, store, "increment", "{\"key\":\"k\",\"by\":\"1\"}").then().statusCode(400);
        op(tenant, store, "increment", "{\"by\":1}").then().statusCode(400)
                .body("type", equalTo("https://datastores.dev/problems/invalid-key"));
        op(tenant, store, "increment", "{\"key\":\"k\",\"ttl\":0}").then().statusCode(400)
                .body("type", equalTo("https://datastores.dev/problems/invalid-ttl"));
        tenant.request().get(tenant.records(store) + "/k").then().statusCode(404);
    }

    @Test
    void hundredParallelAppendsLeaveHundredElements() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("lists");

        Parallel.run(100, i -> op(tenant, store, "append", "{\"key\":\"log\",\"value\":{\"n\":" + i + "}}").then()
                .statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201))));

        assertThat(tenant.request().get(tenant.records(store) + "/log").jsonPath().getList("n")).hasSize(100)
                .doesNotHaveDuplicates();
    }

    @Test
    void appendKeepsTheValueAsSentAndReportsTheLength() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("lists");
        op(tenant, store, "append", "{\"key\":\"l\",\"value\":{\"b\":1.10,\"a\":2}}").then().statusCode(201)
                .body("length", equalTo(1));
        op(tenant, store, "append", "{\"key\":\"l\",\"value\":12345678901234567890123}").then().statusCode(200)
                .body("length", equalTo(2));

        assertThat(value(tenant, store, "l")).isEqualTo("[{\"b\":1.10,\"a\":2},12345678901234567890123]");
    }

    @Test
    void appendToANonArrayIsAConflict() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("lists");
        tenant.request().body("{\"a\":1}").put(tenant.records(store) + "/obj").then().statusCode(201);

        op(tenant, store, "append", "{\"key\":\"obj\",\"value\":1}").then().statusCode(409)
                .body("type", equalTo("https://datastores.dev/problems/not-an-array"));
    }

    @Test
    void getOrCreateCreatesOnceThenReturnsTheExistingRecord() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        op(tenant, store, "get-or-create", "{\"key\":\"cfg\",\"value\":{\"v\":1}}").then().statusCode(201)
                .body("created", equalTo(true)).body("value.v", equalTo(1));

        op(tenant, store, "get-or-create", "{\"key\":\"cfg\",\"value\":{\"v\":2}}").then().statusCode(200)
                .body("created", equalTo(false)).body("value.v", equalTo(1));
    }

    @Test
    void parallelGetOrCreateStoresOneValue() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        List<Response> responses = Parallel.run(20, i -> op(tenant, store, "get-or-create",
                "{\"key\":\"once\",\"value\":" + i + "}"));

        assertThat(responses).filteredOn(r -> r.statusCode() == 201).hasSize(1);
        String winner = value(tenant, store, "once");
        assertThat(responses).allMatch(r -> r.<Integer>path("value").toString().equals(winner));
    }

    @Test
    void twentyWritersSharingOneEtagLetExactlyOneWin() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = tenant.request().body("0").put(tenant.records(store) + "/cas").then().statusCode(201)
                .extract().header("ETag");

        List<Integer> statuses = Parallel.run(20, i -> tenant.request().header("If-Match", etag).body(Integer.toString(i + 1))
                .put(tenant.records(store) + "/cas").statusCode());

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 412).hasSize(19);
    }

    @Test
    void expireSetsAndClearsATtl() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/k").then().statusCode(201);

        op(tenant, store, "expire", "{\"key\":\"k\",\"ttl\":100}").then().statusCode(200).body("expiresAt", notNullValue());
        tenant.request().get(tenant.records(store) + "/k").then().header("Expires-At", notNullValue());
        op(tenant, store, "expire", "{\"key\":\"k\",\"ttl\":null}").then().statusCode(200).body("expiresAt", nullValue());
        tenant.request().get(tenant.records(store) + "/k").then().header("Expires-At", nullValue());
        op(tenant, store, "expire", "{\"key\":\"missing\",\"ttl\":10}").then().statusCode(404)
                .body("type", equalTo("https://datastores.dev/problems/record-not-found"));
        op(tenant, store, "expire", "{\"key\":\"k\"}").then().statusCode(400);
    }

    @Test
    void expireOfOneSecondMakesTheRecordVanish() throws InterruptedException {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("1").put(tenant.records(store) + "/k").then().statusCode(201);
        op(tenant, store, "expire", "{\"key\":\"k\",\"ttl\":1}").then().statusCode(200);

        clock.advance(Duration.ofSeconds(2));
        tenant.request().get(tenant.records(store) + "/k").then().statusCode(404);
        op(tenant, store, "increment", "{\"key\":\"k\"}").then().statusCode(201).body("value", equalTo(1));
    }

    @Test
    void incrementAtTheKeyLimitWorksForAnExistingKey() {
        Tenant tenant = Tenant.create(Plans.create(5, 1, 10_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        op(tenant, store, "increment", "{\"key\":\"a\"}").then().statusCode(201);

        op(tenant, store, "increment", "{\"key\":\"a\"}").then().statusCode(200).body("value", equalTo(2));
        op(tenant, store, "increment", "{\"key\":\"b\"}").then().statusCode(403).body("limit", equalTo("keys"));
    }

    @Test
    void anotherWorkspacesStoreIsNotFound() {
        Tenant owner = Tenant.create();
        String store = owner.newStore("s");
        Tenant other = Tenant.create();
        other.request().body("{\"key\":\"k\"}").post(owner.stores() + "/" + store + "/increment").then().statusCode(404);
        other.request().body("{\"key\":\"k\"}").post(other.stores() + "/" + store + "/increment").then().statusCode(404)
                .body("type", equalTo("https://datastores.dev/problems/not-found"));
    }

    private static Response op(Tenant tenant, String store, String operation, String body) {
        return tenant.request().body(body).post(tenant.stores() + "/" + store + "/" + operation);
    }

    private static String value(Tenant tenant, String store, String key) {
        return tenant.request().get(tenant.records(store) + "/" + key).then().statusCode(200).extract().asString();
    }
}
