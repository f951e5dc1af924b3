package dev.datastores.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.datastores.auth.Scope;
import dev.datastores.http.ApiRoute;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every /v1 route the server implements is in the route table ({@link ApiRoute}) and in the contract, with the
 * scopes its effects demand (operator routes: the operator token). A route added without both fails here.
 */
class ServerRoutesInContractTest {

    private static final java.nio.file.Path CLASSES = java.nio.file.Path.of("target/classes");
    private static final String OPERATOR = "operator token";

    @Test
    void everyServerRouteIsInTheContractWithItsScope() throws IOException {
        assertThat(contractRoutes()).containsAllEntriesOf(serverRoutes());
    }

    @Test
    void theRouteTableNamesExactlyTheRoutesTheServerHas() throws IOException {
        Map<String, String> table = new TreeMap<>();
        for (ApiRoute route : ApiRoute.values()) {
            table.put(route.method() + " " + route.template(), scopes(route));
        }
        assertThat(serverRoutes()).isEqualTo(table);
    }

    /** "METHOD /path" → scope, for every resource method of the compiled service. */
    private static Map<String, String> serverRoutes() throws IOException {
        Map<String, String> routes = new TreeMap<>();
        try (Stream<java.nio.file.Path> files = Files.walk(CLASSES.resolve("dev/datastores"))) {
            files.filter(file -> file.toString().endsWith(".class")).map(ServerRoutesInContractTest::load)
                    .filter(type -> type.isAnnotationPresent(Path.class))
                    .forEach(resource -> {
                        for (Method method : resource.getDeclaredMethods()) {
                            String verb = ApiRoute.httpMethod(method);
                            if (verb != null) {
                                String path = ApiRoute.template(resource.getAnnotation(Path.class), method.getAnnotation(Path.class));
                                routes.put(verb + " " + path, ApiRoute.of(method).map(ServerRoutesInContractTest::scopes)
                                        .orElse("missing from ApiRoute"));
                            }
                        }
                    });
        }
        routes.keySet().removeIf(route -> !route.contains(" /v1/"));
        assertThat(routes).as("resources found under %s", CLASSES).isNotEmpty();
        return routes;
    }

    /** "METHOD /path" → x-required-scope (or the operator token) for every operation of the contract. */
    private static Map<String, String> contractRoutes() throws IOException {
        JsonNode contract = new ObjectMapper(new YAMLFactory()).readTree(java.nio.file.Path.of("openapi/datastores.yaml").toFile());
        Map<String, String> routes = new TreeMap<>();
        contract.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
            if (operation.getValue().has("operationId")) {
                JsonNode scope = operation.getValue().path("x-required-scope");
                boolean operator = operation.getValue().path("security").toString().contains("operatorToken");
                List<String> names = new ArrayList<>();
                (scope.isArray() ? scope : List.of(scope)).forEach(name -> names.add(name.asText(null)));
                String scopes = scope.isMissingNode() ? null : String.join(" + ", names);
                routes.put(operation.getKey().toUpperCase() + " " + path.getKey(), operator ? OPERATOR : scopes);
            }
        }));
        return routes;
    }

    /** The scopes a route needs as the contract's x-required-scope writes them: "write", "read + write". */
    private static String scopes(ApiRoute route) {
        return route.isOperatorRoute() ? OPERATOR : String.join(" + ", Scope.wireNames(Scope.neededFor(route)));
    }

    private static Class<?> load(java.nio.file.Path classFile) {
        String name = CLASSES.relativize(classFile).toString().replace('/', '.').replaceAll("\\.class$", "");
        try {
            return Class.forName(name, false, ServerRoutesInContractTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
