package dev.datastores.it;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two instances of the packaged service sharing the test database and a Redis of their own, for the cross-replica
 * ITs: registered as a static extension, it starts them before the class's tests and stops them after.
 */
final class TwoInstances implements BeforeAllCallback, AfterAllCallback {

    private final int redisPort;
    private final int firstPort;
    private final int secondPort;
    private final List<String> bases;
    private ServiceProcess redis;
    private ServiceProcess first;
    private ServiceProcess second;

    TwoInstances(int redisPort, int firstPort, int secondPort) {
        this.redisPort = redisPort;
        this.firstPort = firstPort;
        this.secondPort = secondPort;
        this.bases = List.of("http://127.0.0.1:" + firstPort, "http://127.0.0.1:" + secondPort);
    }

    /** The instances' base URLs, first then second. */
    List<String> bases() {
        return bases;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        String redisUrl = "redis://127.0.0.1:" + redisPort;
        redis = ServiceProcess.redis(redisPort);
        first = ServiceProcess.service(firstPort, redisUrl);
        second = ServiceProcess.service(secondPort, redisUrl);
    }

    /** Stops their Redis, as an outage does; {@link #restartRedis()} brings an empty one back on its port. */
    void stopRedis() {
        redis.close();
    }

    void restartRedis() throws IOException {
        redis = ServiceProcess.redis(redisPort);
    }

    /** Stops whatever started, also after a failed start. */
    @Override
    public void afterAll(ExtensionContext context) {
        for (ServiceProcess process : new ServiceProcess[] {first, second, redis}) {
            if (process != null) {
                process.close();
            }
        }
    }
}
