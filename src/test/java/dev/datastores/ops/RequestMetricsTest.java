package dev.datastores.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.http.ApiRoute;
import dev.datastores.support.EventStream;
import dev.datastores.support.PrometheusText;
import dev.datastores.support.RawHttp;
import dev.datastores.support.Receiver;
import dev.datastores.support.Tenant;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Request metrics hold against any request a client can send: every label of {@code http_server_requests_seconds}
 * is from a fixed set (a path of the route table, NOT_FOUND, UNMATCHED; HTTP's methods or OTHER), nothing a client
 * wrote reaches {@code /q/metrics}, and every answer is counted once whichever layer gave it.
 */
@QuarkusTest
class RequestMetricsTest {

    private static final String REQUESTS = "http_server_requests_seconds_count";
    private static final String OPERATIONS = "datastores_operations_total";
    /** Written into every generated request, so any of it in /q/metrics is a leak. */
    private static final String MARK = "zqleak";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
            "CONNECT", "OTHER");

    @TestHTTPResource("/")
    URL server;

    @Test
    void everyLabelIsFromTheRouteTableWhateverTheRequest() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("probed");
        RawHttp http = new RawHttp(server);
        Random random = new Random(20);
        List<String> sent = new ArrayList<>();

        for (int i = 0; i < 400; i++) {
            String method = method(random, i);
            String target = target(random, tenant, store, i);
            sent.add(method + " " + target);
            http.send(method, target, null, random.nextBoolean() ? "Authorization: Bearer " + tenant.token() : "X-Probe: " + i);
        }
        tenant.request().get(tenant.records(store)).then().statusCode(200);

        PrometheusText scrape = PrometheusText.scrape();
        Set<String> allowed = Arrays.stream(ApiRoute.values()).map(ApiRoute::template).collect(Collectors.toCollection(TreeSet::new));
        allowed.addAll(List.of("NOT_FOUND", "UNMATCHED", "STATIC"));
        assertThat(scrape.labelValues(REQUESTS, "uri")).as("uri labels after %s", sent).isSubsetOf(allowed);
        assertThat(scrape.labelValues(REQUESTS, "method")).isSubsetOf(METHODS);
        assertThat(scrape.text().toLowerCase(Locale.ROOT)).as("the scrape holds nothing a client wrote").doesNotContain(MARK);
        // a flood of odd paths does not crowd out a route's own series
        assertThat(scrape.value(REQUESTS, "uri", "/v1/workspaces/{ws}/stores/{ds}/records", "method", "GET", "status", "200"))
                .isPositive();
    }

    @Test
    void everyAnswerIsCountedOnceWhicheverLayerGaveIt() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("counted-once");
        String records = tenant.records(store);
        tenant.request().body("{\"a\":1}").put(records + "/k").then().statusCode(201);
        PrometheusText before = PrometheusText.scrape();

        // a streamed answer
        tenant.request().get(tenant.stores() + "/" + store + "/export").then().statusCode(200);
        // refused by the body limit before any resource saw it
        new RawHttp(server).send("PUT", records + "/big", null, "Authorization: Bearer " + tenant.token(),
                "Content-Type: application/json", "Content-Length: " + (64L << 20));
        // refused by the router: no operation of the API, but a request
        tenant.request().patch(records + "/k").then().statusCode(405);
        // a watch that the server ends when its store goes
        try (EventStream watch = EventStream.open(server + tenant.stores().substring(1) + "/" + store + "/changes",
                tenant.token(), null)) {
            tenant.request().delete(tenant.stores() + "/" + store).then().statusCode(204);
            awaitTrue(() -> operations(PrometheusText.scrape(), "changes.watch", "ok") > operations(before, "changes.watch", "ok"));
        }

        PrometheusText after = PrometheusText.scrape();
        assertThat(operations(after, "transfer.export", "ok") - operations(before, "transfer.export", "ok")).isEqualTo(1);
        assertThat(operations(after, "record.put", "invalid") - operations(before, "record.put", "invalid")).isEqualTo(1);
        assertThat(operations(after, "changes.watch", "ok") - operations(before, "changes.watch", "ok")).isEqualTo(1);
        assertThat(requests(after, "/v1/workspaces/{ws}/stores/{ds}/records/{key}", "PATCH", "405")
                - requests(before, "/v1/workspaces/{ws}/stores/{ds}/records/{key}", "PATCH", "405")).isEqualTo(1);
        assertThat(requests(after, "/v1/workspaces/{ws}/stores/{ds}/records/{key}", "PUT", "413")
                - requests(before, "/v1/workspaces/{ws}/stores/{ds}/records/{key}", "PUT", "413")).isEqualTo(1);
    }

    @Test
    void clientsDoingsAreClientErrorsAndAnAbandonedRequestIsNoSuccess() throws Exception {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("abandoned"));
        PrometheusText before = PrometheusText.scrape();

        assertThat(new RawHttp(server).send("GET", records + "/k", "HTTP/1.2", null).status()).isEqualTo(505);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.getOutputStream().write(("PUT " + records + "/half HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tenant.token()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[1,2").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Thread.sleep(300);
        }
        awaitTrue(() -> operations(PrometheusText.scrape(), "record.put", "aborted") > operations(before, "record.put", "aborted"));

        PrometheusText after = PrometheusText.scrape();
        String record = "/v1/workspaces/{ws}/stores/{ds}/records/{key}";
        assertThat(requests(after, "UNMATCHED", "GET", "505") - requests(before, "UNMATCHED", "GET", "505")).isEqualTo(1);
        assertThat(after.value(REQUESTS, "status", "505", "outcome", "SERVER_ERROR")).isZero();
        assertThat(requests(after, record, "PUT", "499") - requests(before, record, "PUT", "499")).isEqualTo(1);
        assertThat(operations(after, "record.put", "ok") - operations(before, "record.put", "ok")).isZero();
        tenant.request().get(records + "/half").then().statusCode(404);
    }

    @Test
    void theDashboardsFilesAreStaticNotNotFound() {
        PrometheusText before = PrometheusText.scrape();
        given().get("/index.html").then().statusCode(200);

        assertThat(requests(PrometheusText.scrape(), "STATIC", "GET", "200") - requests(before, "STATIC", "GET", "200")).isEqualTo(1);
    }

    /** A webhook's URL often holds its secret in the path (Slack's, Discord's): an export destination is such a URL. */
    @Test
    void anExportDestinationsUrlIsNoLabel() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("exported");
        tenant.request().body("1").put(tenant.records(store) + "/a").then().statusCode(201);
        try (Receiver receiver = Receiver.acceptingAll()) {
            tenant.request().body(Map.of("url", receiver.url() + "/" + MARK + "-hook-secret?sig=" + MARK))
                    .post(tenant.stores() + "/" + store + "/exports").then().statusCode(202);
            awaitTrue(() -> !receiver.chunks().isEmpty());
        }

        assertThat(PrometheusText.scrape().text().toLowerCase(Locale.ROOT)).doesNotContain(MARK);
    }

    private static String method(Random random, int i) {
        return switch (random.nextInt(4)) {
            case 0 -> List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS").get(random.nextInt(7));
            case 1 -> "GET";
            case 2 -> MARK.toUpperCase() + i;
            default -> "PUT";
        };
    }

    /** A target near the API's: a route's path with ids and keys filled in, then perhaps broken. */
    private static String target(Random random, Tenant tenant, String store, int i) {
        ApiRoute route = ApiRoute.values()[random.nextInt(ApiRoute.values().length)];
        String ws = random.nextBoolean() ? tenant.workspaceId() : "ws_" + MARK + i;
        String path = route.template().replace("{ws}", ws).replace("{ds}", random.nextBoolean() ? store : "ds_" + MARK + i)
                .replaceAll("\\{\\w+}", MARK + "-" + i);
        String broken = switch (random.nextInt(9)) {
            case 0 -> path + "/%zz" + MARK;
            case 1 -> path + "%";
            case 2 -> path.replaceFirst("/stores", "//stores");
            case 3 -> path.replaceFirst("/stores", "/./stores");
            case 4 -> path + ";" + MARK + "=1";
            case 5 -> path + "/" + MARK.repeat(1000);
            case 6 -> "/" + MARK + "/" + i + path;
            case 7 -> path + "/%C3%A9" + MARK + "%E2%82%AC";
            default -> path;
        };
        return random.nextInt(3) == 0 ? broken + "?prefix=" + MARK + "&cursor=" + i : broken;
    }

    private static double operations(PrometheusText scrape, String operation, String outcome) {
        return scrape.value(OPERATIONS, "operation", operation, "outcome", outcome);
    }

    private static double requests(PrometheusText scrape, String uri, String method, String status) {
        return scrape.value(REQUESTS, "uri", uri, "method", method, "status", status);
    }

    private static void awaitTrue(BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waited for the condition").isBefore(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
