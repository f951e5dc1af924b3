package dev.datastores.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;

/** A fresh workspace with an all-scopes key, made through the operator API: tests never share state. */
public record Tenant(String workspaceId, String token) {

    public static final String ADMIN_TOKEN = "test-admin-token";

    public static RequestSpecification asOperator() {
        return given().auth().oauth2(ADMIN_TOKEN).contentType(ContentType.JSON);
    }

    public static Tenant create(String plan) {
        String ws = asOperator().body(Map.of("name", "test", "plan", plan))
                .post("/v1/admin/workspaces").then().statusCode(201).extract().path("id");
        return new Tenant(ws, keyWith(ws, "read", "write", "manage"));
    }

    public static Tenant create() {
        return create("business");
    }

    public static String keyWith(String ws, String... scopes) {
        return asOperator().body(Map.of("name", "key", "scopes", List.of(scopes)))
                .post("/v1/admin/workspaces/{ws}/api-keys", ws).then().statusCode(201).extract().path("token");
    }

    public RequestSpecification request() {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    public String newStore(String name) {
        return request().body(Map.of("name", name)).post(stores()).then().statusCode(201).extract().path("id");
    }

    public String stores() {
        return "/v1/workspaces/" + workspaceId + "/stores";
    }

    public String records(String storeId) {
        return stores() + "/" + storeId + "/records";
    }
}
