package dev.datastores.it;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A workspace of its own plan, with one store and a key of every scope, made through the operator API of
 * running instances; {@code instance} picks which of them serves a request.
 */
record ItWorkspace(List<String> bases, String id, String token, String store) {

    static ItWorkspace create(List<String> bases, int maxStores, int maxKeys, long maxStorageBytes) {
        String plan = "it-" + UUID.randomUUID().toString().substring(0, 8);
        operator(bases).body(Map.of("maxStores", maxStores, "maxKeys", maxKeys, "maxStorageBytes", maxStorageBytes,
                "maxValueBytes", 65536, "requestsPerSecond", 100_000)).put("/v1/admin/plans/{plan}", plan).then().statusCode(201);
        String id = operator(bases).body(Map.of("name", "it", "plan", plan)).post("/v1/admin/workspaces").then().statusCode(201)
                .extract().path("id");
        String token = operator(bases).body(Map.of("name", "it", "scopes", List.of("read", "write", "manage")))
                .post("/v1/admin/workspaces/{ws}/api-keys", id).then().statusCode(201).extract().path("token");
        ItWorkspace ws = new ItWorkspace(bases, id, token, null);
        String store = ws.request(0).body(Map.of("name", "s")).post("/v1/workspaces/{ws}/stores", id).then().statusCode(201)
                .extract().path("id");
        return new ItWorkspace(bases, id, token, store);
    }

    RequestSpecification request(int instance) {
        return given().baseUri(bases.get(instance % bases.size())).auth().oauth2(token).contentType(ContentType.JSON);
    }

    Response put(int instance, String key) {
        return put(instance, key, "{\"key\":\"" + key + "\"}");
    }

    Response put(int instance, String key, String value) {
        return request(instance).body(value).put("/v1/workspaces/{ws}/stores/{ds}/records/{key}", id, store, key);
    }

    Response createStore(int instance, String name) {
        return request(instance).body(Map.of("name", name)).post("/v1/workspaces/{ws}/stores", id);
    }

    /** The usage the instance reports: stores, keys and storageBytes. */
    Map<String, Integer> usage(int instance) {
        return request(instance).get("/v1/workspaces/{ws}", id).then().statusCode(200).extract().path("usage");
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            RequestSpecification request = request(0).queryParam("values", "false").queryParam("limit", 1024);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/v1/workspaces/{ws}/stores/{ds}/records", id, store);
            keys.addAll(page.jsonPath().getList("records.key"));
            cursor = page.path("nextCursor");
        } while (cursor != null);
        return keys;
    }

    private static RequestSpecification operator(List<String> bases) {
        return given().baseUri(bases.get(0)).auth().oauth2(ServiceProcess.ADMIN_TOKEN).contentType(ContentType.JSON);
    }
}
