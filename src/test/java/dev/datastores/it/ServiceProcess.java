package dev.datastores.it;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The packaged service, or a Redis server, run as a real process on a loopback port for integration tests. */
public final class ServiceProcess implements AutoCloseable {

    public static final String ADMIN_TOKEN = "it-admin-token";

    private final Process process;
    private final String name;
    private final Path log;

    private ServiceProcess(Process process, String name, Path log) {
        this.process = process;
        this.name = name;
        this.log = log;
    }

    /** Starts the packaged service on {@code port} against the test database and the given Redis. */
    public static ServiceProcess service(int port, String redisUrl) throws IOException {
        return service(port, Map.of("QUARKUS_REDIS_HOSTS", redisUrl));
    }

    /**
     * Starts the packaged service on {@code port} against the test database, with {@code redis} settings as
     * environment variables. The database is {@code test} unless the system property
     * {@code datastores.it.database} names another (the pom passes {@code -Dit.database=...} on).
     */
    public static ServiceProcess service(int port, Map<String, String> redis) throws IOException {
        String jar = System.getProperty("datastores.jar", "target/quarkus-app/quarkus-run.jar");
        String database = System.getProperty("datastores.it.database", "test");
        Path log = Files.createTempFile("datastores-" + port, ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of("java", "-Xmx256m", "-jar", jar))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "QUARKUS_HTTP_PORT", Integer.toString(port),
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:5432/" + database,
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/" + database,
                "DATASTORES_ADMIN_TOKEN", ADMIN_TOKEN));
        builder.environment().putAll(redis);
        ServiceProcess service = new ServiceProcess(builder.start(), "service:" + port, log);
        service.awaitHttp("http://127.0.0.1:" + port + "/q/health/live", Duration.ofSeconds(60));
        return service;
    }

    /** Starts a Redis server that keeps nothing on disk. */
    public static ServiceProcess redis(int port) throws IOException {
        Path log = Files.createTempFile("redis-" + port, ".log");
        Process process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess redis = new ServiceProcess(process, "redis:" + port, log);
        redis.awaitRedis(port);
        return redis;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitHttp(String url, Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited:\n" + Files.readString(log));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " did not start:\n" + Files.readString(log));
    }

    private void awaitRedis(int port) throws IOException {
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException(name + " did not start:\n" + Files.readString(log));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
