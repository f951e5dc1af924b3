package dev.datastores.record;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RecordSmokeTest {

    @Test
    void putThenGetReturnsTheSameJson() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("smoke");
        String value = "{\"b\":1,\"a\":0.10,\"n\":12345678901234567890}";
        tenant.request().body(value).put(tenant.records(store) + "/greeting").then().log().ifValidationFails()
                .statusCode(201).header("ETag", notNullValue()).body("key", equalTo("greeting"));
        String body = tenant.request().get(tenant.records(store) + "/greeting").then().log().ifValidationFails()
                .statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(body).isEqualTo(value);
    }
}
