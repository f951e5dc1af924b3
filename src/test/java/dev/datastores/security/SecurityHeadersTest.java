package dev.datastores.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.security.RouteCatalog.Fixture;
import dev.datastores.security.RouteCatalog.Route;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The headers every answer carries against sniffing, referrer leaks and framing; no caching of answers that hold
 * tenant data; and no cross-origin access unless an operator allows an origin (OperatorSettingsTest).
 */
@QuarkusTest
class SecurityHeadersTest {

    private static final String OTHER_ORIGIN = "https://attacker.example";

    @Test
    void everyRouteAnswersWithNoSniffNoReferrerNoFramingAndNoStore() {
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.ALL) {
            Tenant tenant = Tenant.create();
            Response response = route.call(Fixture.in(tenant), route.api().isOperatorRoute() ? Tenant.ADMIN_TOKEN : tenant.token());

            softly.assertThat(response.statusCode()).as("%s: %s", route, response.asString()).isBetween(200, 299);
            assertProtected(softly, route.toString(), response);
            softly.assertThat(response.header("Cache-Control")).as("%s Cache-Control", route).isEqualTo("no-store");
        }
        softly.assertAll();
    }

    @Test
    void problemsHealthMetricsContractAndDashboardCarryTheHeadersToo() {
        SoftAssertions softly = new SoftAssertions();
        Tenant tenant = Tenant.create();

        assertProtected(softly, "401", given().get("/v1/workspaces/{ws}", tenant.workspaceId()));
        assertProtected(softly, "404", tenant.request().get(tenant.stores() + "/ds_absent"));
        assertProtected(softly, "400", tenant.request().body("{").put(tenant.records(tenant.newStore("s")) + "/k"));
        for (String path : List.of("/", "/index.html", "/app.js", "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi")) {
            Response response = given().get(path);
            softly.assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertProtected(softly, path, response);
        }
        softly.assertAll();
    }

    @Test
    void conditionalReadsStillAnswerNotModifiedWithNoStore() {
        Tenant tenant = Tenant.create();
        String record = tenant.records(tenant.newStore("s")) + "/k";
        String etag = tenant.request().body("{\"a\":1}").put(record).then().statusCode(201).extract().header("ETag");

        tenant.request().get(record).then().statusCode(200).header("ETag", etag).header("Cache-Control", "no-store");
        tenant.request().header("If-None-Match", etag).get(record).then().statusCode(304).header("Cache-Control", "no-store");
    }

    @Test
    void thePagesOfTheDashboardMayBeCachedUnlikeTheApi() {
        assertThat(given().get("/app.js").header("Cache-Control")).isNotEqualTo("no-store");
    }

    @Test
    void aPreflightFromAnotherOriginIsNotAllowed() {
        Tenant tenant = Tenant.create();

        Response preflight = given().header("Origin", OTHER_ORIGIN).header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .options(tenant.records(tenant.newStore("s")) + "/k");

        assertThat(preflight.headers().hasHeaderWithName("Access-Control-Allow-Origin")).as(preflight.headers().toString()).isFalse();
        assertThat(preflight.headers().hasHeaderWithName("Access-Control-Allow-Methods")).isFalse();
        assertThat(preflight.headers().hasHeaderWithName("Access-Control-Allow-Headers")).isFalse();
    }

    @Test
    void aRequestFromAnotherOriginGetsNoAllowOriginSoItsPageCannotReadTheAnswer() {
        Tenant tenant = Tenant.create();

        Response response = tenant.request().header("Origin", OTHER_ORIGIN).get("/v1/workspaces/{ws}", tenant.workspaceId());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().hasHeaderWithName("Access-Control-Allow-Origin")).isFalse();
    }

    private static void assertProtected(SoftAssertions softly, String what, Response response) {
        softly.assertThat(response.header("X-Content-Type-Options")).as("%s X-Content-Type-Options", what).isEqualTo("nosniff");
        softly.assertThat(response.header("Referrer-Policy")).as("%s Referrer-Policy", what).isEqualTo("no-referrer");
        softly.assertThat(response.header("X-Frame-Options")).as("%s X-Frame-Options", what).isEqualTo("DENY");
    }
}
