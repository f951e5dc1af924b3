package dev.datastores.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.datastores.auth.RequiresScope;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every /v1 route the server implements is in the contract, with the scope its {@link RequiresScope}
 * demands (operator routes: the operator token). A route added without its contract fails here.
 */
class ServerRoutesInContractTest {

    private static final java.nio.file.Path CLASSES = java.nio.file.Path.of("target/classes");
    private static final String OPERATOR = "operator token";

    @Test
    void everyServerRouteIsInTheContractWithItsScope() throws IOException {
        assertThat(contractRoutes()).containsAllEntriesOf(serverRoutes());
    }

    /** "METHOD /path" → scope, for every resource method of the compiled service. */
    private static Map<String, String> serverRoutes() throws IOException {
        Map<String, String> routes = new TreeMap<>();
        try (Stream<java.nio.file.Path> files = Files.walk(CLASSES.resolve("dev/datastores"))) {
            files.filter(file -> file.toString().endsWith(".class")).map(ServerRoutesInContractTest::load)
                    .filter(type -> type.isAnnotationPresent(Path.class))
                    .forEach(resource -> {
                        for (Method method : resource.getDeclaredMethods()) {
                            String verb = httpMethod(method);
                            if (verb != null) {
                                String path = template(resource.getAnnotation(Path.class).value(), method.getAnnotation(Path.class));
                                RequiresScope scope = method.getAnnotation(RequiresScope.class);
                                routes.put(verb + " " + path, scope == null ? OPERATOR : scope.value().wireName());
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
                routes.put(operation.getKey().toUpperCase() + " " + path.getKey(), operator ? OPERATOR : scope.asText(null));
            }
        }));
        return routes;
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /** The resource's path as the contract writes it: {@code {key: .+}} becomes {@code {key}}. */
    private static String template(String resourcePath, Path methodPath) {
        String path = methodPath == null ? resourcePath : resourcePath + "/" + methodPath.value();
        return path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/").replaceAll("(.)/$", "$1");
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
