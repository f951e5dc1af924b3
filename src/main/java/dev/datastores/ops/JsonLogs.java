package dev.datastores.ops;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.logging.Handler;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;

/**
 * Switches every log handler (console, and the file when one is configured) to {@link JsonLogFormatter} at start
 * when {@code datastores.log.json} is on. The few lines logged before (Flyway's migrations) stay text.
 */
@Singleton
class JsonLogs {

    void onStart(@Observes @Priority(1) StartupEvent start, LogConfig config) {
        if (config.json()) {
            JsonLogFormatter json = new JsonLogFormatter();
            for (Handler handler : LogContext.getLogContext().getLogger("").getHandlers()) {
                useFormatter(handler, json);
            }
        }
    }

    /** Handlers that only pass records on (Quarkus' delayed and async handlers) keep no formatter of their own. */
    private static void useFormatter(Handler handler, JsonLogFormatter json) {
        Handler[] children = handler instanceof ExtHandler parent ? parent.getHandlers() : new Handler[0];
        if (children.length == 0) {
            handler.setFormatter(json);
            return;
        }
        for (Handler child : children) {
            useFormatter(child, json);
        }
    }
}
