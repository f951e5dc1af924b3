package dev.datastores;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** The service's entry point. */
@QuarkusMain
public final class Datastores {

    /**
     * Quarkus' HTTP layer answers a request target that is not a URI (a '%' without two hex digits after it) with
     * an empty 400 before any of the service's code runs. With its check switched off, the service makes the same
     * check first thing (dev.datastores.http.RequestTargetFilter) and answers with a problem document. The switch is
     * read when the HTTP layer is set up, so it is set before Quarkus starts; the tests set it in the build.
     */
    static final String DISABLE_URI_VALIDATION = "vertx.disableURIValidation";

    private Datastores() {
    }

    public static void main(String... args) {
        System.setProperty(DISABLE_URI_VALIDATION, "true");
        Quarkus.run(args);
    }
}
