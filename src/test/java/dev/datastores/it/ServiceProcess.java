package dev.datastores.it;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    /** The PostgreSQL database a service process uses, as the reactive client and Flyway (JDBC) address it. */
    public record Database(String reactiveUrl, String jdbcUrl) {

        /**
         * The database the in-process tests use: application.properties' {@code %test} URLs, or what the
         * environment puts in their place ({@code _TEST_QUARKUS_DATASOURCE_REACTIVE_URL}, ...), as for
         * {@code @QuarkusTest}.
         */
        public static Database ofTestProfile() {
            try {
                SmallRyeConfig config = new SmallRyeConfigBuilder().withProfile("test").addDefaultSources()
                        .withSources(new PropertiesConfigSource(ServiceProcess.class.getResource("/application.properties"), 250))
                        .build();
                return new Database(config.getValue("quarkus.datasource.reactive.url", String.class),
                        config.getValue("quarkus.datasource.jdbc.url", String.class));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The database {@code name} of a PostgreSQL server on a loopback port. */
        public static Database local(int port, String name) {
            return new Database("postgresql://127.0.0.1:" + port + "/" + name, "jdbc:postgresql://127.0.0.1:" + port + "/" + name);
        }
    }

    /** Starts the packaged service on {@code port} against the test profile's database and the given Redis. */
    public static ServiceProcess service(int port, String redisUrl) throws IOException {
        return service(port, redisUrl, Database.ofTestProfile(), Map.of());
    }

    /**
     * Starts the packaged service on {@code port} against {@code database} and the given Redis, with further
     * {@code settings} as environment variables, and waits until it is live.
     */
    public static ServiceProcess service(int port, String redisUrl, Database database, Map<String, String> settings)
            throws IOException {
        String jar = System.getProperty("datastores.jar", "target/quarkus-app/quarkus-run.jar");
        Path log = Files.createTempFile("datastores-" + port, ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of("java", "-Xmx256m", "-jar", jar))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = new HashMap<>(Map.of(
                "QUARKUS_HTTP_PORT", Integer.toString(port),
                "QUARKUS_REDIS_HOSTS", redisUrl,
                "QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl(),
                "QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl(),
                "DATASTORES_ADMIN_TOKEN", ADMIN_TOKEN));
        environment.putAll(settings);
        builder.environment().putAll(environment);
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

    /** Sends SIGTERM, as Kubernetes does to stop a pod, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Waits up to {@code timeout} for the process to end; its exit code, or null if it still runs. */
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** What the process has printed so far, for failure messages. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
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
