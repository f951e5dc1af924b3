package dev.datastores.security;

import dev.datastores.security.RouteCatalog.Access;
import dev.datastores.security.RouteCatalog.Fixture;
import dev.datastores.security.RouteCatalog.Route;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every route against every kind of credential (API.md, "Authentication and tenancy"): the scope a route
 * needs opens it, the other scopes get 403, and no or an unknown token gets 401 with a Bearer challenge.
 * Failures are collected over all routes, so one run reports every route that is wrong.
 */
@QuarkusTest
class ScopeMatrixTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";
    private static final List<Access> SCOPES = List.of(Access.READ, Access.WRITE, Access.MANAGE);

    @Test
    void eachWorkspaceRouteOpensToItsScopeAndRefusesTheOthersWithForbidden() {
        Tenant tenant = Tenant.create();
        Map<Access, String> keys = Map.of(
                Access.READ, Tenant.keyWith(tenant.workspaceId(), "read"),
                Access.WRITE, Tenant.keyWith(tenant.workspaceId(), "write"),
                Access.MANAGE, Tenant.keyWith(tenant.workspaceId(), "manage"));
        Fixture refused = Fixture.in(tenant);
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.workspaceRoutes()) {
            for (Access scope : SCOPES) {
                if (scope == route.access()) {
                    Response response = route.call(Fixture.in(tenant), keys.get(scope));
                    softly.assertThat(response.statusCode()).as("%s with a %s key: %s", route, scope.scope(), response.asString())
                            .isBetween(200, 299);
                } else {
                    expectProblem(softly, route, route.call(refused, keys.get(scope)), 403, "forbidden",
                            "with a " + scope.scope() + " key");
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void operatorRoutesOpenToTheOperatorTokenAndRefuseEveryWorkspaceKey() {
        Tenant tenant = Tenant.create();
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.operatorRoutes()) {
            Response allowed = route.call(Fixture.in(Tenant.create()), Tenant.ADMIN_TOKEN);
            softly.assertThat(allowed.statusCode()).as("%s with the operator token: %s", route, allowed.asString())
                    .isBetween(200, 299);
            Fixture target = Fixture.in(Tenant.create());
            for (String scope : List.of("read", "write", "manage")) {
                expectProblem(softly, route, route.call(target, Tenant.keyWith(tenant.workspaceId(), scope)), 403, "forbidden",
                        "with a " + scope + " key");
            }
            expectProblem(softly, route, route.call(target, tenant.token()), 403, "forbidden", "with an all-scope key");
        }
        softly.assertAll();
    }

    @Test
    void workspaceRoutesRefuseTheOperatorTokenWithForbidden() {
        Fixture fixture = Fixture.in(Tenant.create());
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.workspaceRoutes()) {
            expectProblem(softly, route, route.call(fixture, Tenant.ADMIN_TOKEN), 403, "forbidden", "with the operator token");
        }
        softly.assertAll();
    }

    @Test
    void everyRouteWithoutATokenIsUnauthorizedWithABearerChallenge() {
        Fixture fixture = Fixture.in(Tenant.create());
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.ALL) {
            Response response = route.call(fixture, null);
            expectProblem(softly, route, response, 401, "unauthorized", "without a token");
            softly.assertThat(response.header("WWW-Authenticate")).as("%s without a token: WWW-Authenticate", route)
                    .startsWith("Bearer");
        }
        softly.assertAll();
    }

    @Test
    void everyRouteWithAnUnknownOrMalformedCredentialIsUnauthorized() {
        Fixture fixture = Fixture.in(Tenant.create());
        List<String> credentials = List.of("Bearer dsk_thisKeyWasNeverIssued", "Bearer not-a-token", "Basic dXNlcjpwYXNzd29yZA==");
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.ALL) {
            for (String authorization : credentials) {
                Response response = route.callWithAuthorization(fixture, authorization);
                expectProblem(softly, route, response, 401, "unauthorized", "with Authorization: " + authorization);
                softly.assertThat(response.header("WWW-Authenticate"))
                        .as("%s with Authorization: %s: WWW-Authenticate", route, authorization).startsWith("Bearer");
            }
        }
        softly.assertAll();
    }

    private static void expectProblem(SoftAssertions softly, Route route, Response response, int status, String slug,
            String how) {
        softly.assertThat(response.statusCode()).as("%s %s: %s", route, how, response.asString()).isEqualTo(status);
        if (route.hasBody() && response.statusCode() == status) {
            softly.assertThat(response.contentType()).as("%s %s: content type", route, how).startsWith("application/problem+json");
            softly.assertThat(response.<String>path("type")).as("%s %s: type", route, how).isEqualTo(PROBLEMS + slug);
        }
    }
}
