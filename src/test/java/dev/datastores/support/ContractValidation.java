package dev.datastores.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeClassCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/**
 * Installs {@link ContractValidationFilter} as a global REST Assured filter before every {@code @QuarkusTest}
 * class and test method (registered in META-INF/services), so every response any test gets is checked against
 * openapi/datastores.yaml without a line in the tests themselves.
 */
public final class ContractValidation implements QuarkusTestBeforeClassCallback, QuarkusTestBeforeEachCallback {

    private static ContractValidationFilter filter;

    @Override
    public void beforeClass(Class<?> testClass) {
        install();
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    private static synchronized void install() {
        if (filter == null) {
            filter = new ContractValidationFilter();
        }
        if (RestAssured.filters().stream().noneMatch(installed -> installed instanceof ContractValidationFilter)) {
            RestAssured.filters(filter);
        }
    }
}
