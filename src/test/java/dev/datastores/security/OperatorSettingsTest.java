package dev.datastores.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What operators may switch on, with the service's own settings otherwise: the access log (everything logged
 * goes to a file this test reads) and an allowed cross-origin. Tokens reach no log, however they are sent.
 */
@QuarkusTest
@TestProfile(OperatorSettingsTest.AccessLogAndOneOrigin.class)
class OperatorSettingsTest {

    private static final Path LOG = Path.of("target", "operator-settings-test.log");
    private static final String ALLOWED_ORIGIN = "https://app.example.com";

    /** The access log on, all logging also to {@link #LOG}, and one allowed origin. */
    public static class AccessLogAndOneOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.http.access-log.enabled", "true",
                    "%test.quarkus.log.category.\"io.quarkus.http.access-log\".level", "INFO",
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOG.toString(),
                    "quarkus.http.cors.enabled", "true",
                    "quarkus.http.cors.origins", ALLOWED_ORIGIN);
        }
    }

    @Test
    void neitherKeysNorTheOperatorTokenReachTheLogHoweverTheyAreSent() throws Exception {
        Tenant tenant = Tenant.create();
        String key = tenant.token();
        String workspace = "/v1/workspaces/" + tenant.workspaceId();

        tenant.request().get(workspace).then().statusCode(200);
        tenant.request().queryParam("token", key).queryParam("access_token", Tenant.ADMIN_TOKEN).get(workspace).then().statusCode(200);
        given().auth().oauth2(key + "-altered").get(workspace).then().statusCode(401);
        given().auth().oauth2(Tenant.ADMIN_TOKEN).get(workspace).then().statusCode(403);
        given().header("Authorization", key).get(workspace).then().statusCode(401);
        String marker = workspace + "/stores/ds_log-marker";
        tenant.request().get(marker).then().statusCode(404);

        String log = awaitLogContaining(marker);
        assertThat(log).contains("GET " + workspace);
        assertThat(log).doesNotContain(key).doesNotContain(key.substring(0, 16)).doesNotContain(Tenant.ADMIN_TOKEN)
                .doesNotContain("token=").doesNotContain("Bearer");
    }

    @Test
    void anAllowedOriginMayCallAndReadTheHeadersClientsNeed() {
        Tenant tenant = Tenant.create();

        Response preflight = given().header("Origin", ALLOWED_ORIGIN).header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization, content-type, if-match")
                .options("/v1/workspaces/{ws}", tenant.workspaceId());
        Response answer = tenant.request().header("Origin", ALLOWED_ORIGIN).get("/v1/workspaces/{ws}", tenant.workspaceId());

        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
        assertThat(preflight.header("Access-Control-Allow-Credentials")).isNotEqualTo("true");
        assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
        assertThat(answer.header("Access-Control-Expose-Headers")).contains("ETag").contains("RateLimit-Remaining");
    }

    @Test
    void anOriginNotAllowedGetsNoAllowOrigin() {
        Tenant tenant = Tenant.create();

        Response preflight = given().header("Origin", "https://attacker.example").header("Access-Control-Request-Method", "PUT")
                .options("/v1/workspaces/{ws}", tenant.workspaceId());

        assertThat(preflight.headers().hasHeaderWithName("Access-Control-Allow-Origin")).as(preflight.headers().toString()).isFalse();
    }

    private static String awaitLogContaining(String text) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String log = "";
        while (Instant.now().isBefore(deadline)) {
            log = Files.exists(LOG) ? Files.readString(LOG) : "";
            if (log.contains(text)) {
                return log;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("The access log never showed " + text + ":\n" + log);
    }
}
