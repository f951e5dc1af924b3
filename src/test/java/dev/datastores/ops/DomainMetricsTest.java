package dev.datastores.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.quota.NearLimits;
import dev.datastores.quota.QuotaReconciler;
import dev.datastores.record.ExpirySweeper;
import dev.datastores.support.Plans;
import dev.datastores.support.PrometheusText;
import dev.datastores.support.Receiver;
import dev.datastores.support.Tenant;
import dev.datastores.support.TestClock;
import dev.datastores.transfer.ExportJobGauges;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The datastores_* series an operator runs on, each provoked through the API and read back from /q/metrics. Other
 * tests' requests count in the same series, so each check compares the figures before and after its own requests.
 */
@QuarkusTest
class DomainMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String OPERATIONS = "datastores_operations_total";

    @Inject
    RedisAPI redis;

    @Inject
    QuotaReconciler reconciler;

    @Inject
    ExpirySweeper sweeper;

    @Inject
    ExportJobGauges exportJobs;

    @Inject
    NearLimits nearLimits;

    @Inject
    TestClock clock;

    @Test
    void operationsAreCountedByRouteFamilyAndOutcome() {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("counted"));
        PrometheusText before = PrometheusText.scrape();

        tenant.request().body("{\"a\":1}").put(records + "/k").then().statusCode(201);
        tenant.request().get(records + "/k").then().statusCode(200);
        tenant.request().get(records + "/absent").then().statusCode(404);
        tenant.request().header("If-Match", "\"1\"").body("2").put(records + "/k").then().statusCode(412);
        tenant.request().body("{not json").put(records + "/k").then().statusCode(400);
        given().auth().oauth2("dsk_not-a-key").get(records + "/k").then().statusCode(401);

        PrometheusText after = PrometheusText.scrape();
        assertThat(delta(before, after, "record.put", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "record.get", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "record.get", "not-found")).isEqualTo(1);
        assertThat(delta(before, after, "record.put", "precondition-failed")).isEqualTo(1);
        assertThat(delta(before, after, "record.put", "invalid")).isEqualTo(1);
        assertThat(delta(before, after, "record.get", "denied")).isEqualTo(1);
        assertThat(after.text()).doesNotContain(tenant.workspaceId()).doesNotContain("absent");
    }

    @Test
    void quotaRefusalsNameTheLimit() {
        Tenant tenant = Tenant.create(Plans.create(10, 1, 1_000_000, 64, 1000));
        String records = tenant.records(tenant.newStore("full"));
        PrometheusText before = PrometheusText.scrape();

        tenant.request().body("1").put(records + "/first").then().statusCode(201);
        tenant.request().body("2").put(records + "/second").then().statusCode(403);
        tenant.request().body("\"" + "x".repeat(100) + "\"").put(records + "/first").then().statusCode(413);

        PrometheusText after = PrometheusText.scrape();
        assertThat(after.value(OPERATIONS, "operation", "record.put", "outcome", "quota-exceeded", "limit", "keys")
                - before.value(OPERATIONS, "operation", "record.put", "outcome", "quota-exceeded", "limit", "keys")).isEqualTo(1);
        assertThat(after.value(OPERATIONS, "operation", "record.put", "outcome", "quota-exceeded", "limit", "valueBytes")
                - before.value(OPERATIONS, "operation", "record.put", "outcome", "quota-exceeded", "limit", "valueBytes"))
                .isEqualTo(1);
    }

    @Test
    void rateLimitedRequestsAreCounted() {
        Tenant tenant = Tenant.create(Plans.create(10, 100, 1_000_000, 1024, 1));
        PrometheusText before = PrometheusText.scrape();

        long refused = 0;
        for (int i = 0; i < 10; i++) {
            int status = tenant.request().get("/v1/workspaces/{ws}", tenant.workspaceId()).then().extract().statusCode();
            assertThat(status).isIn(200, 429);
            refused += status == 429 ? 1 : 0;
        }

        assertThat(refused).isPositive();
        assertThat(delta(before, PrometheusText.scrape(), "workspace.get", "rate-limited")).isEqualTo(refused);
    }

    @Test
    void valueSizesAndQuotaCallsAreMeasured() {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("sizes"));
        String value = "{\"text\":\"" + "abc".repeat(200) + "\"}";
        PrometheusText before = PrometheusText.scrape();

        tenant.request().body(value).put(records + "/v").then().statusCode(201);
        tenant.request().delete(records + "/v").then().statusCode(204);

        PrometheusText after = PrometheusText.scrape();
        assertThat(after.value("datastores_value_raw_bytes_count") - before.value("datastores_value_raw_bytes_count")).isEqualTo(1);
        assertThat(after.value("datastores_value_raw_bytes_sum") - before.value("datastores_value_raw_bytes_sum")).isEqualTo(value.length());
        double stored = after.value("datastores_value_stored_bytes_sum") - before.value("datastores_value_stored_bytes_sum");
        assertThat(stored).isPositive().isLessThan(value.length());
        assertThat(after.value("datastores_quota_reservation_seconds_count", "outcome", "reserved")
                - before.value("datastores_quota_reservation_seconds_count", "outcome", "reserved")).isGreaterThanOrEqualTo(2);
        // the delete answers after its settlement, so both writes' settlements are counted by now
        assertThat(after.value("datastores_quota_settlement_seconds_count")
                - before.value("datastores_quota_settlement_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(after.has("datastores_quota_settlement_backlog")).isTrue();
        assertThat(after.has("datastores_quota_stale_workspaces")).isTrue();
        assertThat(after.value("datastores_redis_degraded")).isZero();
    }

    @Test
    void countersThatDifferFromPostgresqlAreRepairedAndCounted() {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("repaired"));
        tenant.request().body("1").put(records + "/a").then().statusCode(201);
        await(reconciler.reconcile(tenant.workspaceId(), false));
        double before = PrometheusText.scrape().value("datastores_quota_counter_repairs_total", "reason", "drift");

        // a Redis that lost a settlement: its counters say 7 keys where PostgreSQL has 1
        await(redis.hset(List.of("dsq:{" + tenant.workspaceId() + "}", "keys", "7")));
        assertThat(await(reconciler.reconcile(tenant.workspaceId(), false))).isTrue();
        assertThat(await(reconciler.reconcile(tenant.workspaceId(), false))).isTrue();

        double after = PrometheusText.scrape().value("datastores_quota_counter_repairs_total", "reason", "drift");
        assertThat(after - before).as("one repair; the second rebuild found nothing to repair").isEqualTo(1);
    }

    @Test
    void runningExportJobsAndTheOldestAgeAreReported() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("exported");
        tenant.request().body("1").put(tenant.records(store) + "/a").then().statusCode(201);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch received = new CountDownLatch(1);
        try (Receiver receiver = Receiver.acceptingAfter(() -> {
            received.countDown();
            awaitQuietly(release);
        })) {
            tenant.request().body(Map.of("url", receiver.url())).post(tenant.stores() + "/" + store + "/exports").then().statusCode(202);
            assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1100);

            await(exportJobs.refresh());
            PrometheusText running = PrometheusText.scrape();
            assertThat(running.value("datastores_export_jobs_running")).isGreaterThanOrEqualTo(1);
            assertThat(running.value("datastores_export_jobs_oldest_age_seconds")).isGreaterThanOrEqualTo(1);
            assertThat(running.has("datastores_export_jobs_heartbeat_silence_seconds")).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void sweptRecordsAndTheSweepersLagAreReported() {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("expiring"));
        tenant.request().body("1").put(records + "/soon?ttl=1").then().statusCode(201);
        double sweptBefore = PrometheusText.scrape().value("datastores_expiry_swept_records_total");

        clock.advance(Duration.ofSeconds(120));
        await(sweeper.measureLag());
        assertThat(PrometheusText.scrape().value("datastores_expiry_lag_seconds")).isGreaterThanOrEqualTo(118);

        while (await(sweeper.sweep(40)) > 0) {
            // until nothing expired is left
        }
        await(sweeper.measureLag());
        PrometheusText after = PrometheusText.scrape();
        assertThat(after.value("datastores_expiry_swept_records_total") - sweptBefore).isGreaterThanOrEqualTo(1);
        assertThat(after.value("datastores_expiry_lag_seconds")).isLessThan(5);
    }

    @Test
    void workspacesNearALimitAreCountedPerBandNotPerWorkspace() {
        await(nearLimits.refresh());
        PrometheusText before = PrometheusText.scrape();
        String plan = Plans.create(10, 20, 1_000_000_000, 1024, 1000);
        Tenant ninetyPercent = Tenant.create(plan);
        Tenant full = Tenant.create(plan);
        fill(ninetyPercent, 18);
        fill(full, 20);

        await(nearLimits.refresh());
        PrometheusText after = PrometheusText.scrape();
        String series = "datastores_workspaces_near_limit";
        assertThat(after.value(series, "limit", "keys", "band", "0.80") - before.value(series, "limit", "keys", "band", "0.80"))
                .isEqualTo(2);
        assertThat(after.value(series, "limit", "keys", "band", "0.95") - before.value(series, "limit", "keys", "band", "0.95"))
                .isEqualTo(1);
        assertThat(after.text()).doesNotContain(ninetyPercent.workspaceId()).doesNotContain(full.workspaceId());
    }

    @Test
    void theChartsDashboardAndAlertsNameOnlySeriesTheServiceExports() throws Exception {
        Tenant tenant = Tenant.create();
        String records = tenant.records(tenant.newStore("dashboard"));
        tenant.request().body("1").put(records + "/a").then().statusCode(201);
        tenant.request().get(records + "/a").then().statusCode(200);
        PrometheusText scrape = PrometheusText.scrape();

        String charted = Files.readString(Path.of("helm/datastores/dashboards/datastores.json"))
                + Files.readString(Path.of("helm/datastores/templates/prometheusrule.yaml"));
        List<String> series = Pattern.compile("([a-z_][a-z0-9_]*)\\{").matcher(charted).results().map(match -> match.group(1))
                .distinct().toList();

        assertThat(series).contains("datastores_operations_total", "datastores_redis_degraded", "http_server_requests_seconds_count");
        assertThat(series).allSatisfy(name -> assertThat(scrape.has(name)).as(name + " in /q/metrics; pool series: "
                + Pattern.compile("(?m)^[a-z_]*pool[a-z_]*").matcher(scrape.text()).results().map(m -> m.group()).distinct().toList())
                .isTrue());
    }

    private static void fill(Tenant tenant, int keys) {
        String records = tenant.records(tenant.newStore("keys"));
        for (int i = 0; i < keys; i++) {
            tenant.request().body(Integer.toString(i)).put(records + "/k" + i).then().statusCode(201);
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String operation, String outcome) {
        return after.value(OPERATIONS, "operation", operation, "outcome", outcome)
                - before.value(OPERATIONS, "operation", operation, "outcome", outcome);
    }

    private static <T> T await(io.smallrye.mutiny.Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
