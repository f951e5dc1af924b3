package dev.datastores.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.RawHttp;
import dev.datastores.support.Tenant;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests (API.md, "Errors a client must get, and nothing stored"): each gets a clean 4xx problem
 * document with the slug of the contract and no trace of the server's insides, and leaves the store as it was.
 */
@QuarkusTest
class BadInputTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";
    private static final String PLAN = "bad-input-plan";

    /** One store every case is aimed at; made once, since a case that passes changes nothing in it. */
    private static Target target;

    @TestHTTPResource
    URL server;

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String deep = "[".repeat(65) + "]".repeat(65);

        // Values that are not exactly one JSON value.
        cases.add(bad("broken JSON").put("{R}/k").body("{\"a\":").is(400, "invalid-json"));
        cases.add(bad("trailing garbage").put("{R}/k").body("{\"a\":1} x").is(400, "invalid-json"));
        cases.add(bad("two JSON values").put("{R}/k").body("1 2").is(400, "invalid-json"));
        cases.add(bad("two JSON objects").put("{R}/k").body("{}{}").is(400, "invalid-json"));
        cases.add(bad("empty body").put("{R}/k").is(400, "invalid-json"));
        cases.add(bad("whitespace-only body").put("{R}/k").body("  \n ").is(400, "invalid-json"));
        cases.add(bad("invalid UTF-8 in a string").put("{R}/k").body(new byte[] {'"', (byte) 0xC3, '(', '"'}).is(400, "invalid-json"));
        cases.add(bad("a lone continuation byte").put("{R}/k").body(new byte[] {'[', (byte) 0x80, ']'}).is(400, "invalid-json"));
        cases.add(bad("nesting 65 deep").put("{R}/k").body(deep).is(400, "invalid-json"));
        cases.add(bad("nesting 65 deep in an object").put("{R}/k").body("{\"a\":".repeat(65) + "1" + "}".repeat(65))
                .is(400, "invalid-json"));
        cases.add(bad("nesting 65 deep in a batch value").post("{D}/batch").body("{\"set\":[{\"key\":\"new\",\"value\":" + deep + "}]}")
                .is(400, "invalid-json"));
        cases.add(bad("nesting 65 deep in an appended value").post("{D}/append").body("{\"key\":\"l\",\"value\":" + deep + "}")
                .is(400, "invalid-json"));
        cases.add(bad("nesting 65 deep in an import").post("{D}/import").type("application/x-ndjson")
                .body("{\"key\":\"new\",\"value\":" + deep + "}\n").is(400, "invalid-line"));
        cases.add(bad("duplicate members").put("{R}/k").body("{\"a\":1,\"a\":2}").is(400, "invalid-json"));
        cases.add(bad("single quotes").put("{R}/k").body("{'a':1}").is(400, "invalid-json"));
        cases.add(bad("NaN").put("{R}/k").body("NaN").is(400, "invalid-json"));
        cases.add(bad("an unquoted member name").put("{R}/k").body("{a:1}").is(400, "invalid-json"));
        cases.add(bad("a trailing comma").put("{R}/k").body("[1,]").is(400, "invalid-json"));
        cases.add(bad("text/plain value").put("{R}/k").type("text/plain").body("1").is(415, "unsupported-media-type"));
        cases.add(bad("form value").put("{R}/k").type("application/x-www-form-urlencoded").body("a=1").is(415, "unsupported-media-type"));
        cases.add(bad("XML value").put("{R}/k").type("application/xml").body("<a/>").is(415, "unsupported-media-type"));

        // Keys.
        cases.add(bad("a key of 513 bytes").put("{R}/" + "a".repeat(513)).body("1").is(400, "invalid-key"));
        cases.add(bad("a key with NUL").put("{R}/a%00b").body("1").is(400, "invalid-key"));
        cases.add(bad("a key with a unit separator").put("{R}/a%1Fb").body("1").is(400, "invalid-key"));
        cases.add(bad("a key with a newline").put("{R}/a%0Ab").body("1").is(400, "invalid-key"));
        cases.add(bad("a key with DEL").put("{R}/a%7Fb").body("1").is(400, "invalid-key"));
        cases.add(bad("a key with a C1 control").put("{R}/a%C2%85b").body("1").is(400, "invalid-key"));
        cases.add(bad("a key of invalid UTF-8").put("{R}/a%FFb").body("1").is(400, "invalid-key"));
        cases.add(bad("a key of overlong UTF-8").put("{R}/a%C0%AFb").body("1").is(400, "invalid-key"));
        cases.add(bad("a key with an encoded surrogate").put("{R}/a%ED%A0%80b").body("1").is(400, "invalid-key"));
        cases.add(bad("a key of NUL in a body").post("{D}/increment").body("{\"key\":\"a\\u0000b\"}").is(400, "invalid-key"));
        cases.add(bad("an empty key in a body").post("{D}/get-or-create").body("{\"key\":\"\",\"value\":1}").is(400, "invalid-key"));
        cases.add(bad("a key that is a number").post("{D}/increment").body("{\"key\":5}").is(400, "invalid-key"));
        String longKey = "a".repeat(513);
        cases.add(bad("a key of 171 three-byte characters: 513 bytes").put("{R}/" + "%E2%82%AC".repeat(171)).body("1")
                .is(400, "invalid-key"));
        cases.add(bad("a key of 513 bytes in an increment").post("{D}/increment").body("{\"key\":\"" + longKey + "\"}")
                .is(400, "invalid-key"));
        cases.add(bad("a key of 513 bytes in a batch").post("{D}/batch").body("{\"set\":[{\"key\":\"" + longKey + "\",\"value\":1}]}")
                .is(400, "invalid-key"));
        cases.add(bad("a key of 513 bytes in a batch delete").post("{D}/batch").body("{\"delete\":[\"" + longKey + "\"]}")
                .is(400, "invalid-key"));
        cases.add(bad("a key of 513 bytes in a batch-get").post("{D}/batch-get").body("{\"keys\":[\"" + longKey + "\"]}")
                .is(400, "invalid-key"));
        cases.add(bad("a key of 513 bytes in an import").post("{D}/import").type("application/x-ndjson")
                .body("{\"key\":\"" + longKey + "\",\"value\":1}\n").is(400, "invalid-line"));

        // TTLs.
        cases.add(bad("ttl 0").put("{R}/new?ttl=0").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl negative").put("{R}/new?ttl=-5").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl fractional").put("{R}/new?ttl=1.5").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl a word").put("{R}/new?ttl=soon").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl above ten years").put("{R}/new?ttl=315360001").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl of 30 digits").put("{R}/new?ttl=999999999999999999999999999999").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl 1e999999999").put("{R}/new?ttl=1e999999999").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl 1e-999999999").put("{R}/new?ttl=1e-999999999").body("1").is(400, "invalid-ttl"));
        cases.add(bad("ttl a string in a batch").post("{D}/batch").body("{\"set\":[{\"key\":\"new\",\"value\":1,\"ttl\":\"60\"}]}")
                .is(400, "invalid-ttl"));
        cases.add(bad("ttl fractional in expire").post("{D}/expire").body("{\"key\":\"k\",\"ttl\":0.5}").is(400, "invalid-ttl"));
        cases.add(bad("ttl 1e999999999 in get-or-create").post("{D}/get-or-create")
                .body("{\"key\":\"new\",\"value\":1,\"ttl\":1e999999999}").is(400, "invalid-ttl"));

        // Conditions.
        cases.add(bad("If-Match not a quoted ETag").put("{R}/k").header("If-Match", "abc").body("1").is(400, "invalid-request"));
        // an ETag variable left empty must not turn a conditional write into an unconditional one
        cases.add(bad("an empty If-Match on a put").put("{R}/k").header("If-Match", "").body("1").is(400, "invalid-request"));
        cases.add(bad("a blank If-Match on a put").put("{R}/k").header("If-Match", "  ").body("1").is(400, "invalid-request"));
        cases.add(bad("an empty If-Match on a delete").call("DELETE", "{R}/k").header("If-Match", "").is(400, "invalid-request"));
        cases.add(bad("an empty If-None-Match on a put").put("{R}/k").header("If-None-Match", "").body("1").is(400, "invalid-request"));
        cases.add(bad("If-None-Match with an ETag on a write").put("{R}/k").header("If-None-Match", "\"1\"").body("1")
                .is(400, "invalid-request"));

        // Operations and batches.
        cases.add(bad("increment by 1e999999999").post("{D}/increment").body("{\"key\":\"n\",\"by\":1e999999999}")
                .is(400, "invalid-request"));
        cases.add(bad("increment of a stored 1e999999999").post("{D}/increment").body("{\"key\":\"huge\"}")
                .is(400, "invalid-request"));
        cases.add(bad("increment with an empty body").post("{D}/increment").is(400, "invalid-json"));
        cases.add(bad("append with trailing garbage").post("{D}/append").body("{\"key\":\"l\",\"value\":1}]").is(400, "invalid-json"));
        cases.add(bad("get-or-create without a value").post("{D}/get-or-create").body("{\"key\":\"new\"}").is(400, "invalid-request"));
        cases.add(bad("an operation body that is an array").post("{D}/increment").body("[\"k\"]").is(400, "invalid-json"));
        cases.add(bad("batch set not an array").post("{D}/batch").body("{\"set\":5}").is(400, "invalid-request"));
        cases.add(bad("a batch with a misspelt member").post("{D}/batch").body("{\"sets\":[{\"key\":\"new\",\"value\":1}]}")
                .is(400, "invalid-request"));
        cases.add(bad("a batch whose check is absent: false").post("{D}/batch")
                .body("{\"checks\":[{\"key\":\"k\",\"absent\":false}],\"set\":[{\"key\":\"new\",\"value\":1}]}").is(400, "invalid-request"));
        cases.add(bad("a batch whose check does not hold").post("{D}/batch")
                .body("{\"checks\":[{\"key\":\"k\",\"absent\":true}],\"set\":[{\"key\":\"new\",\"value\":1}]}").is(412, "precondition-failed"));
        cases.add(bad("a batch item with an unknown member").post("{D}/batch").body("{\"set\":[{\"key\":\"new\",\"value\":1,\"tll\":5}]}")
                .is(400, "invalid-request"));
        cases.add(bad("an increment with an unknown member").post("{D}/increment").body("{\"key\":\"n\",\"step\":5}").is(400, "invalid-request"));
        cases.add(bad("batch item not an object").post("{D}/batch").body("{\"set\":[1]}").is(400, "invalid-request"));
        cases.add(bad("batch of 1,025 sets").post("{D}/batch").body("{\"set\":[" + IntStream.range(0, 1025)
                .mapToObj(i -> "{\"key\":\"n" + i + "\",\"value\":1}").collect(Collectors.joining(",")) + "]}").is(400, "too-many-keys"));
        cases.add(bad("batch with text/plain").post("{D}/batch").type("text/plain").body("{\"delete\":[\"k\"]}")
                .is(415, "unsupported-media-type"));
        cases.add(bad("batch-get of 1,025 keys").post("{D}/batch-get").body("{\"keys\":[" + IntStream.range(0, 1025)
                .mapToObj(i -> "\"n" + i + "\"").collect(Collectors.joining(",")) + "]}").is(400, "too-many-keys"));
        cases.add(bad("batch-get keys not an array").post("{D}/batch-get").body("{\"keys\":\"k\"}").is(400, "invalid-request"));

        // Listings.
        cases.add(bad("limit 0").get("{R}?limit=0").is(400, "invalid-request"));
        cases.add(bad("limit -1").get("{R}?limit=-1").is(400, "invalid-request"));
        cases.add(bad("limit 1025").get("{R}?limit=1025").is(400, "too-many-keys"));
        cases.add(bad("limit 99999999999").get("{R}?limit=99999999999").is(400, "too-many-keys"));
        cases.add(bad("limit abc").get("{R}?limit=abc").is(400, "invalid-request"));
        cases.add(bad("limit 1.5").get("{R}?limit=1.5").is(400, "invalid-request"));
        cases.add(bad("values maybe").get("{R}?values=maybe").is(400, "invalid-request"));
        cases.add(bad("a prefix with NUL").get("{R}?prefix=a%00").is(400, "invalid-key"));
        cases.add(bad("a cursor of garbage").get("{R}?cursor=@@@").is(400, "invalid-cursor"));
        cases.add(bad("a cursor of foreign base64").get("{R}?cursor=" + base64("hello")).is(400, "invalid-cursor"));
        cases.add(bad("a cursor naming a NUL key").get("{R}?cursor=" + base64("k1:\u0000")).is(400, "invalid-cursor"));
        cases.add(bad("a diff cursor of garbage").get("{D}/diff?against={D-ID}&cursor=@@@").is(400, "invalid-cursor"));
        cases.add(bad("a diff without against").get("{D}/diff").is(400, "invalid-request"));

        // Bodies read into request objects (stores, links, keys, plans).
        cases.add(bad("store: broken JSON").post("{S}").body("{\"name\":").is(400, "invalid-json"));
        cases.add(bad("store: two JSON values").post("{S}").body("{\"name\":\"x\"}{\"name\":\"y\"}").is(400, "invalid-json"));
        cases.add(bad("store: duplicate members").post("{S}").body("{\"name\":\"x\",\"name\":\"y\"}").is(400, "invalid-json"));
        cases.add(bad("store: nesting 65 deep").post("{S}").body("{\"name\":\"x\",\"extra\":" + deep + "}").is(400, "invalid-json"));
        cases.add(bad("store: name a number").post("{S}").body("{\"name\":5}").is(400, "invalid-request"));
        cases.add(bad("store: name an object").post("{S}").body("{\"name\":{}}").is(400, "invalid-request"));
        cases.add(bad("store: name missing").post("{S}").body("{}").is(400, "invalid-request"));
        cases.add(bad("store: name with a control character").post("{S}").body("{\"name\":\"a\\u0007b\"}").is(400, "invalid-request"));
        cases.add(bad("store: text/plain").post("{S}").type("text/plain").body("{\"name\":\"x\"}").is(415, "unsupported-media-type"));
        cases.add(bad("store: form").post("{S}").type("application/x-www-form-urlencoded").body("name=x").is(415, "unsupported-media-type"));
        cases.add(bad("store rename: empty name").patch("{D}").body("{\"name\":\"\"}").is(400, "invalid-request"));
        cases.add(bad("link without kind").put("{D}/links/wf").body("{\"name\":\"wf\"}").is(400, "invalid-request"));
        cases.add(bad("api key: scopes a string").post("{W}/api-keys").body("{\"name\":\"k\",\"scopes\":\"read\"}").is(400, "invalid-request"));
        cases.add(bad("plan: maxStores 1e30").asOperator().put("/v1/admin/plans/" + PLAN)
                .body(plan("1e30")).is(400, "invalid-request"));
        cases.add(bad("plan: maxStores of 20 digits").asOperator().put("/v1/admin/plans/" + PLAN)
                .body(plan("99999999999999999999")).is(400, "invalid-request"));
        cases.add(bad("plan: maxStores a string").asOperator().put("/v1/admin/plans/" + PLAN)
                .body(plan("\"5\"")).is(400, "invalid-request"));
        cases.add(bad("plan: maxStores fractional").asOperator().put("/v1/admin/plans/" + PLAN)
                .body(plan("1.5")).is(400, "invalid-request"));

        // Ids that name nothing, in every shape.
        cases.add(bad("an unknown store id").put("{S}/ds_doesnotexist/records/k").body("1").is(404, "not-found"));
        cases.add(bad("a store id without prefix").get("{S}/12345").is(404, "not-found"));
        cases.add(bad("a store id of 3,000 characters").get("{S}/ds_" + "x".repeat(3_000)).is(404, "not-found"));
        cases.add(bad("a store id with NUL").get("{S}/ds_%00/records").is(400, "invalid-request"));
        cases.add(bad("a link id with NUL").put("{D}/links/a%00b").body("{\"name\":\"wf\",\"kind\":\"workflow\"}")
                .is(400, "invalid-request"));
        cases.add(bad("a diff against a NUL id").get("{D}/diff?against=%00").is(400, "invalid-request"));
        cases.add(bad("a workspace name with NUL").asOperator().patch("{W-ADMIN}").body("{\"name\":\"a\\u0000b\"}")
                .is(400, "invalid-request"));
        cases.add(bad("a store id of invalid UTF-8").get("{S}/ds_%FF/records/k").is(400, "invalid-request"));
        cases.add(bad("a store id with an emoji").put("{S}/ds_%F0%9F%98%80/records/k").body("1").is(404, "not-found"));
        cases.add(bad("a workspace id of another shape").get("/v1/workspaces/%00/stores").is(404, "not-found"));

        // Methods a route does not have.
        cases.add(bad("PUT on the workspace").put("{W}").body("{}").is(405, "method-not-allowed"));
        cases.add(bad("DELETE on the plans").asOperator().call("DELETE", "/v1/admin/plans").is(405, "method-not-allowed"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isAnsweredWithACleanProblemAndChangesNothing(Case bad) {
        Target target = target();
        RequestSpecification request = given().urlEncodingEnabled(false)
                .auth().oauth2(bad.operator() ? Tenant.ADMIN_TOKEN : target.tenant().token());
        if (bad.contentType() != null) {
            request.contentType(bad.contentType());
        }
        bad.headers().forEach(request::header);
        if (bad.body() != null && "application/x-www-form-urlencoded".equals(bad.contentType())) {
            request.body(new String(bad.body(), StandardCharsets.UTF_8)); // REST Assured encodes forms from text only
        } else if (bad.body() != null) {
            request.body(bad.body());
        }

        Response response = request.request(bad.method(), target.fill(bad.path()));

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(bad.status());
        assertCleanProblem(response, bad.status(), bad.slug());
        assertThat(snapshot(target)).isEqualTo(target.baseline());
    }

    @Test
    void malformedPercentEscapesInAKeyAreBadRequests() throws Exception {
        Target target = target();
        // Sent raw: HTTP clients refuse to send such a URI at all.
        for (String key : List.of("a%G1", "a%2")) {
            String head = "PUT " + target.fill("{R}/") + key + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer "
                    + target.tenant().token() + "\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n1";

            RawHttp.Response response = new RawHttp(server).exchange(head.getBytes(StandardCharsets.UTF_8), null);

            // Not a URI at all, so refused before the key is read: invalid-request, as a problem document.
            assertThat(response.status()).as(key).isEqualTo(400);
            assertThat(response.header("content-type")).as(key).startsWith("application/problem+json");
            assertThat(response.text()).contains("\"type\":\"" + PROBLEMS + "invalid-request\"").doesNotContain("Exception");
        }
        assertThat(snapshot(target)).isEqualTo(target.baseline());
    }

    @Test
    void methodsARecordRouteLacksAreMethodNotAllowed() {
        Target target = target();

        given().auth().oauth2(target.tenant().token()).contentType("application/json").body("1")
                .post(target.fill("{R}/k")).then().statusCode(405).header("Allow", "DELETE, GET, HEAD, PUT");
        given().auth().oauth2(target.tenant().token()).contentType("application/json").body("{}")
                .patch(target.fill("{R}")).then().statusCode(405).header("Allow", "DELETE, GET, HEAD");
        assertThat(snapshot(target)).isEqualTo(target.baseline());
    }

    @Test
    void aBodyOverTheServersLimitIsPayloadTooLarge() throws Exception {
        Target target = target();
        // A raw request: the server answers on the declared length, while a client still sending 16 MiB would
        // see the connection closed under it.
        String head = "PUT " + target.fill("{R}/over-limit") + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer "
                + target.tenant().token() + "\r\nContent-Type: application/json\r\nContent-Length: " + (16 * 1024 * 1024 + 1)
                + "\r\n\r\n[";

        RawHttp.Response response = new RawHttp(server).exchange(head.getBytes(StandardCharsets.UTF_8), null);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.header("content-type")).startsWith("application/problem+json");
        assertThat(response.text()).contains("\"type\":\"" + PROBLEMS + "payload-too-large\"").doesNotContain("Exception");
        assertThat(snapshot(target)).isEqualTo(target.baseline());
    }

    @Test
    void aHeaderOverSixteenKilobytesIsRequestHeaderFieldsTooLarge() throws Exception {
        Target target = target();
        String head = "GET " + target.fill("{R}/k") + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer "
                + target.tenant().token() + "\r\nX-Padding: " + "x".repeat(17 * 1024) + "\r\n\r\n";

        RawHttp.Response response = new RawHttp(server).exchange(head.getBytes(StandardCharsets.UTF_8), null);

        // Under the HTTP codec's own limit (64 KiB), so the service answers it, with a problem document.
        assertThat(response.status()).isEqualTo(431);
        assertThat(response.header("content-type")).startsWith("application/problem+json");
        assertThat(response.text()).contains("\"type\":\"" + PROBLEMS + "headers-too-large\"").doesNotContain("Exception");
    }

    private static void assertCleanProblem(Response response, int status, String slug) {
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.<String>path("type")).as(response.asString()).isEqualTo(PROBLEMS + slug);
        assertThat(response.<Integer>path("status")).isEqualTo(status);
        assertThat(response.<String>path("title")).isNotBlank();
        assertThat(response.<String>path("detail")).isNotBlank();
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("dev.datastores.")
                .doesNotContain("com.fasterxml").doesNotContain("io.vertx");
    }

    private static synchronized Target target() {
        if (target == null) {
            Tenant tenant = Tenant.create();
            String store = tenant.newStore("target");
            tenant.request().body("{\"set\":[{\"key\":\"k\",\"value\":{\"keep\":1.50}},{\"key\":\"n\",\"value\":7},"
                    + "{\"key\":\"l\",\"value\":[1]},{\"key\":\"t\",\"value\":\"x\",\"ttl\":86400},"
                    + "{\"key\":\"huge\",\"value\":1e999999999}]}")
                    .post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
            tenant.request().body(Map.of("name", "wf", "kind", "workflow")).put(tenant.stores() + "/" + store + "/links/wf")
                    .then().statusCode(201);
            Target made = new Target(tenant, store, null);
            target = new Target(tenant, store, snapshot(made));
        }
        return target;
    }

    /** Everything a bad request could have changed: the store's records, the workspace's stores, links and keys, plans. */
    private static String snapshot(Target target) {
        Tenant tenant = target.tenant();
        return String.join("\n",
                tenant.request().get(tenant.stores() + "/" + target.store() + "/export").then().statusCode(200).extract().asString(),
                tenant.request().get(tenant.stores()).jsonPath().getList("stores.name").toString(),
                tenant.request().get(tenant.stores() + "/" + target.store() + "/links").asString(),
                tenant.request().get("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).jsonPath().getList("keys.id").toString(),
                Tenant.asOperator().get("/v1/admin/plans").jsonPath().getList("plans.name").toString());
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String plan(String maxStores) {
        return "{\"maxStores\":" + maxStores + ",\"maxKeys\":1,\"maxStorageBytes\":1,\"maxValueBytes\":1,\"requestsPerSecond\":1}";
    }

    private static Builder bad(String name) {
        return new Builder(name);
    }

    record Target(Tenant tenant, String store, String baseline) {

        String fill(String path) {
            return path.replace("{R}", tenant.records(store)).replace("{D-ID}", store).replace("{D}", tenant.stores() + "/" + store)
                    .replace("{S}", tenant.stores()).replace("{W}", "/v1/workspaces/" + tenant.workspaceId())
                    .replace("{W-ADMIN}", "/v1/admin/workspaces/" + tenant.workspaceId());
        }
    }

    /** A malformed request and the answer it must get. Paths use {R} records, {D} the store, {S} stores, {W} the workspace. */
    record Case(String name, boolean operator, String method, String path, String contentType, byte[] body,
            Map<String, String> headers, int status, String slug) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static final class Builder {
        private final String name;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private boolean operator;
        private String method;
        private String path;
        private String contentType = "application/json";
        private byte[] body;

        Builder(String name) {
            this.name = name;
        }

        Builder asOperator() {
            operator = true;
            return this;
        }

        Builder get(String path) {
            return call("GET", path);
        }

        Builder put(String path) {
            return call("PUT", path);
        }

        Builder post(String path) {
            return call("POST", path);
        }

        Builder patch(String path) {
            return call("PATCH", path);
        }

        Builder call(String method, String path) {
            this.method = method;
            this.path = path;
            return this;
        }

        Builder type(String contentType) {
            this.contentType = contentType;
            return this;
        }

        Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Builder body(String body) {
            return body(body.getBytes(StandardCharsets.UTF_8));
        }

        Builder body(byte[] body) {
            this.body = body;
            return this;
        }

        Case is(int status, String slug) {
            return new Case(name, operator, method, path, contentType, body, Map.copyOf(headers), status, slug);
        }
    }
}
