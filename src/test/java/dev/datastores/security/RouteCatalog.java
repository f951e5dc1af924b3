package dev.datastores.security;

import static io.restassured.RestAssured.given;

import dev.datastores.support.Tenant;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every route of the API (API.md) with the access it needs and a request that succeeds against a fresh
 * {@link Fixture}, so security tests can walk all of them: a route added to the server without an entry
 * here goes untested, so add it here too.
 * <p>
 * One export job's own route ({@code S/{ds}/exports/{job}}) is walked by ExportJobTest, which has a job.
 */
public final class RouteCatalog {

    /** Who may call a route: the operator token, or a workspace key with this scope. */
    public enum Access {
        OPERATOR, READ, WRITE, MANAGE;

        public String scope() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final String JSON = "application/json";
    private static final String WS = "/v1/workspaces/{ws}";
    private static final String S = WS + "/stores";
    private static final String DS = S + "/{ds}";
    private static final String R = DS + "/records";

    public static final List<Route> ALL = List.of(
            new Route("GET", "/v1/admin/plans", Access.OPERATOR, null),
            new Route("PUT", "/v1/admin/plans/route-catalog", Access.OPERATOR,
                    "{\"maxStores\":5,\"maxKeys\":100,\"maxStorageBytes\":100000,\"maxValueBytes\":1000,\"requestsPerSecond\":100}"),
            new Route("POST", "/v1/admin/workspaces", Access.OPERATOR, "{\"name\":\"made by the catalogue\",\"plan\":\"free\"}"),
            new Route("GET", "/v1/admin/workspaces/{ws}", Access.OPERATOR, null),
            new Route("PATCH", "/v1/admin/workspaces/{ws}", Access.OPERATOR, "{\"name\":\"renamed\"}"),
            new Route("DELETE", "/v1/admin/workspaces/{ws}", Access.OPERATOR, null),
            new Route("POST", "/v1/admin/workspaces/{ws}/api-keys", Access.OPERATOR, "{\"name\":\"k\",\"scopes\":[\"read\"]}"),

            new Route("GET", WS, Access.READ, null),
            new Route("GET", WS + "/api-keys", Access.MANAGE, null),
            new Route("POST", WS + "/api-keys", Access.MANAGE, "{\"name\":\"k\",\"scopes\":[\"read\"]}"),
            new Route("DELETE", WS + "/api-keys/{apiKey}", Access.MANAGE, null),

            new Route("POST", S, Access.MANAGE, "{\"name\":\"made by the catalogue\"}"),
            new Route("GET", S, Access.READ, null),
            new Route("GET", DS, Access.READ, null),
            new Route("PATCH", DS, Access.MANAGE, "{\"name\":\"renamed by the catalogue\"}"),
            new Route("DELETE", S + "/{other}", Access.MANAGE, null),
            new Route("GET", DS + "/links", Access.READ, null),
            new Route("PUT", DS + "/links/{link}", Access.MANAGE, "{\"name\":\"wf\",\"kind\":\"workflow\"}"),
            new Route("DELETE", DS + "/links/{link}", Access.MANAGE, null),

            new Route("PUT", R + "/{key}", Access.WRITE, "2"),
            new Route("GET", R + "/{key}", Access.READ, null),
            new Route("HEAD", R + "/{key}", Access.READ, null),
            new Route("DELETE", R + "/{key}", Access.WRITE, null),
            new Route("GET", R, Access.READ, null),
            new Route("DELETE", R, Access.WRITE, null),
            new Route("POST", DS + "/increment", Access.WRITE, "{\"key\":\"{key}\",\"by\":2}"),
            new Route("POST", DS + "/append", Access.WRITE, "{\"key\":\"a-list\",\"value\":1}"),
            new Route("POST", DS + "/get-or-create", Access.WRITE, "{\"key\":\"{key}\",\"value\":3}"),
            new Route("POST", DS + "/expire", Access.WRITE, "{\"key\":\"{key}\",\"ttl\":600}"),
            new Route("POST", DS + "/batch-get", Access.READ, "{\"keys\":[\"{key}\",\"absent\"]}"),
            new Route("POST", DS + "/batch", Access.WRITE, "{\"set\":[{\"key\":\"b\",\"value\":1}],\"delete\":[\"{key}\"]}"),
            new Route("GET", DS + "/entries", Access.READ, null),
            new Route("GET", DS + "/keys", Access.READ, null),
            new Route("GET", DS + "/diff?against={other}", Access.READ, null),
            new Route("GET", DS + "/export", Access.READ, null),
            new Route("POST", DS + "/import", Access.WRITE, "{\"key\":\"imported\",\"value\":1}\n", "application/x-ndjson"),
            new Route("POST", DS + "/exports", Access.WRITE, "{\"url\":\"http://127.0.0.1:9/nothing-listens\",\"chunkSize\":10}"),
            new Route("GET", DS + "/exports", Access.READ, null));

    private RouteCatalog() {
    }

    public static List<Route> workspaceRoutes() {
        return ALL.stream().filter(route -> route.access() != Access.OPERATOR).toList();
    }

    public static List<Route> operatorRoutes() {
        return ALL.stream().filter(route -> route.access() == Access.OPERATOR).toList();
    }

    /** One route: method, path template, the access it needs, and a body that makes it succeed on a fixture. */
    public record Route(String method, String template, Access access, String body, String contentType) {

        Route(String method, String template, Access access, String body) {
            this(method, template, access, body, JSON);
        }

        /** Whether the route names a store or an API key, ids that must not leak across workspaces either. */
        public boolean namesAStoreOrKey() {
            return template.contains("{ds}") || template.contains("{other}") || template.contains("{apiKey}");
        }

        public boolean hasBody() {
            return !method.equals("HEAD");
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
            return request.request(method, ids.fill(template));
        }

        /** Calls the route with a raw Authorization header, for malformed credentials. */
        public Response callWithAuthorization(Fixture ids, String authorization) {
            RequestSpecification request = given().urlEncodingEnabled(false).contentType(contentType)
                    .header("Authorization", authorization);
            if (body != null) {
                request.body(ids.fill(body).getBytes(StandardCharsets.UTF_8));
            }
            return request.request(method, ids.fill(template));
        }

        @Override
        public String toString() {
            return method + " " + template;
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
            return template.replace("{ws}", ws).replace("{ds}", ds).replace("{other}", other).replace("{key}", key)
                    .replace("{link}", link).replace("{apiKey}", apiKey);
        }
    }
}
