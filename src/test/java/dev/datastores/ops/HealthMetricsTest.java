package dev.datastores.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What operators and probes read without a token: health and Prometheus metrics (API.md, "Operations"). */
@QuarkusTest
class HealthMetricsTest {

    @Test
    void livenessIsUpWithoutATokenAndDependsOnNeitherPostgresqlNorRedis() {
        Response live = given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP")).extract().response();

        // A database outage must not restart every pod: liveness may not check PostgreSQL or Redis (STYLE.md).
        List<String> checks = live.jsonPath().getList("checks.name");
        assertThat(checks).noneMatch(name -> name.toLowerCase().contains("postgres") || name.toLowerCase().contains("redis"));
    }

    @Test
    void readinessIsUpWithoutATokenChecksPostgresqlAndReportsRedisAsADetail() {
        Response ready = given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).extract().response();

        List<String> checks = ready.jsonPath().getList("checks.name");
        assertThat(checks).anyMatch(name -> name.toLowerCase().contains("postgresql"));
        assertThat(checks).anyMatch(name -> name.toLowerCase().contains("redis"));
        assertThat(ready.jsonPath().getList("checks.status")).containsOnly("UP");
        assertThat(ready.jsonPath().getString("checks.find { it.name.contains('Redis') }.data.redis")).isEqualTo("up");
        assertThat(given().accept("text/plain").get("/q/metrics").asString()).containsPattern("(?m)^datastores_redis_degraded(\\{[^}]*})? 0\\.0$");
    }

    @Test
    void metricsArePrometheusTextWithHttpServerRequestsAndNeedNoToken() {
        Tenant tenant = Tenant.create();
        tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().statusCode(200);

        // The classic Prometheus text format, as a scraper asks for it; without Accept the server picks OpenMetrics.
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).contentType(startsWith("text/plain"))
                .extract().asString();

        assertThat(metrics).contains("# TYPE http_server_requests_seconds summary");
        assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/v1/workspaces/\\{ws}\"[^}]*} \\d");
    }
}
