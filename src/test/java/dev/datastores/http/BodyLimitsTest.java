package dev.datastores.http;

import static org.hamcrest.Matchers.equalTo;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BodyLimitsTest {

    private static final int LIMIT = 16 * 1024 * 1024;

    @Test
    void aBodyOverTheLimitIsRefusedAsAProblemAndNothingIsStored() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        byte[] huge = ("\"" + "x".repeat(LIMIT) + "\"").getBytes(StandardCharsets.UTF_8);

        tenant.request().body(huge).put(tenant.records(store) + "/big").then().statusCode(413)
                .contentType("application/problem+json").body("type", equalTo("https://datastores.dev/problems/payload-too-large"));
        tenant.request().get(tenant.records(store) + "/big").then().statusCode(404);
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffToo() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        byte[] huge = ("\"" + "x".repeat(LIMIT) + "\"").getBytes(StandardCharsets.UTF_8);

        int status = tenant.request().body(new ByteArrayInputStream(huge)).put(tenant.records(store) + "/big").statusCode();

        org.assertj.core.api.Assertions.assertThat(status).isEqualTo(413);
        tenant.request().get(tenant.records(store) + "/big").then().statusCode(404);
    }

    @Test
    void anImportMayBeFarLargerBecauseItIsReadAChunkAtATime() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String value = "\"" + "v".repeat(10_000) + "\"";
        byte[] ndjson = IntStream.range(0, 2_000).mapToObj(i -> "{\"key\":\"k" + i + "\",\"value\":" + value + "}")
                .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
        org.assertj.core.api.Assertions.assertThat(ndjson.length).isGreaterThan(LIMIT);

        tenant.request().contentType("application/x-ndjson").body(ndjson).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(200).body("imported", equalTo(2_000));
    }
}
