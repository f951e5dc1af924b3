package dev.datastores.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.it.ServiceProcess.Database;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import io.restassured.response.Response;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged service under a write load of 20 clients while its Redis is stopped and restarted, then its
 * PostgreSQL is restarted (fast shutdown, a few seconds down). No acknowledged write may be lost; while
 * PostgreSQL is away every answer is 503 unavailable with Retry-After, promptly; the service recovers without
 * a restart, and its quota counters end equal to the database. The test owns all three processes, on ports of
 * its own, and prints its figures on one line (docs/operations.md records them).
 */
class FaultToleranceIT {

    private static final int SERVICE_PORT = 18095;
    private static final int REDIS_PORT = 16393;
    private static final int POSTGRES_PORT = 15433;
    private static final String BASE = "http://127.0.0.1:" + SERVICE_PORT;
    private static final String UNAVAILABLE = "https://datastores.dev/problems/unavailable";

    private static final int CLIENTS = 20;
    private static final int KEYS_PER_CLIENT = 25;
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final Duration POSTGRES_DOWN = Duration.ofSeconds(4);
    /** A request slower than this counts as a hang; the client gives up a little later. */
    private static final Duration SLOWEST_ALLOWED = Duration.ofSeconds(10);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);
    /** A request sent just before PostgreSQL was back may still fail on the connection it was given. */
    private static final Duration RECONNECT_GRACE = Duration.ofSeconds(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalPostgres postgres;
    private static ServiceProcess redis;
    private static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        postgres = LocalPostgres.start(POSTGRES_PORT);
        redis = ServiceProcess.redis(REDIS_PORT);
        service = ServiceProcess.service(SERVICE_PORT, "redis://127.0.0.1:" + REDIS_PORT, Database.local(POSTGRES_PORT, "postgres"),
                Map.of("DATASTORES_QUOTA_RECONCILE_EVERY", "5s"));
    }

    @AfterAll
    static void stop() {
        try {
            if (service != null) {
                service.close();
            }
        } finally {
            try {
                if (redis != null) {
                    redis.close();
                }
            } finally {
                if (postgres != null) {
                    postgres.close();
                }
            }
        }
    }

    @Test
    void acknowledgedWritesSurviveRedisAndPostgresqlRestartsUnderLoad() throws Exception {
        Workspace ws = Workspace.create();
        Load load = new Load(ws);
        Readiness readiness = new Readiness();
        Instant began = Instant.now();

        load.start();
        readiness.start();
        ServiceProcess.sleep(2_000);
        Instant redisStopped = Instant.now();
        redis.close();
        ServiceProcess.sleep(1_500);
        Response readyWithoutRedis = given().baseUri(BASE).get("/q/health/ready");
        String metricsWithoutRedis = given().baseUri(BASE).accept("text/plain").get("/q/metrics").asString();
        ServiceProcess.sleep(1_500);
        redis = ServiceProcess.redis(REDIS_PORT);
        Instant redisBack = Instant.now();
        ServiceProcess.sleep(3_000);
        Instant postgresStopped = Instant.now();
        postgres.stop();
        ServiceProcess.sleep(POSTGRES_DOWN.toMillis());
        postgres.start();
        Instant postgresBack = Instant.now();
        Instant end = max(began.plus(LOAD), postgresBack.plusSeconds(5));
        ServiceProcess.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis()));
        load.stop();
        readiness.stop();

        Figures figures = new Figures(load, readiness, postgresStopped, postgresBack, ws.readBack(load.writtenKeys()));
        System.out.println(figures.line());

        assertThat(load.unexpected()).as("answers other than 2xx or 503 unavailable with Retry-After; service log:\n%s",
                load.unexpected().isEmpty() ? "" : service.output()).isEmpty();
        assertThat(figures.slowest()).as("no request hangs").isLessThan(SLOWEST_ALLOWED);
        assertThat(load.acknowledgedBetween(redisStopped, redisBack)).as("writes acknowledged while Redis was away").isPositive();
        assertThat(readiness.upThroughout(redisStopped, redisBack)).as("ready all the while Redis was away").isTrue();
        assertThat(readyWithoutRedis.statusCode()).isEqualTo(200);
        assertThat(readyWithoutRedis.jsonPath().getString("checks.find { it.name.contains('Redis') }.data.redis")).isEqualTo("degraded");
        assertThat(metricsWithoutRedis).containsPattern("(?m)^datastores_redis_degraded(\\{[^}]*})? 1\\.0$");
        assertThat(figures.unavailable()).as("the PostgreSQL outage was seen by the clients").isPositive();
        assertThat(load.unavailableOutside(postgresStopped, postgresBack.plus(RECONNECT_GRACE)))
                .as("503 only while PostgreSQL was away, not while Redis was").isEmpty();
        assertThat(readiness.downBetween(postgresStopped, postgresBack)).as("readiness reported DOWN during the outage").isTrue();
        assertThat(figures.lost()).as("acknowledged writes not read back with their value: %s", figures.lostKeys()).isZero();
        assertThat(figures.recovery()).as("writes are acknowledged again after PostgreSQL returned").isPresent();
        awaitReady();
        assertCountersMatchTheDatabase(ws);
    }

    private static void assertCountersMatchTheDatabase(Workspace ws) throws Exception {
        Usage truth = truth(ws.id());
        Usage reported = null;
        Usage counted = null;
        Instant deadline = Instant.now().plusSeconds(40);
        while (Instant.now().isBefore(deadline)) {
            reported = ws.usage();
            counted = redisCounters(ws.id());
            if (truth.equals(reported) && truth.equals(counted)) {
                break;
            }
            ServiceProcess.sleep(200);
        }
        assertThat(reported).as("usage reported by GET /v1/workspaces/{ws}").isEqualTo(truth);
        assertThat(counted).as("the workspace's counters in Redis").isEqualTo(truth);
    }

    private static Usage truth(String workspaceId) throws Exception {
        try (Connection connection = postgres.connect("postgres");
                PreparedStatement query = connection.prepareStatement("SELECT count(r.key), coalesce(sum(r.stored_bytes), 0) "
                        + "FROM stores s JOIN records r ON r.store_id = s.id WHERE s.workspace_id = ?")) {
            query.setString(1, workspaceId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new Usage(row.getLong(1), row.getLong(2));
            }
        }
    }

    private static Usage redisCounters(String workspaceId) throws IOException, InterruptedException {
        Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(REDIS_PORT), "HMGET", "dsq:{" + workspaceId + "}",
                "keys", "bytes").redirectErrorStream(true).start();
        List<String> lines = new String(cli.getInputStream().readAllBytes()).lines().toList();
        cli.waitFor(10, TimeUnit.SECONDS);
        try {
            return new Usage(Long.parseLong(lines.get(0).trim()), Long.parseLong(lines.get(1).trim()));
        } catch (RuntimeException notCounted) {
            return null;
        }
    }

    private static void awaitReady() {
        Instant deadline = Instant.now().plusSeconds(30);
        int status = 0;
        while (Instant.now().isBefore(deadline) && status != 200) {
            status = given().baseUri(BASE).get("/q/health/ready").statusCode();
            ServiceProcess.sleep(250);
        }
        assertThat(status).as("ready again after the outage, without a restart").isEqualTo(200);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** What the workspace occupies: keys and stored bytes. */
    private record Usage(long keys, long storageBytes) {
    }

    /** One request of the load: when it was sent and answered, and how. */
    private record Outcome(String key, long seq, Instant sent, Instant answered, int status, boolean wellFormedUnavailable,
            String failure) {

        boolean acknowledged() {
            return status >= 200 && status < 300;
        }

        boolean unavailable() {
            return status == 503;
        }

        boolean expected() {
            return acknowledged() || unavailable() && wellFormedUnavailable;
        }
    }

    /**
     * Twenty clients, each writing its own keys one request at a time, values numbered by a per-client
     * sequence: the last acknowledged value of a key is unambiguous.
     */
    private static final class Load {

        private final Workspace ws;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Collection<Outcome> outcomes = new ConcurrentLinkedQueue<>();

        Load(Workspace ws) {
            this.ws = ws;
        }

        void start() {
            IntStream.range(0, CLIENTS).forEach(client -> clients.submit(() -> write(client)));
        }

        void stop() throws InterruptedException {
            running.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(CLIENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)).as("the clients finished").isTrue();
        }

        private void write(int client) {
            for (long seq = 1; running.get(); seq++) {
                String key = "c" + client + "-k" + seq % KEYS_PER_CLIENT;
                HttpRequest request = HttpRequest.newBuilder(URI.create(ws.recordUrl(key))).timeout(CLIENT_TIMEOUT)
                        .header("Authorization", "Bearer " + ws.token()).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(value(client, seq))).build();
                Instant sent = Instant.now();
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    outcomes.add(new Outcome(key, seq, sent, Instant.now(), response.statusCode(), isUnavailableProblem(response), null));
                } catch (IOException e) {
                    outcomes.add(new Outcome(key, seq, sent, Instant.now(), 0, false, e.toString()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        static String value(int client, long seq) {
            return "{\"client\":" + client + ",\"seq\":" + seq + ",\"note\":\"" + "x".repeat(100) + "\"}";
        }

        private static boolean isUnavailableProblem(HttpResponse<String> response) {
            if (response.statusCode() != 503 || response.headers().firstValue("Retry-After").isEmpty()
                    || !response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                return false;
            }
            try {
                return UNAVAILABLE.equals(JSON.readTree(response.body()).path("type").asText());
            } catch (IOException e) {
                return false;
            }
        }

        List<Outcome> outcomes() {
            return List.copyOf(outcomes);
        }

        List<Outcome> unexpected() {
            return outcomes().stream().filter(outcome -> !outcome.expected()).limit(20).toList();
        }

        long acknowledgedBetween(Instant from, Instant to) {
            return outcomes().stream().filter(Outcome::acknowledged)
                    .filter(outcome -> outcome.sent().isAfter(from) && outcome.answered().isBefore(to)).count();
        }

        List<Outcome> unavailableOutside(Instant from, Instant to) {
            return outcomes().stream().filter(Outcome::unavailable)
                    .filter(outcome -> outcome.answered().isBefore(from) || outcome.sent().isAfter(to)).limit(20).toList();
        }

        Set<String> writtenKeys() {
            Set<String> keys = ConcurrentHashMap.newKeySet();
            outcomes.forEach(outcome -> keys.add(outcome.key()));
            return keys;
        }
    }

    /** Polls /q/health/ready four times a second. */
    private static final class Readiness {

        private final Collection<Map.Entry<Instant, Integer>> samples = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread poller = new Thread(this::poll, "readiness-poller");

        void start() {
            poller.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            poller.join();
        }

        private void poll() {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create(BASE + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
            while (running.get()) {
                try {
                    samples.add(Map.entry(Instant.now(), http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
                } catch (IOException e) {
                    samples.add(Map.entry(Instant.now(), 0));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                ServiceProcess.sleep(250);
            }
        }

        boolean downBetween(Instant from, Instant to) {
            return samples.stream().anyMatch(sample -> sample.getValue() == 503 && !sample.getKey().isBefore(from)
                    && !sample.getKey().isAfter(to));
        }

        boolean upThroughout(Instant from, Instant to) {
            List<Integer> during = samples.stream().filter(sample -> !sample.getKey().isBefore(from) && !sample.getKey().isAfter(to))
                    .map(Map.Entry::getValue).toList();
            return !during.isEmpty() && during.stream().allMatch(status -> status == 200);
        }

        Optional<Instant> firstUpAfter(Instant moment) {
            return samples.stream().filter(sample -> sample.getValue() == 200 && sample.getKey().isAfter(moment))
                    .map(Map.Entry::getKey).min(Instant::compareTo);
        }
    }

    /** What the run measured, and what reading every written key back found. */
    private static final class Figures {

        private final List<Outcome> outcomes;
        private final Readiness readiness;
        private final Instant postgresStopped;
        private final Instant postgresBack;
        private final List<String> lostKeys = new ArrayList<>();
        private int inDoubt;

        Figures(Load load, Readiness readiness, Instant postgresStopped, Instant postgresBack, Map<String, JsonNode> stored) {
            this.outcomes = load.outcomes();
            this.readiness = readiness;
            this.postgresStopped = postgresStopped;
            this.postgresBack = postgresBack;
            compare(stored);
        }

        /**
         * A key must hold its last acknowledged value. It may hold a later one whose answer was a 503: that write
         * reached PostgreSQL, but its connection was lost before the answer (in doubt, not lost).
         */
        private void compare(Map<String, JsonNode> stored) {
            Map<String, Long> lastAcknowledged = new ConcurrentHashMap<>();
            Map<String, Set<Long>> attempted = new ConcurrentHashMap<>();
            for (Outcome outcome : outcomes) {
                attempted.computeIfAbsent(outcome.key(), key -> ConcurrentHashMap.newKeySet()).add(outcome.seq());
                if (outcome.acknowledged()) {
                    lastAcknowledged.merge(outcome.key(), outcome.seq(), Math::max);
                }
            }
            lastAcknowledged.forEach((key, seq) -> {
                JsonNode value = stored.get(key);
                long storedSeq = value == null ? -1 : value.path("seq").asLong(-1);
                boolean exact = value != null && value.toString().equals(Load.value(value.path("client").asInt(), storedSeq));
                if (exact && storedSeq == seq) {
                    return;
                }
                if (exact && storedSeq > seq && attempted.get(key).contains(storedSeq)) {
                    inDoubt++;
                    return;
                }
                lostKeys.add(key + " (acknowledged seq " + seq + ", stored " + value + ")");
            });
        }

        long acknowledged() {
            return outcomes.stream().filter(Outcome::acknowledged).count();
        }

        long unavailable() {
            return outcomes.stream().filter(Outcome::unavailable).count();
        }

        int lost() {
            return lostKeys.size();
        }

        List<String> lostKeys() {
            return lostKeys;
        }

        Duration slowest() {
            return outcomes.stream().map(outcome -> Duration.between(outcome.sent(), outcome.answered()))
                    .max(Duration::compareTo).orElse(Duration.ZERO);
        }

        /** From PostgreSQL accepting connections again to the first write sent after that being acknowledged. */
        Optional<Duration> recovery() {
            return outcomes.stream().filter(Outcome::acknowledged).filter(outcome -> outcome.sent().isAfter(postgresBack))
                    .map(Outcome::answered).min(Instant::compareTo).map(first -> Duration.between(postgresBack, first));
        }

        String line() {
            Duration unavailableWindow = outcomes.stream().filter(Outcome::unavailable).map(Outcome::sent).min(Instant::compareTo)
                    .flatMap(first -> outcomes.stream().filter(Outcome::unavailable).map(Outcome::answered).max(Instant::compareTo)
                            .map(last -> Duration.between(first, last)))
                    .orElse(Duration.ZERO);
            return String.format("FAULT TEST: clients=%d writes=%d acknowledged=%d lost=%d in-doubt=%d 503s=%d other-errors=%d "
                            + "postgres-down=%.1fs 503-window=%.1fs recovery=%s readiness-recovery=%s slowest=%.2fs",
                    CLIENTS, outcomes.size(), acknowledged(), lost(), inDoubt, unavailable(),
                    outcomes.stream().filter(outcome -> !outcome.expected()).count(),
                    seconds(Duration.between(postgresStopped, postgresBack)), seconds(unavailableWindow),
                    recovery().map(d -> String.format("%.2fs", seconds(d))).orElse("none"),
                    readiness.firstUpAfter(postgresBack).map(up -> String.format("%.2fs", seconds(Duration.between(postgresBack, up))))
                            .orElse("none"),
                    seconds(slowest()));
        }

        private static double seconds(Duration duration) {
            return duration.toMillis() / 1000.0;
        }
    }

    /** A workspace made through the operator API, with one store and an all-scopes key. */
    private record Workspace(String id, String token, String store) {

        static Workspace create() {
            String plan = "fault-" + Long.toHexString(System.nanoTime());
            operator().body(Map.of("maxStores", 5, "maxKeys", 100_000, "maxStorageBytes", 1_000_000_000L,
                    "maxValueBytes", 65536, "requestsPerSecond", 100_000)).put("/v1/admin/plans/{plan}", plan).then().statusCode(201);
            String id = operator().body(Map.of("name", "fault", "plan", plan)).post("/v1/admin/workspaces").then().statusCode(201)
                    .extract().path("id");
            String token = operator().body(Map.of("name", "load", "scopes", List.of("read", "write", "manage")))
                    .post("/v1/admin/workspaces/{ws}/api-keys", id).then().statusCode(201).extract().path("token");
            String store = given().baseUri(BASE).auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "load"))
                    .post("/v1/workspaces/{ws}/stores", id).then().statusCode(201).extract().path("id");
            return new Workspace(id, token, store);
        }

        String recordUrl(String key) {
            return BASE + "/v1/workspaces/" + id + "/stores/" + store + "/records/" + key;
        }

        Map<String, JsonNode> readBack(Set<String> keys) {
            JsonNode answer = given().baseUri(BASE).auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("keys", keys))
                    .post("/v1/workspaces/{ws}/stores/{ds}/batch-get", id, store).then().statusCode(200).extract().as(JsonNode.class);
            Map<String, JsonNode> values = new ConcurrentHashMap<>();
            answer.path("records").forEach(record -> values.put(record.path("key").asText(), record.path("value")));
            return values;
        }

        Usage usage() {
            JsonNode workspace = given().baseUri(BASE).auth().oauth2(token).get("/v1/workspaces/{ws}", id).then().statusCode(200)
                    .extract().as(JsonNode.class);
            return new Usage(workspace.path("usage").path("keys").asLong(), workspace.path("usage").path("storageBytes").asLong());
        }

        private static RequestSpecification operator() {
            return given().baseUri(BASE).auth().oauth2(ServiceProcess.ADMIN_TOKEN).contentType(ContentType.JSON);
        }
    }
}
