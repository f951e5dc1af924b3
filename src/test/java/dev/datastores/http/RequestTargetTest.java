package dev.datastores.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.KeyArbitraries;
import dev.datastores.support.RawHttp;
import dev.datastores.support.Tenant;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.sessions.JqwikSession;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request targets sent byte for byte over a socket (API.md, "Records" and the request target rules): every valid
 * key can be put, read, tested and deleted through its own {@code R/{key}} and nothing else is touched, whatever
 * dots, slashes and escapes it holds; a target that is not canonical before the key is refused; and what the
 * HTTP layer refuses is a problem document too.
 */
@QuarkusTest
class RequestTargetTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";
    private static final List<String> SENTINELS = List.of("a", "b", "k1", "records", "records/k1", "z");

    @TestHTTPResource
    URL server;

    private RawHttp http;
    private Tenant tenant;
    private String store;
    private String auth;

    @BeforeEach
    void aStoreWithSentinels() {
        http = new RawHttp(server);
        tenant = Tenant.create();
        store = tenant.newStore("targets");
        auth = "Authorization: Bearer " + tenant.token();
        for (String key : SENTINELS) {
            tenant.request().urlEncodingEnabled(false).body("\"sentinel\"").put(tenant.records(store) + "/" + KeyArbitraries.encodeAll(key))
                    .then().statusCode(201);
        }
    }

    @Test
    void anyKeyIsPutReadTestedAndDeletedThroughItsOwnTargetAndTouchesNothingElse() {
        List<String> keys = new ArrayList<>(List.of(".", "..", "/", "//", "a/../b", "./k1", "records/../k1", "%", "%2E", " ", "?", "#"));
        JqwikSession.start();
        try {
            KeyArbitraries.keys().filter(key -> !SENTINELS.contains(key)).sampleStream().limit(80).forEach(keys::add);
        } finally {
            JqwikSession.finish();
        }
        SoftAssertions softly = new SoftAssertions();
        int n = 0;
        for (String key : keys) {
            if (SENTINELS.contains(key)) {
                continue;
            }
            String written = n++ % 2 == 0 ? KeyArbitraries.encodeAll(key) : KeyArbitraries.encodeMinimally(key);
            String target = tenant.records(store) + "/" + written;
            byte[] value = ("{\"n\": " + n + "}").getBytes(StandardCharsets.UTF_8);

            RawHttp.Response put = http.send("PUT", target, value, auth, "Content-Type: application/json");
            softly.assertThat(put.status()).as("PUT %s as %s: %s", key, written, put).isEqualTo(201);
            softly.assertThat(JsonPath.from(put.text()).getString("key")).as("PUT %s answers its key", key).isEqualTo(key);
            RawHttp.Response get = http.send("GET", target, null, auth);
            softly.assertThat(get.body()).as("GET %s as %s", key, written).isEqualTo(value);
            softly.assertThat(http.send("HEAD", target, null, auth).status()).as("HEAD %s", key).isEqualTo(200);
            softly.assertThat(keys()).as("after PUT %s", key).isEqualTo(with(key));

            RawHttp.Response delete = http.send("DELETE", target, null, auth);
            softly.assertThat(delete.status()).as("DELETE %s as %s: %s", key, written, delete).isEqualTo(204);
            softly.assertThat(http.send("GET", target, null, auth).status()).as("GET %s after DELETE", key).isEqualTo(404);
            softly.assertThat(keys()).as("after DELETE %s", key).isEqualTo(new TreeSet<>(SENTINELS));
        }
        softly.assertAll();
    }

    @Test
    void anHttp10RequestMayLeaveOutHostAndAnHttp11RequestMayNot() throws Exception {
        String target = tenant.records(store) + "/a";
        try (java.net.Socket socket = new java.net.Socket(server.getHost(), server.getPort())) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.0\r\n" + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.0 200");
        }
        try (java.net.Socket socket = new java.net.Socket(server.getHost(), server.getPort())) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\n" + auth + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("Host");
        }
    }

    @Test
    void theEncodedDotKeysAreKeysNotTheListingOrTheStore() {
        RawHttp.Response clear = http.send("DELETE", tenant.records(store) + "/%2E", null, auth);
        assertThat(clear.status()).as("%s", clear).isEqualTo(404);
        assertThat(JsonPath.from(clear.text()).getString("type")).isEqualTo(PROBLEMS + "record-not-found");
        RawHttp.Response deleteStore = http.send("DELETE", tenant.records(store) + "/%2E%2E", null, auth);
        assertThat(deleteStore.status()).as("%s", deleteStore).isEqualTo(404);
        assertThat(keys()).isEqualTo(new TreeSet<>(SENTINELS));
        tenant.request().get(tenant.stores() + "/" + store).then().statusCode(200);

        assertThat(http.send("PUT", tenant.records(store) + "/%2E", "1".getBytes(StandardCharsets.UTF_8), auth).status()).isEqualTo(201);
        assertThat(http.send("PUT", tenant.records(store) + "/%2e%2e", "2".getBytes(StandardCharsets.UTF_8), auth).status()).isEqualTo(201);
        assertThat(http.send("GET", tenant.records(store) + "/.", null, auth).text()).isEqualTo("1");
        assertThat(http.send("GET", tenant.records(store) + "/..", null, auth).text()).isEqualTo("2");
        assertThat(keys()).contains(".", "..").hasSize(SENTINELS.size() + 2);
    }

    @Test
    void aTargetThatIsNotCanonicalBeforeTheKeyIsRefusedAndWritesNothing() {
        String ws = "/v1/workspaces/" + tenant.workspaceId();
        List<String> variants = List.of(
                ws + "/stores/" + store + "/./records/new",
                ws + "/stores/" + store + "/%2E/records/new",
                ws + "/stores//" + store + "/records/new",
                ws + "/stores/" + store + "//records/new",
                ws + "/stores/x/../" + store + "/records/new",
                ws + "/stores/x/%2e%2E/" + store + "/records/new",
                ws + "/./stores/" + store + "/records/new",
                "/v1//workspaces/" + tenant.workspaceId() + "/stores/" + store + "/records/new",
                ws + "/stores/" + store + "%2Frecords/new",
                ws + "/stores/" + store + ";x=1/records/new",
                ws + "/stores/" + store + "/records/../records/new".replace("/records/../", "/x/../"),
                ws + "/%zz/stores/" + store + "/records/new");
        SoftAssertions softly = new SoftAssertions();
        for (String variant : variants) {
            RawHttp.Response put = http.send("PUT", variant, "1".getBytes(StandardCharsets.UTF_8), auth, "Content-Type: application/json");
            softly.assertThat(put.status()).as("PUT %s: %s", variant, put).isEqualTo(400);
            softly.assertThat(put.header("content-type")).as("PUT %s", variant).startsWith("application/problem+json");
        }
        softly.assertThat(keys()).isEqualTo(new TreeSet<>(SENTINELS));
        softly.assertAll();
    }

    @Test
    void aMethodThePathDoesNotHaveIs405WithAllow() {
        SoftAssertions softly = new SoftAssertions();
        expect405(softly, "PATCH", tenant.records(store) + "/a", "DELETE, GET, HEAD, PUT");
        expect405(softly, "POST", tenant.records(store) + "/a", "DELETE, GET, HEAD, PUT");
        expect405(softly, "POST", tenant.records(store), "DELETE, GET, HEAD");
        expect405(softly, "PUT", tenant.stores() + "/" + store, "DELETE, GET, HEAD, PATCH");
        expect405(softly, "GET", tenant.stores() + "/" + store + "/increment", "POST");
        expect405(softly, "DELETE", "/v1/admin/plans", "GET, HEAD");
        softly.assertAll();
    }

    @Test
    void whatTheHttpLayerRefusesIsAProblemDocument() {
        SoftAssertions softly = new SoftAssertions();
        String records = tenant.records(store);
        expectProblem(softly, http.send("GET", records + "/a", "HTTP/9.9", null, auth), 505, "http-version-not-supported");
        expectProblem(softly, http.send("GET", records + "/a%zz", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", records + "/a%FF", null, auth), 400, "invalid-key");
        expectProblem(softly, http.send("GET", records + "/" + "a".repeat(9000), null, auth), 414, "uri-too-long");
        expectProblem(softly, http.send("GET", records + "/a", null, auth, "X-Big: " + "b".repeat(20_000)), 431, "headers-too-large");
        expectProblem(softly, http.send("PUT", records + "/a", "1".getBytes(StandardCharsets.UTF_8), auth, "Content-Type: garbage"),
                415, "unsupported-media-type");
        expectProblem(softly, http.send("GET", "/v1/no-such-route", null, auth), 404, "not-found");
        expectProblem(softly, http.send("GET", ws() + "/%zz", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", records + "?prefix=%zz", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", records + "?prefix=%FF", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", records + "?limit=1&limit=2", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", records + "?limit=", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", records + "/a#b", null, auth), 400, "invalid-request");
        expectProblem(softly, http.send("GET", "/" + records, null, auth), 400, "invalid-request");
        expectProblem(softly, http.exchange(("GET " + records + "/a HTTP/1.1\r\nConnection: close\r\n" + auth + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), null), 400, "invalid-request");
        softly.assertThat(keys()).isEqualTo(new TreeSet<>(SENTINELS));
        softly.assertAll();
    }

    private void expect405(SoftAssertions softly, String method, String target, String allow) {
        RawHttp.Response response = http.send(method, target, "{}".getBytes(StandardCharsets.UTF_8), auth, "Content-Type: application/json");
        expectProblem(softly, response, 405, "method-not-allowed");
        softly.assertThat(response.header("allow")).as("%s %s: Allow", method, target).isEqualTo(allow);
    }

    private static void expectProblem(SoftAssertions softly, RawHttp.Response response, int status, String slug) {
        softly.assertThat(response.status()).as("%s", response).isEqualTo(status);
        softly.assertThat(response.header("content-type")).as("%s", response).startsWith("application/problem+json");
        if (response.header("content-type") != null && response.header("content-type").startsWith("application/problem+json")) {
            softly.assertThat(JsonPath.from(response.text()).getString("type")).as("%s", response).isEqualTo(PROBLEMS + slug);
        }
    }

    private String ws() {
        return "/v1/workspaces/" + tenant.workspaceId();
    }

    private Set<String> keys() {
        return new TreeSet<>(tenant.request().get(tenant.records(store) + "?values=false&limit=1024").jsonPath().getList("records.key"));
    }

    private Set<String> with(String key) {
        Set<String> expected = new TreeSet<>(SENTINELS);
        expected.add(key);
        return expected;
    }
}
