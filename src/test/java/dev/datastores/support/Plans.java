package dev.datastores.support;

import java.util.Map;
import java.util.UUID;

/** Plans made for one test, with the limits it needs. */
public final class Plans {

    private Plans() {
    }

    public static String create(int maxStores, long maxKeys, long maxStorageBytes, int maxValueBytes, int requestsPerSecond) {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Tenant.asOperator().body(Map.of("maxStores", maxStores, "maxKeys", maxKeys, "maxStorageBytes", maxStorageBytes,
                "maxValueBytes", maxValueBytes, "requestsPerSecond", requestsPerSecond))
                .put("/v1/admin/plans/{plan}", name).then().statusCode(201);
        return name;
    }
}
