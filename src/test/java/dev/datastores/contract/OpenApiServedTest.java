package dev.datastores.contract;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /q/openapi} serves the contract as written in openapi/datastores.yaml, not one scanned from the code. */
@QuarkusTest
class OpenApiServedTest {

    @Test
    void servesEveryPathAndOperationOfTheContractFile() throws IOException {
        JsonNode written = new ObjectMapper(new YAMLFactory()).readTree(Path.of("openapi/datastores.yaml").toFile());
        JsonNode served = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString());

        assertThat(served.path("openapi").asText()).isEqualTo("3.0.3");
        assertThat(operations(served)).containsExactlyInAnyOrderElementsOf(operations(written)).contains(
                "post /v1/admin/workspaces createWorkspace",
                "put /v1/workspaces/{ws}/stores/{ds}/records/{key} putRecord",
                "head /v1/workspaces/{ws}/stores/{ds}/records/{key} hasRecord",
                "get /v1/workspaces/{ws}/stores/{ds}/export exportRecords");
        assertThat(served.at("/components/responses/RateLimited/headers").has("Retry-After")).isTrue();
        assertThat(served.at("/components/schemas/Problem/properties").has("recordCount")).isTrue();
    }

    /** "method path operationId" for every operation of the document. */
    private static List<String> operations(JsonNode document) {
        List<String> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
            if (operation.getValue().has("operationId")) {
                operations.add(operation.getKey() + " " + path.getKey() + " " + operation.getValue().get("operationId").asText());
            }
        }));
        return operations;
    }
}
