package dev.datastores.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ContractValidationFilter} itself, against a stub server that answers whatever each case sets: answers
 * that keep the contract pass, and each kind of drift fails the request that got it.
 */
class ContractValidationFilterTest {

    private static final String STORES = "/v1/workspaces/ws_1/stores";
    private static final String RECORDS = STORES + "/ds_1/records";
    private static final String PROBLEM = "application/problem+json";

    private static HttpServer server;
    private static ContractValidationFilter filter;
    /** The stub's next answer. */
    private static volatile Answer answer;

    record Answer(int status, String contentType, String body, Map<String, String> headers) {
    }

    @BeforeAll
    static void startStub() throws IOException {
        filter = new ContractValidationFilter();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Answer now = answer;
            now.headers().forEach(exchange.getResponseHeaders()::add);
            if (now.contentType() != null) {
                exchange.getResponseHeaders().add("Content-Type", now.contentType());
            }
            byte[] body = now.body() == null ? new byte[0] : now.body().getBytes(StandardCharsets.UTF_8);
            boolean empty = body.length == 0 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(now.status(), empty ? -1 : body.length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopStub() {
        server.stop(0);
    }

    @BeforeEach
    void defaultAnswer() {
        answer = null;
    }

    @Test
    void aRecordReadAsTheContractDescribesItPasses() {
        answers(200, "application/json", "{\"seen\":42}", "ETag", "\"17\"", "Last-Modified", "Tue, 24 Nov 2026 09:30:00 GMT");

        assertThatCode(() -> request().get(RECORDS + "/last-run")).doesNotThrowAnyException();
    }

    @Test
    void aKeyWithSlashesMatchesRecordsKeyWhetherItsSlashesAreEncodedOrNot() {
        answers(200, "application/json", "1", "ETag", "\"17\"", "Last-Modified", "Tue, 24 Nov 2026 09:30:00 GMT");

        assertThatCode(() -> request().get(RECORDS + "/a/b/c")).doesNotThrowAnyException();
        assertThatCode(() -> request().get(RECORDS + "/a%2Fb%2F%2E%2E")).doesNotThrowAnyException();
        assertThatCode(() -> request().get(RECORDS + "/%2E%2E/x?ttl=1")).doesNotThrowAnyException();
        assertThat(ContractValidationFilter.forMatching(RECORDS + "/a/b/c")).isEqualTo(RECORDS + "/a%2Fb%2Fc");
        assertThat(ContractValidationFilter.forMatching(STORES + "/ds_1/links/a")).isEqualTo(STORES + "/ds_1/links/a");
    }

    @Test
    void aStatusTheOperationDoesNotDeclareFails() {
        answers(500, PROBLEM, problem(500, "internal"));

        assertThatThrownBy(() -> request().get(RECORDS + "/k")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("validation.response.status.unknown");
    }

    @Test
    void aMemberTheSchemaLacksFails() {
        answers(201, "application/json", "{\"id\":\"ds_1\",\"name\":\"s\",\"createdAt\":\"2026-11-24T09:30:00Z\","
                + "\"recordCount\":0,\"storageBytes\":0,\"rawBytes\":0,\"owner\":\"someone\"}");

        assertThatThrownBy(() -> request().body("{\"name\":\"s\"}").post(STORES)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("owner");
    }

    @Test
    void aMissingRequiredMemberFails() {
        answers(200, "application/json", "{}");

        assertThatThrownBy(() -> request().get(STORES)).isInstanceOf(AssertionError.class).hasMessageContaining("stores");
    }

    @Test
    void aContentTypeTheResponseDoesNotDeclareFails() {
        answers(200, "text/plain", "{\"stores\":[]}");

        assertThatThrownBy(() -> request().get(STORES)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("validation.response.contentType.notAllowed");
    }

    @Test
    void aDeclaredHeaderThatIsMissingFails() {
        answers(200, "application/json", "1", "Last-Modified", "Tue, 24 Nov 2026 09:30:00 GMT");

        assertThatThrownBy(() -> request().get(RECORDS + "/k")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("ETag");
    }

    @Test
    void aProblemDocumentMustMatchTheProblemSchema() {
        answers(404, PROBLEM, "{\"type\":\"https://datastores.dev/problems/not-found\",\"status\":404}");

        assertThatThrownBy(() -> request().get(STORES + "/ds_1")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("title");
        answers(404, PROBLEM, problem(404, "not-found"));
        assertThatCode(() -> request().get(STORES + "/ds_1")).doesNotThrowAnyException();
    }

    @Test
    void aV1PathTheContractLacksFails() {
        answers(200, "application/json", "{}");

        assertThatThrownBy(() -> request().get("/v1/workspaces/ws_1/secrets")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("validation.request.path.missing");
    }

    @Test
    void aMethodThePathLacksMustBeMethodNotAllowedWithAllow() {
        answers(405, PROBLEM, problem(405, "method-not-allowed"), "Allow", "GET, PATCH, DELETE");
        assertThatCode(() -> request().put(STORES + "/ds_1")).doesNotThrowAnyException();
        assertThatCode(() -> request().request("PROPFIND", STORES + "/ds_1")).doesNotThrowAnyException();

        answers(405, PROBLEM, problem(405, "method-not-allowed"));
        assertThatThrownBy(() -> request().put(STORES + "/ds_1")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Allow");

        answers(405, PROBLEM, "{\"type\":\"https://datastores.dev/problems/method-not-allowed\"}", "Allow", "GET");
        assertThatThrownBy(() -> request().put(STORES + "/ds_1")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("title");

        answers(405, null, null, "Allow", "GET, PATCH, DELETE");
        assertThatCode(() -> request().head(STORES + "/ds_1")).doesNotThrowAnyException();

        answers(200, "application/json", "{}");
        assertThatThrownBy(() -> request().put(STORES + "/ds_1")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("validation.request.operation.notAllowed");
        assertThatThrownBy(() -> request().request("PROPFIND", STORES + "/ds_1")).isInstanceOf(AssertionError.class);
    }

    @Test
    void notAcceptableIsAnAnswerOfAnyOperation() {
        answers(406, PROBLEM, problem(406, "not-acceptable"));

        assertThatCode(() -> request().accept("text/csv").get(STORES)).doesNotThrowAnyException();
    }

    @Test
    void pathsOutsideTheContractPassOnlyIfTheSkipListNamesThem() {
        answers(200, "text/plain", "up");

        assertThatCode(() -> request().get("/q/health/ready")).doesNotThrowAnyException();
        assertThatCode(() -> request().get("/")).doesNotThrowAnyException();
        assertThatCode(() -> request().get("/app.js")).doesNotThrowAnyException();
        assertThatThrownBy(() -> request().get("/q/dev-ui")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("NOT_IN_CONTRACT");
        assertThatThrownBy(() -> request().get("/v2/workspaces")).isInstanceOf(AssertionError.class);
    }

    @Test
    void aCorsPreflightIsLeftToTheHttpLayer() {
        answers(200, null, null);

        assertThatCode(() -> request().header("Origin", "https://app.example").header("Access-Control-Request-Method", "PUT")
                .options(RECORDS + "/k")).doesNotThrowAnyException();
        assertThatThrownBy(() -> request().options(RECORDS + "/k")).isInstanceOf(AssertionError.class);
    }

    @Test
    void anEmptyExportIsAWholeNdjsonStream() {
        answers(200, "application/x-ndjson;charset=UTF-8", null);

        assertThatCode(() -> request().get(STORES + "/ds_1/export")).doesNotThrowAnyException();
    }

    private static void answers(int status, String contentType, String body, String... headers) {
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            named.put(headers[i], headers[i + 1]);
        }
        answer = new Answer(status, contentType, body, named);
    }

    private static String problem(int status, String slug) {
        return "{\"type\":\"https://datastores.dev/problems/" + slug + "\",\"title\":\"t\",\"status\":" + status
                + ",\"detail\":\"d\",\"instance\":\"/v1\"}";
    }

    /** Only this filter, whatever global filters a {@code @QuarkusTest} of the same JVM installed. */
    private static RequestSpecification request() {
        return given().noFilters().filter(filter).urlEncodingEnabled(false).baseUri("http://127.0.0.1")
                .port(server.getAddress().getPort()).contentType("application/json");
    }
}
