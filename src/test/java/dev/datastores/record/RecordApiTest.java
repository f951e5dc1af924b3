package dev.datastores.record;

import static org.hamcrest.Matchers.containsString;
import dev.datastores.support.TestClock;
import jakarta.inject.Inject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import dev.datastores.support.Keys;
import dev.datastores.support.Tenant;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The record routes of the contract (API.md, "Records"), exchange by exchange. */
@QuarkusTest
class RecordApiTest {

    @Inject
    TestClock clock;


    private static final String PROBLEMS = "https://datastores.dev/problems/";

    @TestHTTPResource
    URL server;

    @Test
    void putOfANewKeyAnswers201WithEtagAndTheWriteSummary() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        byte[] value = "{\"seen\":42}".getBytes(StandardCharsets.UTF_8);

        Response put = tenant.request().body(value).put(tenant.records(store) + "/last-run").then().statusCode(201)
                .header("ETag", notNullValue())
                .body("key", equalTo("last-run"))
                .body("expiresAt", nullValue())
                .body("rawBytes", equalTo(value.length))
                .extract().response();

        assertThat(put.jsonPath().getMap("").keySet())
                .containsExactlyInAnyOrder("key", "etag", "expiresAt", "rawBytes", "storageBytes");
        assertThat(put.<String>path("etag")).isEqualTo(put.header("ETag")).matches("\"\\d+\"");
        assertThat(put.<Integer>path("storageBytes")).isPositive();
    }

    @Test
    void putOfAnExistingKeyAnswers200WithANewEtag() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String first = put(tenant, store, "k", "1").then().statusCode(201).extract().header("ETag");

        String second = put(tenant, store, "k", "2").then().statusCode(200).extract().header("ETag");

        assertThat(second).isNotEqualTo(first);
        assertThat(value(tenant, store, "k")).isEqualTo("2");
    }

    @Test
    void storageBytesOfACompressibleValueAreBelowItsRawBytes() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String value = compressibleValue();

        Response put = put(tenant, store, "big", value).then().statusCode(201).extract().response();

        assertThat(put.<Integer>path("rawBytes")).isEqualTo(value.getBytes(StandardCharsets.UTF_8).length);
        assertThat(put.<Integer>path("storageBytes")).isLessThan(put.<Integer>path("rawBytes") / 4);
    }

    @Test
    void getAnswersTheValueWithEtagLastModifiedAndExpiresAt() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        Instant before = clock.instant();
        String etag = tenant.request().body("[1,2]").put(tenant.records(store) + "/k?ttl=3600").then().statusCode(201)
                .body("expiresAt", notNullValue()).extract().header("ETag");

        Response get = tenant.request().get(tenant.records(store) + "/k").then().statusCode(200)
                .contentType("application/json").header("ETag", etag).extract().response();

        assertThat(get.asString()).isEqualTo("[1,2]");
        Instant lastModified = ZonedDateTime.parse(get.header("Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(lastModified).isBetween(before.minusSeconds(5), clock.instant().plusSeconds(5));
        Instant expiresAt = Instant.parse(get.header("Expires-At"));
        assertThat(expiresAt).isBetween(before.plusSeconds(3595), clock.instant().plusSeconds(3605));
    }

    @Test
    void getOfARecordWithoutTtlHasNoExpiresAt() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        put(tenant, store, "k", "true").then().statusCode(201);

        tenant.request().get(tenant.records(store) + "/k").then().statusCode(200).header("Expires-At", nullValue());
    }

    @Test
    void getOfAnAbsentKeyIsRecordNotFound() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        tenant.request().get(tenant.records(store) + "/nothing").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "record-not-found"));
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutABody() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = tenant.request().body("{\"a\":1}").put(tenant.records(store) + "/k?ttl=100").then().statusCode(201)
                .extract().header("ETag");

        Response head = tenant.request().head(tenant.records(store) + "/k").then().statusCode(200)
                .header("ETag", etag).header("Last-Modified", notNullValue()).header("Expires-At", notNullValue())
                .extract().response();
        assertThat(head.asByteArray()).isEmpty();

        tenant.request().head(tenant.records(store) + "/absent").then().statusCode(404);
    }

    @Test
    void deleteAnswers204ThenTheKeyIsGoneAndASecondDeleteIs404() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        put(tenant, store, "k", "1").then().statusCode(201);

        tenant.request().delete(tenant.records(store) + "/k").then().statusCode(204);

        tenant.request().get(tenant.records(store) + "/k").then().statusCode(404);
        tenant.request().delete(tenant.records(store) + "/k").then().statusCode(404)
                .body("type", equalTo(PROBLEMS + "record-not-found"));
    }

    @Test
    void deleteWithAStaleIfMatchIsRefusedAndKeepsTheRecord() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String stale = put(tenant, store, "k", "1").then().statusCode(201).extract().header("ETag");
        String current = put(tenant, store, "k", "2").then().statusCode(200).extract().header("ETag");

        tenant.request().header("If-Match", stale).delete(tenant.records(store) + "/k").then().statusCode(412)
                .body("type", equalTo(PROBLEMS + "precondition-failed"));
        assertThat(value(tenant, store, "k")).isEqualTo("2");

        tenant.request().header("If-Match", current).delete(tenant.records(store) + "/k").then().statusCode(204);
    }

    @Test
    void ifMatchComparesEtagsByteForByte() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = put(tenant, store, "k", "1").then().statusCode(201).extract().header("ETag");
        String version = etag.substring(1, etag.length() - 1);

        for (String near : List.of("\"0" + version + "\"", "W/" + etag, "\"+" + version + "\"", "\"99999999999999999999\"")) {
            tenant.request().header("If-Match", near).body("2").put(tenant.records(store) + "/k").then().statusCode(412)
                    .body("detail", containsString("does not have the ETag sent"));
        }
        assertThat(value(tenant, store, "k")).isEqualTo("1");
        tenant.request().header("If-Match", etag).body("2").put(tenant.records(store) + "/k").then().statusCode(200);
    }

    @Test
    void putWithTheCurrentEtagReplaces() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String etag = put(tenant, store, "k", "1").then().statusCode(201).extract().header("ETag");

        tenant.request().header("If-Match", etag).body("2").put(tenant.records(store) + "/k").then().statusCode(200)
                .header("ETag", not(equalTo(etag)));

        assertThat(value(tenant, store, "k")).isEqualTo("2");
    }

    @Test
    void putWithAStaleEtagIsRejectedAndChangesNothing() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String stale = put(tenant, store, "k", "1").then().statusCode(201).extract().header("ETag");
        put(tenant, store, "k", "2").then().statusCode(200);

        tenant.request().header("If-Match", stale).body("3").put(tenant.records(store) + "/k").then().statusCode(412)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "precondition-failed"));

        assertThat(value(tenant, store, "k")).isEqualTo("2");
    }

    @Test
    void putWithIfMatchOnAnAbsentKeyIsRejectedAndStoresNothing() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        tenant.request().header("If-Match", "\"1\"").body("1").put(tenant.records(store) + "/k").then().statusCode(412);

        tenant.request().get(tenant.records(store) + "/k").then().statusCode(404);
    }

    @Test
    void putWithIfNoneMatchStarCreatesOnlyWhenAbsent() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        tenant.request().header("If-None-Match", "*").body("1").put(tenant.records(store) + "/lock").then().statusCode(201);
        tenant.request().header("If-None-Match", "*").body("2").put(tenant.records(store) + "/lock").then().statusCode(412)
                .body("type", equalTo(PROBLEMS + "precondition-failed"));

        assertThat(value(tenant, store, "lock")).isEqualTo("1");
    }

    @Test
    void getWithTheCurrentEtagInIfNoneMatchIs304WithoutABody() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String stale = put(tenant, store, "k", "1").then().statusCode(201).extract().header("ETag");
        String current = put(tenant, store, "k", "2").then().statusCode(200).extract().header("ETag");

        Response notModified = tenant.request().header("If-None-Match", current).get(tenant.records(store) + "/k").then()
                .statusCode(304).header("ETag", current).extract().response();
        assertThat(notModified.asByteArray()).isEmpty();

        tenant.request().header("If-None-Match", stale).get(tenant.records(store) + "/k").then().statusCode(200)
                .body(equalTo("2"));
    }

    @Test
    void aRecordWithATtlIsVisibleUntilItExpiresThenGoneFromEveryRead() throws InterruptedException {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        put(tenant, store, "stays", "1").then().statusCode(201);
        tenant.request().body("2").put(tenant.records(store) + "/fleeting?ttl=1").then().statusCode(201);
        tenant.request().get(tenant.records(store) + "/fleeting").then().statusCode(200);

        awaitGone(tenant, store, "fleeting");

        // Once GET says it is gone, every other read must agree at once, well before the sweeper runs.
        tenant.request().head(tenant.records(store) + "/fleeting").then().statusCode(404);
        assertThat(tenant.request().get(tenant.records(store)).jsonPath().getList("records.key")).containsExactly("stays");
        tenant.request().get(storeRoute(tenant, store, "keys")).then().statusCode(200).body("keys", equalTo(List.of("stays")));
        tenant.request().get(storeRoute(tenant, store, "entries")).then().statusCode(200)
                .body("entries", equalTo(Map.of("stays", 1)));
        tenant.request().body("{\"keys\":[\"fleeting\",\"stays\"]}").post(storeRoute(tenant, store, "batch-get")).then()
                .statusCode(200).body("records.key", equalTo(List.of("stays"))).body("missing", equalTo(List.of("fleeting")));
    }

    @Test
    void listingPagesThroughTwoThousandFiveHundredRecordsInUtf8OrderWithNoKeyLostOrRepeated() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        List<String> keys = manyKeys(2500);
        importKeys(tenant, store, keys);

        List<String> listed = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            var request = tenant.request().queryParam("limit", 333).queryParam("values", "false");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get(tenant.records(store)).then().statusCode(200).extract().response();
            listed.addAll(page.jsonPath().getList("records.key"));
            cursor = page.path("nextCursor");
            pages++;
        } while (cursor != null);

        assertThat(listed).isEqualTo(keys.stream().sorted(Keys.UTF8_ORDER).toList());
        assertThat(pages).isEqualTo(8);
    }

    @Test
    void listingWithAPrefixReturnsOnlyThoseKeysAndTheDefaultPageIsAHundred() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        List<String> keys = new ArrayList<>(manyKeys(300));
        keys.addAll(List.of("p/1", "p/2", "p/😀", "p", "q/1", "o/1"));
        importKeys(tenant, store, keys);

        tenant.request().queryParam("prefix", "p/").get(tenant.records(store)).then().statusCode(200)
                .body("records.key", equalTo(List.of("p/1", "p/2", "p/😀"))).body("nextCursor", nullValue());
        Response firstPage = tenant.request().get(tenant.records(store)).then().statusCode(200).extract().response();
        assertThat(firstPage.jsonPath().getList("records")).hasSize(100);
        assertThat(firstPage.<String>path("nextCursor")).isNotEmpty();
    }

    @Test
    void listingCarriesValuesUnlessValuesIsFalse() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        tenant.request().body("{\"z\":1,\"a\":1.50}").put(tenant.records(store) + "/k?ttl=600").then().statusCode(201);

        Response withValues = tenant.request().get(tenant.records(store)).then().statusCode(200)
                .body("records[0].key", equalTo("k"))
                .body("records[0].etag", notNullValue())
                .body("records[0].updatedAt", notNullValue())
                .body("records[0].expiresAt", notNullValue())
                .extract().response();
        assertThat(withValues.asString()).contains("\"value\":{\"z\":1,\"a\":1.50}");

        Response withoutValues = tenant.request().queryParam("values", "false").get(tenant.records(store)).then()
                .statusCode(200).body("records[0].key", equalTo("k")).extract().response();
        assertThat(withoutValues.jsonPath().getMap("records[0]")).doesNotContainKey("value");
    }

    @Test
    void aCursorNotIssuedByTheServiceIsInvalidCursor() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        tenant.request().queryParam("cursor", "not-a-cursor!").get(tenant.records(store)).then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "invalid-cursor"));
    }

    @Test
    void clearingAStoreDeletesEveryRecordAndSaysHowMany() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        importKeys(tenant, store, manyKeys(30));

        tenant.request().delete(tenant.records(store)).then().statusCode(200).body("deleted", equalTo(30));

        tenant.request().get(tenant.records(store)).then().statusCode(200).body("records", equalTo(List.of()));
        tenant.request().delete(tenant.records(store)).then().statusCode(200).body("deleted", equalTo(0));
    }

    @Test
    void oddKeysRoundTripByteExactThroughPutGetAndListing() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        List<String> odd = List.of("a/b", "with space", "100%", "what?", "hash#tag", "plus+sign", "say \"hi\"",
                "back\\slash", "emoji😀", "中文键", "e\u0301", "\u00e9", "..%2F..", "/leading", "trailing/", "a//b",
                "\uFF61", "é".repeat(256));

        for (int i = 0; i < odd.size(); i++) {
            tenant.request().urlEncodingEnabled(false).body(Integer.toString(i))
                    .put(tenant.records(store) + "/" + Keys.encode(odd.get(i))).then().statusCode(201)
                    .body("key", equalTo(odd.get(i)));
        }

        for (int i = 0; i < odd.size(); i++) {
            tenant.request().urlEncodingEnabled(false).get(tenant.records(store) + "/" + Keys.encode(odd.get(i))).then()
                    .statusCode(200).body(equalTo(Integer.toString(i)));
        }
        List<String> listed = tenant.request().queryParam("limit", 1024).get(tenant.records(store)).jsonPath()
                .getList("records.key");
        assertThat(listed).isEqualTo(odd.stream().sorted(Keys.UTF8_ORDER).toList());
    }

    @Test
    void anEncodedSlashAndALiteralSlashNameTheSameKey() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");

        tenant.request().urlEncodingEnabled(false).body("1").put(tenant.records(store) + "/a%2Fb").then().statusCode(201);
        tenant.request().urlEncodingEnabled(false).body("2").put(tenant.records(store) + "/a/b").then().statusCode(200);

        tenant.request().urlEncodingEnabled(false).get(tenant.records(store) + "/a%2Fb").then().body(equalTo("2"));
        tenant.request().urlEncodingEnabled(false).get(tenant.records(store) + "/a%252Fb").then().statusCode(404);
        assertThat(tenant.request().get(tenant.records(store)).jsonPath().getList("records.key")).containsExactly("a/b");
    }

    @Test
    void aKeyOf512BytesIsAcceptedAndOneOf513IsInvalidKey() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String fourByteChars = "😀".repeat(128);

        tenant.request().urlEncodingEnabled(false).body("1").put(tenant.records(store) + "/" + Keys.encode(fourByteChars))
                .then().statusCode(201);
        tenant.request().urlEncodingEnabled(false).body("1").put(tenant.records(store) + "/" + Keys.encode(fourByteChars + "a"))
                .then().statusCode(400).body("type", equalTo(PROBLEMS + "invalid-key"));

        assertThat(tenant.request().get(tenant.records(store)).jsonPath().getList("records.key")).containsExactly(fourByteChars);
    }

    @Test
    void valuesReadBackAsTheExactBytesSent() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        // docs/api.md: "The bytes sent are the bytes stored and returned" - whitespace, escapes and number text included.
        List<String> values = List.of(
                "{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":{}}}",
                "[1.50, 1e400, -0, 0.1, 123456789012345678901234567890, -1E-400]",
                "\"\\u00e9\\ud83d\\ude00 é😀 \\n\\t\\\"\"",
                " {\n  \"pretty\" : [ 1 ,\t2 ]\n}\n",
                "null",
                "false",
                "1.0000000000000000000000001");

        for (int i = 0; i < values.size(); i++) {
            byte[] sent = values.get(i).getBytes(StandardCharsets.UTF_8);
            tenant.request().body(sent).put(tenant.records(store) + "/v" + i).then().statusCode(201);
            byte[] read = tenant.request().get(tenant.records(store) + "/v" + i).then().statusCode(200).extract().asByteArray();
            assertThat(new String(read, StandardCharsets.UTF_8)).isEqualTo(values.get(i));
        }
    }

    @Test
    void withAcceptEncodingBrACompressedValueIsSentAsItsStoredBrotliBytes() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String value = compressibleValue();
        put(tenant, store, "big", value).then().statusCode(201);

        HttpResponse<byte[]> response = rawGet(tenant, store, "big", "br");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("br");
        assertThat(response.headers().firstValue("Vary")).hasValueSatisfying(vary -> assertThat(vary).containsIgnoringCase("Accept-Encoding"));
        assertThat(response.body().length).isLessThan(value.length() / 4);
        assertThat(new String(brotliDecode(response.body()), StandardCharsets.UTF_8)).isEqualTo(value);
    }

    @Test
    void withoutAcceptEncodingBrOrForAnIncompressibleValueThePlainJsonIsSent() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String value = compressibleValue();
        put(tenant, store, "big", value).then().statusCode(201);
        put(tenant, store, "small", "7").then().statusCode(201);

        HttpResponse<byte[]> identity = rawGet(tenant, store, "big", "identity");
        assertThat(identity.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(identity.body(), StandardCharsets.UTF_8)).isEqualTo(value);

        HttpResponse<byte[]> refused = rawGet(tenant, store, "big", "br;q=0, gzip");
        assertThat(refused.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(refused.body(), StandardCharsets.UTF_8)).isEqualTo(value);

        HttpResponse<byte[]> small = rawGet(tenant, store, "small", "br");
        assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo("7");
    }

    private static Response put(Tenant tenant, String store, String key, String json) {
        return tenant.request().body(json.getBytes(StandardCharsets.UTF_8)).put(tenant.records(store) + "/" + key);
    }

    private static String value(Tenant tenant, String store, String key) {
        return tenant.request().get(tenant.records(store) + "/" + key).then().statusCode(200).extract().asString();
    }

    private static String storeRoute(Tenant tenant, String store, String route) {
        return tenant.stores() + "/" + store + "/" + route;
    }

    /** Moves the service's clock past a one-second TTL; the record is gone for GET at once. */
    private void awaitGone(Tenant tenant, String store, String key) {
        clock.advance(Duration.ofSeconds(2));
        tenant.request().get(tenant.records(store) + "/" + key).then().statusCode(404);
    }

    /**
     * Keys whose UTF-8 order differs from Java's UTF-16 order (U+FF61 sorts before an emoji in UTF-8, after
     * it in UTF-16) and from case-insensitive order, so a listing that sorts the wrong way is caught.
     */
    private static List<String> manyKeys(int count) {
        String[] tails = {"", "\uFF61", "😀", "é", "Z", "a", " x", "/y"};
        return IntStream.range(0, count).mapToObj(i -> String.format("%04d", i / tails.length) + tails[i % tails.length])
                .toList();
    }

    private static void importKeys(Tenant tenant, String store, List<String> keys) {
        String ndjson = keys.stream().map(key -> "{\"key\":\"" + key + "\",\"value\":{\"k\":\"" + key + "\"}}")
                .collect(Collectors.joining("\n"));
        tenant.request().contentType("application/x-ndjson").body(ndjson.getBytes(StandardCharsets.UTF_8))
                .post(storeRoute(tenant, store, "import")).then().statusCode(200).body("imported", equalTo(keys.size()));
    }

    private static String compressibleValue() {
        return IntStream.range(0, 400).mapToObj(i -> "{\"name\":\"item\",\"n\":" + i + ",\"tags\":[\"a\",\"b\"]}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** A GET whose body arrives exactly as sent: REST Assured's client would try to decode Content-Encoding itself. */
    private HttpResponse<byte[]> rawGet(Tenant tenant, String store, String key, String acceptEncoding) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.toString()).resolve(tenant.records(store) + "/" + key))
                .header("Authorization", "Bearer " + tenant.token()).header("Accept-Encoding", acceptEncoding)
                .timeout(Duration.ofSeconds(10)).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] brotliDecode(byte[] compressed) throws Exception {
        Brotli4jLoader.ensureAvailability();
        DirectDecompress result = Decoder.decompress(compressed);
        assertThat(result.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
        return result.getDecompressedData();
    }
}
