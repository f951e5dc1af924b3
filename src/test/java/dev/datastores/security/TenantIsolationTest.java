package dev.datastores.security;

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
 * One tenant's ids are invisible to another tenant's all-scope key (API.md: "never 403: another tenant's IDs
 * must not be probeable"), on every workspace route, and trying changes nothing for the owner.
 */
@QuarkusTest
class TenantIsolationTest {

    private static final String NOT_FOUND = "https://datastores.dev/problems/not-found";

    @Test
    void anotherWorkspacesKeyGetsNotFoundOnEveryRouteAddressedWithTheOwnersIds() {
        Tenant owner = Tenant.create();
        Fixture fixture = Fixture.in(owner);
        String before = snapshot(owner, fixture);
        Tenant intruder = Tenant.create();
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.workspaceRoutes()) {
            expectNotFound(softly, route, route.call(fixture, intruder.token()), "on the owner's workspace");
        }

        softly.assertAll();
        assertThat(snapshot(owner, fixture)).isEqualTo(before);
    }

    @Test
    void anotherWorkspacesStoresAndKeysAreNotFoundUnderTheIntrudersOwnWorkspace() {
        Tenant owner = Tenant.create();
        Fixture fixture = Fixture.in(owner);
        String before = snapshot(owner, fixture);
        Tenant intruder = Tenant.create();
        Fixture smuggled = fixture.under(intruder.workspaceId());
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.workspaceRoutes().stream().filter(Route::namesAStoreOrKey).toList()) {
            expectNotFound(softly, route, route.call(smuggled, intruder.token()), "under the intruder's workspace");
        }

        softly.assertAll();
        assertThat(snapshot(owner, fixture)).isEqualTo(before);
        intruder.request().get(intruder.stores()).then().statusCode(200).body("stores", org.hamcrest.Matchers.empty());
    }

    private static void expectNotFound(SoftAssertions softly, Route route, Response response, String how) {
        softly.assertThat(response.statusCode()).as("%s %s: %s", route, how, response.asString()).isEqualTo(404);
        if (route.hasBody() && response.statusCode() == 404) {
            softly.assertThat(response.contentType()).as("%s %s: content type", route, how).startsWith("application/problem+json");
            softly.assertThat(response.<String>path("type")).as("%s %s: type", route, how).isEqualTo(NOT_FOUND);
        }
    }

    /** Everything of the owner's workspace a route could have changed, as one comparable text. */
    private static String snapshot(Tenant owner, Fixture fixture) {
        StringBuilder state = new StringBuilder();
        Response workspace = owner.request().get("/v1/workspaces/{ws}", owner.workspaceId()).then().statusCode(200).extract().response();
        state.append(workspace.<String>path("name")).append(' ').append(workspace.<String>path("plan.name")).append('\n');
        List<String> stores = owner.request().get(owner.stores()).then().statusCode(200).extract().jsonPath().getList("stores.id");
        state.append(owner.request().get(owner.stores()).jsonPath().getList("stores.name")).append('\n');
        for (String store : stores) {
            state.append(store).append(": ")
                    .append(owner.request().get(owner.stores() + "/" + store + "/export").then().statusCode(200).extract().asString())
                    .append(owner.request().get(owner.stores() + "/" + store + "/links").then().statusCode(200).extract().asString())
                    .append('\n');
        }
        List<String> keyIds = owner.request().get("/v1/workspaces/{ws}/api-keys", owner.workspaceId()).then().statusCode(200)
                .extract().jsonPath().getList("keys.id");
        state.append(keyIds).append('\n');
        assertThat(stores).contains(fixture.ds(), fixture.other());
        assertThat(keyIds).contains(fixture.apiKey());
        return state.toString();
    }
}
