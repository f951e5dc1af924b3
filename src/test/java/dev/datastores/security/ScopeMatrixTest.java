package dev.datastores.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.auth.Scope;
import dev.datastores.http.ApiRoute;
import dev.datastores.security.RouteCatalog.Fixture;
import dev.datastores.security.RouteCatalog.Route;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every route against every kind of credential (API.md, "Authentication and tenancy"), generated from the route
 * table: a key opens a route exactly when it holds every scope the route's effects need ({@link Scope#neededFor}),
 * for each of the seven combinations of scopes; every other key gets 403, and no or an unknown token gets 401
 * with a Bearer challenge. Failures are collected over all routes, so one run reports every route that is wrong.
 */
@QuarkusTest
class ScopeMatrixTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";

    @Test
    void everyRouteOfTheTableHasARequestInTheCatalogue() {
        Set<ApiRoute> walked = RouteCatalog.ALL.stream().map(Route::api).collect(Collectors.toSet());
        Set<ApiRoute> table = EnumSet.allOf(ApiRoute.class);
        table.remove(ApiRoute.GET_EXPORT_JOB);
        assertThat(walked).containsExactlyInAnyOrderElementsOf(table);
    }

    @Test
    void eachWorkspaceRouteOpensToExactlyTheKeysHoldingItsScopes() {
        Tenant tenant = Tenant.create();
        Map<Set<Scope>, String> keys = new LinkedHashMap<>();
        for (Set<Scope> scopes : combinations()) {
            keys.put(scopes, Tenant.keyWith(tenant.workspaceId(), Scope.wireNames(scopes).toArray(String[]::new)));
        }
        Fixture refused = Fixture.in(tenant);
        SoftAssertions softly = new SoftAssertions();

        for (Route route : RouteCatalog.workspaceRoutes()) {
            keys.forEach((scopes, key) -> {
                if (scopes.containsAll(route.scopes())) {
                    Response response = route.call(Fixture.in(tenant), key);
                    softly.assertThat(response.statusCode()).as("%s with a %s key: %s", route, scopes, response.asString())
                            .isBetween(200, 299);
                } else {
                    expectProblem(softly, route, route.call(refused, key), 403, "forbidden", "with a " + scopes + " key");
                }
            });
        }
        softly.assertAll();
    }

    @Test
    void anExportJobThatDeletesWhatItSentNeedsWriteBesidesRead() {
        Tenant tenant = Tenant.create();
        Fixture fixture = Fixture.in(tenant);
        String body = "{\"url\":\"http://127.0.0.1:9/nothing-listens\",\"deleteAfterExport\":true}";
        String exports = "/v1/workspaces/" + fixture.ws() + "/stores/" + fixture.ds() + "/exports";

        given().auth().oauth2(Tenant.keyWith(tenant.workspaceId(), "read")).contentType("application/json").body(body)
                .post(exports).then().statusCode(403).body("type", org.hamcrest.Matchers.equalTo(PROBLEMS + "forbidden"));
        given().auth().oauth2(Tenant.keyWith(tenant.workspaceId(), "read", "write")).contentType("application/json").body(body)
                .post(exports).then().statusCode(202);
    }

    @Test
    void aKeyCreatesOnlyKeysWithScopesItHolds() {
        Tenant tenant = Tenant.create();
        String manageOnly = Tenant.keyWith(tenant.workspaceId(), "manage");
        String keys = "/v1/workspaces/" + tenant.workspaceId() + "/api-keys";

        for (List<String> wanted : List.of(List.of("read"), List.of("write"), List.of("manage", "read"), List.of("read", "write", "manage"))) {
            given().auth().oauth2(manageOnly).contentType("application/json").body(Map.of("name", "minted", "scopes", wanted))
                    .post(keys).then().statusCode(403).body("type", org.hamcrest.Matchers.equalTo(PROBLEMS + "forbidden"));
        }
        given().auth().oauth2(manageOnly).contentType("application/json").body(Map.of("name", "minted", "scopes", List.of("manage")))
                .post(keys).then().statusCode(201);
        given().auth().oauth2(Tenant.keyWith(tenant.workspaceId(), "manage", "read")).contentType("application/json")
                .body(Map.of("name", "minted", "scopes", List.of("read"))).post(keys).then().statusCode(201);
    }

    /** The seven non-empty sets of scopes a key can hold. */
    private static List<Set<Scope>> combinations() {
        List<Set<Scope>> all = new ArrayList<>();
        Scope[] scopes = Scope.values();
        for (int mask = 1; mask < 1 << scopes.length; mask++) {
            Set<Scope> set = EnumSet.noneOf(Scope.class);
            for (int i = 0; i < scopes.length; i++) {
                if ((mask & 1 << i) != 0) {
                    set.add(scopes[i]);
                }
            }
            all.add(set);
        }
        return all;
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
