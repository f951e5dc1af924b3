package dev.datastores.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.it.ServiceProcess.Database;
import dev.datastores.support.EventStream;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with requests in flight, as Kubernetes stops a pod: readiness turns DOWN first while the service
 * still answers, the requests in flight (imports whose bodies arrive slowly) finish with 2xx and their records
 * are committed, open change streams end at once (their clients resume on another replica), and the process exits
 * within its shutdown delay and timeout (application.properties).
 */
class GracefulShutdownIT {

    private static final int SERVICE_PORT = 18096;
    private static final int REDIS_PORT = 16394;
    private static final String BASE = "http://127.0.0.1:" + SERVICE_PORT;
    private static final int IMPORTS = 3;
    private static final int LINES = 12;
    /** Twelve lines 800 ms apart: each import is still being sent well after the 5 s shutdown delay. */
    private static final long LINE_EVERY_MILLIS = 800;
    /** quarkus.shutdown.delay + quarkus.shutdown.timeout, and a margin for a slow machine. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(5 + 20 + 10);

    private static ServiceProcess redis;
    private static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        redis = ServiceProcess.redis(REDIS_PORT);
        service = ServiceProcess.service(SERVICE_PORT, "redis://127.0.0.1:" + REDIS_PORT, Database.ofTestProfile(), Map.of());
    }

    @AfterAll
    static void stop() {
        try {
            if (service != null) {
                service.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void inFlightRequestsCompleteAfterReadinessWentDownAndTheProcessExitsInTime() throws Exception {
        Workspace ws = Workspace.create();
        assertThat(readiness()).isEqualTo(200);
        List<CompletableFuture<String>> imports = new ArrayList<>();
        for (int i = 0; i < IMPORTS; i++) {
            int number = i;
            imports.add(CompletableFuture.supplyAsync(() -> ws.slowImport("import-" + number)));
        }
        EventStream watcher = EventStream.open(BASE + "/v1/workspaces/" + ws.id() + "/stores/" + ws.store() + "/changes",
                ws.token(), null);
        ServiceProcess.sleep(2 * LINE_EVERY_MILLIS);

        Instant terminated = Instant.now();
        service.terminate();
        Instant watchEnded = awaitEnd(watcher, Duration.ofSeconds(5));
        int readinessAfterSigterm = awaitReadinessDown(Duration.ofSeconds(3));
        int readDuringDelay = ws.request().get("/v1/workspaces/{ws}", ws.id()).statusCode();
        List<String> answers = new ArrayList<>();
        for (CompletableFuture<String> running : imports) {
            answers.add(running.get(60, TimeUnit.SECONDS));
        }
        Instant importsDone = Instant.now();
        Integer exitCode = service.awaitExit(EXIT_WITHIN);

        assertThat(readinessAfterSigterm).as("readiness right after SIGTERM").isEqualTo(503);
        assertThat(watchEnded).as("an open change stream ends when the shutdown starts, so its client resumes elsewhere")
                .isNotNull();
        assertThat(Duration.between(terminated, watchEnded)).isLessThan(Duration.ofSeconds(5));
        assertThat(readDuringDelay).as("requests are still served during the shutdown delay").isEqualTo(200);
        assertThat(Duration.between(terminated, importsDone)).as("the imports outlived the shutdown delay")
                .isGreaterThan(Duration.ofSeconds(5));
        assertThat(answers).as("in-flight imports").allSatisfy(answer -> assertThat(answer)
                .startsWith("HTTP/1.1 200").contains("{\"imported\":" + LINES + ",\"skippedExpired\":0}"));
        assertThat(exitCode).as("the process exited within %s; its output:\n%s", EXIT_WITHIN, service.output()).isNotNull();
        assertThat(ws.committedRecords()).as("records committed in PostgreSQL").isEqualTo(IMPORTS * LINES);
    }

    private static Instant awaitEnd(EventStream watcher, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (!watcher.ended() && Instant.now().isBefore(deadline)) {
            ServiceProcess.sleep(20);
        }
        return watcher.ended() ? Instant.now() : null;
    }

    private static int readiness() {
        try {
            return given().baseUri(BASE).get("/q/health/ready").statusCode();
        } catch (RuntimeException refused) {
            return 0;
        }
    }

    private static int awaitReadinessDown(Duration within) {
        Instant deadline = Instant.now().plus(within);
        int status = readiness();
        while (status == 200 && Instant.now().isBefore(deadline)) {
            ServiceProcess.sleep(100);
            status = readiness();
        }
        return status;
    }

    /** A workspace with one store and an all-scopes key, made through the operator API. */
    private record Workspace(String id, String token, String store) {

        static Workspace create() {
            String id = operator().body(Map.of("name", "shutdown", "plan", "business")).post("/v1/admin/workspaces").then()
                    .statusCode(201).extract().path("id");
            String token = operator().body(Map.of("name", "it", "scopes", List.of("read", "write", "manage")))
                    .post("/v1/admin/workspaces/{ws}/api-keys", id).then().statusCode(201).extract().path("token");
            String store = given().baseUri(BASE).auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "s"))
                    .post("/v1/workspaces/{ws}/stores", id).then().statusCode(201).extract().path("id");
            return new Workspace(id, token, store);
        }

        RequestSpecification request() {
            return given().baseUri(BASE).auth().oauth2(token);
        }

        /** An import whose lines are written one at a time, slowly; returns the raw answer. */
        String slowImport(String prefix) {
            List<byte[]> lines = IntStream.range(0, LINES)
                    .mapToObj(i -> ("{\"key\":\"" + prefix + "-" + i + "\",\"value\":" + i + "}\n").getBytes(StandardCharsets.UTF_8))
                    .toList();
            int length = lines.stream().mapToInt(line -> line.length).sum();
            String head = "POST /v1/workspaces/" + id + "/stores/" + store + "/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + token + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + length
                    + "\r\nConnection: close\r\n\r\n";
            try (Socket socket = new Socket("127.0.0.1", SERVICE_PORT)) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.UTF_8));
                for (byte[] line : lines) {
                    out.write(line);
                    out.flush();
                    ServiceProcess.sleep(LINE_EVERY_MILLIS);
                }
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                in.transferTo(answer);
                return answer.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "no answer: " + e;
            }
        }

        long committedRecords() throws Exception {
            Database database = Database.ofTestProfile();
            try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), "postgres", "");
                    PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM records WHERE store_id = ?")) {
                count.setString(1, store);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        }

        private static RequestSpecification operator() {
            return given().baseUri(BASE).auth().oauth2(ServiceProcess.ADMIN_TOKEN).contentType(ContentType.JSON);
        }
    }
}
