package dev.datastores.transfer;

import java.time.Duration;
import dev.datastores.support.TestClock;
import jakarta.inject.Inject;
import static org.hamcrest.Matchers.containsString;
import java.io.ByteArrayOutputStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.datastores.support.Plans;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ExportImportTest {

    @Inject
    TestClock clock;


    private static final int RECORDS = 50_000;

    @Test
    void fiftyThousandRecordsExportAndReimportWithNothingLostDuplicatedOrReordered() {
        Tenant tenant = Tenant.create();
        String source = tenant.newStore("source");
        String ndjson = IntStream.range(0, RECORDS)
                .mapToObj(i -> "{\"key\":\"" + key(i) + "\",\"value\":{\"n\":" + i + ",\"d\":1.50,\"s\":\"é\\n\"}}")
                .collect(Collectors.joining("\n"));
        tenant.request().contentType("application/x-ndjson").body(ndjson.getBytes(StandardCharsets.UTF_8)).post(tenant.stores() + "/" + source + "/import")
                .then().statusCode(200).body("imported", equalTo(RECORDS));

        String exported = export(tenant, source, "");
        List<String> lines = Arrays.asList(exported.split("\n"));
        assertThat(lines).hasSize(RECORDS);
        assertThat(lines.get(0)).startsWith("{\"key\":\"" + key(0) + "\",\"value\":{\"n\":0,\"d\":1.50,\"s\":\"é\\n\"},\"etag\":");
        assertThat(lines.stream().map(ExportImportTest::keyOf).toList())
                .isEqualTo(IntStream.range(0, RECORDS).mapToObj(ExportImportTest::key).toList());

        String copy = tenant.newStore("copy");
        tenant.request().contentType("application/x-ndjson").body(exported.getBytes(StandardCharsets.UTF_8)).post(tenant.stores() + "/" + copy + "/import")
                .then().statusCode(200).body("imported", equalTo(RECORDS));
        assertThat(withoutEtags(export(tenant, copy, ""))).isEqualTo(withoutEtags(exported));
    }

    @Test
    void anExportCutOffInTheMiddleResumesAfterTheLastKeyReceived() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        importRange(tenant, store, 0, 2500);

        List<String> first = Arrays.asList(export(tenant, store, "").split("\n")).subList(0, 1234);
        String resumed = export(tenant, store, "?after=" + keyOf(first.get(first.size() - 1)));

        List<String> keys = new java.util.ArrayList<>(first.stream().map(ExportImportTest::keyOf).toList());
        Arrays.stream(resumed.split("\n")).map(ExportImportTest::keyOf).forEach(keys::add);
        assertThat(keys).isEqualTo(IntStream.range(0, 2500).mapToObj(ExportImportTest::key).toList());
    }

    @Test
    void exportWithAPrefixStreamsOnlyThoseKeys() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        importRange(tenant, store, 0, 30);
        tenant.request().body("1").put(tenant.records(store) + "/other").then().statusCode(201);

        assertThat(export(tenant, store, "?prefix=k0000").split("\n")).hasSize(10);
    }

    @Test
    void anExportOfAnotherWorkspacesStoreIsAProblemBeforeAnyByte() {
        Tenant owner = Tenant.create();
        String store = owner.newStore("s");
        Tenant other = Tenant.create();
        other.request().get(other.stores() + "/" + store + "/export").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("https://datastores.dev/problems/not-found"));
        owner.request().queryParam("after", "\u0000").get(owner.stores() + "/" + store + "/export").then().statusCode(400)
                .body("type", equalTo("https://datastores.dev/problems/invalid-key"));
    }

    @Test
    void aBadLineStopsTheImportSayingWhereAndHowManyWereStored() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String body = "{\"key\":\"a\",\"value\":1}\n\n{\"key\":\"b\",\"value\":2}\n{\"key\":\"c\",\"value\":}\n{\"key\":\"d\",\"value\":4}";

        tenant.request().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://datastores.dev/problems/invalid-line"))
                .body("line", equalTo(4)).body("imported", equalTo(2));

        tenant.request().get(tenant.records(store) + "/b").then().statusCode(200);
        tenant.request().get(tenant.records(store) + "/d").then().statusCode(404);
    }

    @Test
    void bytesThatAreNotUtf8StopTheImportAtTheirOwnLineWithEveryLineBeforeItStored() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        IntStream.range(0, 1500).forEach(i -> body.writeBytes(("{\"key\":\"" + key(i) + "\",\"value\":" + i + "}\n")
                .getBytes(StandardCharsets.UTF_8)));
        body.writeBytes("{\"key\":\"bad\",\"value\":\"".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
        body.writeBytes("\"}\n{\"key\":\"after\",\"value\":1}\n".getBytes(StandardCharsets.UTF_8));

        tenant.request().contentType("application/x-ndjson").body(body.toByteArray()).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(400).body("type", equalTo("https://datastores.dev/problems/invalid-line"))
                .body("line", equalTo(1501)).body("imported", equalTo(1500));
        tenant.request().get(tenant.records(store) + "/" + key(1499)).then().statusCode(200);
        tenant.request().get(tenant.records(store) + "/after").then().statusCode(404);
    }

    @Test
    void anImportTakesNdjsonAndSaysSoWhenSentAnythingElse() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        byte[] line = "{\"key\":\"a\",\"value\":1}".getBytes(StandardCharsets.UTF_8);
        tenant.request().contentType("application/json").body(line).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(415).body("detail", containsString("application/x-ndjson"));
        tenant.request().get(tenant.records(store) + "/a").then().statusCode(404);
    }

    @Test
    void aBackupRestoresWithItsExpiriesAndLinesExpiredSinceAreSkippedAndCounted() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("{\"n\":1}").put(tenant.records(store) + "/forever").then().statusCode(201);
        tenant.request().body("[1,2]").put(tenant.records(store) + "/a-day?ttl=86400").then().statusCode(201);
        tenant.request().body("\"soon\"").put(tenant.records(store) + "/soon?ttl=5").then().statusCode(201);
        String backup = export(tenant, store, "");

        clock.advance(Duration.ofSeconds(10));
        String restored = tenant.newStore("restored");
        tenant.request().contentType("application/x-ndjson").body(backup.getBytes(StandardCharsets.UTF_8))
                .post(tenant.stores() + "/" + restored + "/import")
                .then().statusCode(200).body("imported", equalTo(2)).body("skippedExpired", equalTo(1));

        String expected = backup.lines().filter(line -> !line.contains("\"soon\"")).collect(Collectors.joining("\n"));
        assertThat(withoutEtags(export(tenant, restored, "")).strip()).as("the same records, values and expiries")
                .isEqualTo(withoutEtags(expected).strip());
        tenant.request().get(tenant.records(restored) + "/a-day").then().statusCode(200)
                .header("Expires-At", equalTo(tenant.request().get(tenant.records(store) + "/a-day").header("Expires-At")));
    }

    @Test
    void anImportLineGivesTtlOrExpiresAtNotBoth() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String line = "{\"key\":\"k\",\"value\":1,\"ttl\":60,\"expiresAt\":\"2099-01-01T00:00:00Z\"}";
        tenant.request().contentType("application/x-ndjson").body(line.getBytes(StandardCharsets.UTF_8))
                .post(tenant.stores() + "/" + store + "/import").then().statusCode(400).body("line", equalTo(1));
        String notADate = "{\"key\":\"k\",\"value\":1,\"expiresAt\":\"tomorrow\"}";
        tenant.request().contentType("application/x-ndjson").body(notADate.getBytes(StandardCharsets.UTF_8))
                .post(tenant.stores() + "/" + store + "/import").then().statusCode(400).body("line", equalTo(1));
        tenant.request().get(tenant.records(store) + "/k").then().statusCode(404);
    }

    @Test
    void anImportPastTheQuotaStopsWithTheCountStored() {
        Tenant tenant = Tenant.create(Plans.create(5, 1500, 100_000_000, 65536, 100_000));
        String store = tenant.newStore("s");
        String body = IntStream.range(0, 2000).mapToObj(i -> "{\"key\":\"" + key(i) + "\",\"value\":" + i + "}")
                .collect(Collectors.joining("\n"));

        tenant.request().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(403).body("limit", equalTo("keys")).body("imported", equalTo(1000));
    }

    private static void importRange(Tenant tenant, String store, int from, int to) {
        String body = IntStream.range(from, to).mapToObj(i -> "{\"key\":\"" + key(i) + "\",\"value\":" + i + "}")
                .collect(Collectors.joining("\n"));
        tenant.request().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(200);
    }

    private static String export(Tenant tenant, String store, String query) {
        return tenant.request().urlEncodingEnabled(false).get(tenant.stores() + "/" + store + "/export" + query).then()
                .statusCode(200).contentType("application/x-ndjson").extract().asString();
    }

    private static String withoutEtags(String ndjson) {
        return ndjson.replaceAll(",\"etag\":\"\\\\\"\\d+\\\\\"\"", "");
    }

    private static String keyOf(String line) {
        return line.substring(8, line.indexOf('"', 8));
    }

    private static String key(int i) {
        return String.format("k%05d", i);
    }
}
