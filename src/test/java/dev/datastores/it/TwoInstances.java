package dev.datastores.it;

import java.io.IOException;
import java.util.List;

/** Two instances of the packaged service sharing the test database and a Redis of their own, for the cross-replica ITs. */
final class TwoInstances implements AutoCloseable {

    private final int redisPort;
    private final List<String> bases;
    private final ServiceProcess first;
    private final ServiceProcess second;
    private ServiceProcess redis;

    private TwoInstances(int redisPort, List<String> bases, ServiceProcess redis, ServiceProcess first, ServiceProcess second) {
        this.redisPort = redisPort;
        this.bases = bases;
        this.redis = redis;
        this.first = first;
        this.second = second;
    }

    /** Starts Redis on {@code redisPort}, then the two instances; a failed start stops what had started. */
    static TwoInstances start(int redisPort, int firstPort, int secondPort) throws IOException {
        String redisUrl = "redis://127.0.0.1:" + redisPort;
        ServiceProcess redis = ServiceProcess.redis(redisPort);
        ServiceProcess first = null;
        try {
            first = ServiceProcess.service(firstPort, redisUrl);
            ServiceProcess second = ServiceProcess.service(secondPort, redisUrl);
            return new TwoInstances(redisPort, List.of("http://127.0.0.1:" + firstPort, "http://127.0.0.1:" + secondPort),
                    redis, first, second);
        } catch (IOException | RuntimeException failure) {
            if (first != null) {
                first.close();
            }
            redis.close();
            throw failure;
        }
    }

    /** The instances' base URLs, first then second. */
    List<String> bases() {
        return bases;
    }

    /** Stops their Redis, as an outage does; {@link #restartRedis()} brings an empty one back on its port. */
    void stopRedis() {
        redis.close();
    }

    void restartRedis() throws IOException {
        redis = ServiceProcess.redis(redisPort);
    }

    @Override
    public void close() {
        first.close();
        second.close();
        redis.close();
    }
}
