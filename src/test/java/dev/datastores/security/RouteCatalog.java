package dev.datastores.security;

import static io.restassured.RestAssured.given;

import dev.datastores.auth.Scope;
import dev.datastores.http.ApiRoute;
import dev.datastores.support.Tenant;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A request for every route of the route table ({@link ApiRoute}) that succeeds against a fresh {@link Fixture},
 * so security tests can walk all of them. The access each needs is not written here: it follows from the
 * table ({@link Scope#neededFor}); {@code everyRouteOfTheTableHasARequestHere} fails when a route is missing.
 * <p>
 * One export job's own route ({@code S/{ds}/exports/{job}}) is walked by ExportJobTest, which has a job.
 */
public final class RouteCatalog {

    private static final String JSON = "application/json";

    public static final List<Route> ALL = List.of(
            new Route(ApiRoute.LIST_PLANS, null),
            new Route(ApiRoute.PUT_PLAN, "/v1/admin/plans/route-catalog",
                    "{\"maxStores\":5,\"maxKeys\":100,\"maxStorageBytes\":100000,\"maxValueBytes\":1000,\"requestsPerSecond\":100}"),
            new Route(ApiRoute.CREATE_WORKSPACE, "{\"name\":\"made by the catalogue\",\"plan\":\"free\"}"),
            new Route(ApiRoute.ADMIN_GET_WORKSPACE, null),
            new Route(ApiRoute.ADMIN_PATCH_WORKSPACE, "{\"name\":\"renamed\"}"),
            new Route(ApiRoute.ADMIN_DELETE_WORKSPACE, null),
            new Route(ApiRoute.ADMIN_CREATE_API_KEY, "{\"name\":\"k\",\"scopes\":[\"read\"]}"),

            new Route(ApiRoute.GET_WORKSPACE, null),
            new Route(ApiRoute.LIST_API_KEYS, null),
            new Route(ApiRoute.CREATE_API_KEY, "{\"name\":\"k\",\"scopes\":[\"manage\"]}"),
            new Route(ApiRoute.REVOKE_API_KEY, "/v1/workspaces/{ws}/api-keys/{apiKey}", null),

            new Route(ApiRoute.CREATE_STORE, "{\"name\":\"made by the catalogue {unique}\"}"),
            new Route(ApiRoute.LIST_STORES, null),
            new Route(ApiRoute.GET_STORE, null),
            new Route(ApiRoute.RENAME_STORE, "{\"name\":\"renamed by the catalogue {unique}\"}"),
            new Route(ApiRoute.DELETE_STORE, "/v1/workspaces/{ws}/stores/{other}", null),
            new Route(ApiRoute.LIST_LINKS, null),
            new Route(ApiRoute.PUT_LINK, "{\"name\":\"wf\",\"kind\":\"workflow\"}"),
            new Route(ApiRoute.DELETE_LINK, null),

            new Route(ApiRoute.PUT_RECORD, "2"),
            new Route(ApiRoute.GET_RECORD, null),
            new Route(ApiRoute.HEAD_RECORD, null),
            new Route(ApiRoute.DELETE_RECORD, null),
            new Route(ApiRoute.LIST_RECORDS, null),
            new Route(ApiRoute.CLEAR_STORE, null),
            new Route(ApiRoute.INCREMENT, "{\"key\":\"{key}\",\"by\":2}"),
            new Route(ApiRoute.APPEND, "{\"key\":\"a-list\",\"value\":1}"),
            new Route(ApiRoute.GET_OR_CREATE, "{\"key\":\"{key}\",\"value\":3}"),
            new Route(ApiRoute.EXPIRE, "{\"key\":\"{key}\",\"ttl\":600}"),
            new Route(ApiRoute.BATCH_GET, "{\"keys\":[\"{key}\",\"absent\"]}"),
            new Route(ApiRoute.BATCH, "{\"set\":[{\"key\":\"b\",\"value\":1}],\"delete\":[\"{key}\"]}"),
            new Route(ApiRoute.ENTRIES, null),
            new Route(ApiRoute.KEYS, null),
            new Route(ApiRoute.DIFF, "/v1/workspaces/{ws}/stores/{ds}/diff?against={other}", null),
            new Route(ApiRoute.EXPORT, null),
            new Route(ApiRoute.WATCH_CHANGES, ApiRoute.WATCH_CHANGES.template() + "?wait=1", null),
            new Route(ApiRoute.IMPORT, ApiRoute.IMPORT.template(), "{\"key\":\"imported\",\"value\":1}\n", "application/x-ndjson"),
            new Route(ApiRoute.START_EXPORT_JOB, "{\"url\":\"http://127.0.0.1:9/nothing-listens\",\"chunkSize\":10}"),
            new Route(ApiRoute.LIST_EXPORT_JOBS, null));

    private RouteCatalog() {
    }

    public static List<Route> workspaceRoutes() {
        return ALL.stream().filter(route -> !route.api().isOperatorRoute()).toList();
    }

    public static List<Route> operatorRoutes() {
        return ALL.stream().filter(route -> route.api().isOperatorRoute()).toList();
    }

    /** One route of the table: the target to call it on, and a body that makes it succeed on a fixture. */
    public record Route(ApiRoute api, String template, String body, String contentType) {

        Route(ApiRoute api, String template, String body) {
            this(api, template, body, JSON);
        }

        Route(ApiRoute api, String body) {
            this(api, api.template(), body, JSON);
        }

        public String method() {
            return api.method();
        }

        /** The scopes a workspace key needs for this route, as the table derives them. */
        public Set<Scope> scopes() {
            return Scope.neededFor(api);
        }

        /** Whether the route names a store or an API key, ids that must not leak across workspaces either. */
        public boolean namesAStoreOrKey() {
            return template.contains("{ds}") || template.contains("{other}") || template.contains("{apiKey}");
        }

        public boolean hasBody() {
            return !api.method().equals("HEAD");
        }

        /** Calls the route on the fixture's ids with the given token (null: no Authorization header). */
        public Response call(Fixture ids, String token) {
            RequestSpecification request = given().urlEncodingEnabled(false).contentType(contentType);
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                request.body(ids.fill(body).getBytes(StandardCharsets.UTF_8));
            }
            return request.request(api.method(), ids.fill(template));
        }

        /** Calls the route with a raw Authorization header, for malformed credentials. */
        public Response callWithAuthorization(Fixture ids, String authorization) {
            RequestSpecification request = given().urlEncodingEnabled(false).contentType(contentType)
                    .header("Authorization", authorization);
            if (body != null) {
                request.body(ids.fill(body).getBytes(StandardCharsets.UTF_8));
            }
            return request.request(api.method(), ids.fill(template));
        }

        @Override
        public String toString() {
            return api.method() + " " + template;
        }
    }

    /**
     * The ids a route is addressed with: a workspace, a store holding the record {@code key} and the link
     * {@code link}, another store without links (deletable, and the other side of a diff), and a spare API key.
     */
    public record Fixture(String ws, String ds, String other, String key, String link, String apiKey) {

        /** A fresh set of things to address in the tenant's workspace, made with its all-scope key. */
        public static Fixture in(Tenant tenant) {
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            String ds = tenant.newStore("fixture-" + suffix);
            String other = tenant.newStore("other-" + suffix);
            tenant.request().body("1").put(tenant.records(ds) + "/k").then().statusCode(201);
            tenant.request().body(Map.of("name", "wf", "kind", "workflow")).put(tenant.stores() + "/" + ds + "/links/l")
                    .then().statusCode(201);
            String apiKey = tenant.request().body(Map.of("name", "spare", "scopes", List.of("read")))
                    .post("/v1/workspaces/{ws}/api-keys", tenant.workspaceId()).then().statusCode(201).extract().path("id");
            return new Fixture(tenant.workspaceId(), ds, other, "k", "l", apiKey);
        }

        /** The same store, record, link and key ids, but under another workspace id. */
        public Fixture under(String workspaceId) {
            return new Fixture(workspaceId, ds, other, key, link, apiKey);
        }

        String fill(String template) {
            return template.replace("{unique}", UUID.randomUUID().toString()).replace("{ws}", ws).replace("{ds}", ds).replace("{other}", other).replace("{key}", key)
                    .replace("{link}", link).replace("{apiKey}", apiKey);
        }
    }
}
