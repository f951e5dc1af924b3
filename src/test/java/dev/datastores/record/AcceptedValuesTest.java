package dev.datastores.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.codec.JsonValues;
import dev.datastores.support.GeneratedJson;
import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever is accepted comes back out valid: generated values (pretty-printed, any Unicode, escapes, deep, long
 * numbers) read back exactly, list, batch-read and export as valid JSON, and export-import into another store;
 * a body that is not UTF-8 JSON text is refused with nothing stored, at every route that takes one.
 */
@QuarkusTest
class AcceptedValuesTest {

    private static final String PROBLEMS = "https://datastores.dev/problems/";
    private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Stands in a body template for the text under test. */
    private static final String HOLE = "§";

    @Test
    void generatedValuesReadBackListExportAndImportAsTheSameJson() {
        Tenant tenant = Tenant.create();
        String source = tenant.newStore("source");
        List<GeneratedJson> values = values(150);
        for (int i = 0; i < values.size(); i++) {
            tenant.request().body(utf8(values.get(i).spaced())).put(tenant.records(source) + "/" + key(i)).then().statusCode(201);
        }

        for (int i = 0; i < values.size(); i++) {
            assertThat(tenant.request().get(tenant.records(source) + "/" + key(i)).then().statusCode(200).extract().asByteArray())
                    .as("GET %s of %s", key(i), values.get(i)).isEqualTo(utf8(values.get(i).spaced()));
        }
        JsonNode listing = validJson(tenant.request().queryParam("limit", 1024).get(tenant.records(source)));
        JsonNode entries = validJson(tenant.request().get(tenant.stores() + "/" + source + "/entries")).get("entries");
        List<String> keys = IntStream.range(0, values.size()).mapToObj(AcceptedValuesTest::key).toList();
        JsonNode batch = validJson(tenant.request().body(Map.of("keys", keys)).post(tenant.stores() + "/" + source + "/batch-get"));
        JsonNode diff = validJson(tenant.request().queryParam("limit", 1024).queryParam("against", tenant.newStore("empty"))
                .get(tenant.stores() + "/" + source + "/diff"));
        String[] lines = export(tenant, source).split("\n");
        assertThat(lines).hasSameSizeAs(values);
        for (int i = 0; i < values.size(); i++) {
            JsonNode value = tree(values.get(i).spaced());
            assertThat(listing.get("records").get(i).get("value")).as("listed %s", values.get(i)).isEqualTo(value);
            assertThat(entries.get(key(i))).as("entry %s", values.get(i)).isEqualTo(value);
            assertThat(batch.get("records").get(i).get("value")).as("batch-read %s", values.get(i)).isEqualTo(value);
            assertThat(diff.get("records").get(i).get("value")).as("diff of %s", values.get(i)).isEqualTo(value);
            // one line, the value's tokens as sent: member order, number text, escapes
            assertThat(lines[i]).as("export line of %s", values.get(i))
                    .startsWith("{\"key\":\"" + key(i) + "\",\"value\":" + values.get(i).compact() + ",\"etag\":");
            assertThat(tree(lines[i]).get("value")).isEqualTo(value);
        }

        String copy = tenant.newStore("copy");
        tenant.request().contentType("application/x-ndjson").body(utf8(String.join("\n", lines)))
                .post(tenant.stores() + "/" + copy + "/import").then().statusCode(200).body("imported", equalTo(values.size()));
        for (int i = 0; i < values.size(); i++) {
            byte[] imported = tenant.request().get(tenant.records(copy) + "/" + key(i)).then().statusCode(200).extract().asByteArray();
            assertThat(tree(imported)).as("imported %s", values.get(i)).isEqualTo(tree(values.get(i).spaced()));
        }
    }

    @Test
    void aPrettyValueNestedAsDeepAsAllowedExportsOnOneLineAndImportsBack() {
        Tenant tenant = Tenant.create();
        String source = tenant.newStore("source");
        String deep = GeneratedJson.deep(JsonValues.MAX_DEPTH);
        tenant.request().body(utf8(deep)).put(tenant.records(source) + "/deep").then().statusCode(201);
        tenant.request().body(utf8("{\n  \"a\": 1\n}\n")).put(tenant.records(source) + "/pretty").then().statusCode(201);

        String exported = export(tenant, source);
        assertThat(exported.split("\n")).hasSize(2);
        assertThat(exported).contains("\"key\":\"pretty\",\"value\":{\"a\":1},");

        String copy = tenant.newStore("copy");
        tenant.request().contentType("application/x-ndjson").body(utf8(exported)).post(tenant.stores() + "/" + copy + "/import")
                .then().statusCode(200).body("imported", equalTo(2));
        assertThat(tree(tenant.request().get(tenant.records(copy) + "/deep").then().statusCode(200).extract().asByteArray()))
                .isEqualTo(tree(deep));
        tenant.request().get(tenant.records(copy) + "/pretty").then().statusCode(200).body(equalTo("{\"a\":1}"));
    }

    @Test
    void operationAnswersHoldGeneratedValuesAsValidJson() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        List<GeneratedJson> values = values(30);
        List<JsonNode> appended = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String spaced = values.get(i).spaced();
            byte[] body = utf8("{\"key\":\"" + key(i) + "\",\"value\":" + spaced + "}");
            JsonNode created = validJson(tenant.request().body(body).post(tenant.stores() + "/" + store + "/get-or-create"));
            JsonNode existing = validJson(tenant.request().body(body).post(tenant.stores() + "/" + store + "/get-or-create"));
            assertThat(created.get("value")).as("created %s", values.get(i)).isEqualTo(tree(spaced));
            assertThat(existing.get("value")).as("got %s", values.get(i)).isEqualTo(tree(spaced));

            tenant.request().body(utf8("{\"key\":\"list\",\"value\":" + spaced + "}")).post(tenant.stores() + "/" + store + "/append")
                    .then().statusCode(i == 0 ? 201 : 200).body("length", equalTo(i + 1));
            appended.add(tree(spaced));
        }

        assertThat(validJson(tenant.request().get(tenant.records(store) + "/list"))).containsExactlyElementsOf(appended);
    }

    /** A route that takes a JSON body, a template of that body with a {@link #HOLE}, and how to see that it stored nothing. */
    record Route(String name, String method, String path, String contentType, String template, String refusedAs,
            Consumer<Context> storedNothing) {

        @Override
        public String toString() {
            return name;
        }

        Response send(Context context, byte[] body, String contentType) {
            RequestSpecification request = path.startsWith("/v1/admin") ? Tenant.asOperator() : context.tenant().request();
            return request.contentType(contentType).body(body).request(method, context.expand(path));
        }
    }

    /** A fresh workspace with one store, and a plan name no one has used. */
    record Context(Tenant tenant, String store, String plan) {

        static Context create() {
            Tenant tenant = Tenant.create();
            return new Context(tenant, tenant.newStore("s"), "values-" + UUID.randomUUID().toString().substring(0, 8));
        }

        String expand(String path) {
            return path.replace("{records}", tenant.records(store)).replace("{store}", tenant.stores() + "/" + store)
                    .replace("{ws}", tenant.workspaceId()).replace("{plan}", plan);
        }

        void absent(String path) {
            tenant.request().get(expand(path)).then().statusCode(404);
        }
    }

    static Stream<Route> routes() {
        String json = "application/json";
        return Stream.of(
                new Route("PUT record", "PUT", "{records}/k", json, "\"" + HOLE + "\"", "invalid-json", c -> c.absent("{records}/k")),
                new Route("increment", "POST", "{store}/increment", json, "{\"key\":\"k" + HOLE + "\",\"by\":1}",
                        "invalid-json", c -> c.absent("{records}/k" + HOLE)),
                new Route("append", "POST", "{store}/append", json, "{\"key\":\"k\",\"value\":\"" + HOLE + "\"}", "invalid-json",
                        c -> c.absent("{records}/k")),
                new Route("get-or-create", "POST", "{store}/get-or-create", json, "{\"key\":\"k\",\"value\":\"" + HOLE + "\"}",
                        "invalid-json", c -> c.absent("{records}/k")),
                new Route("batch", "POST", "{store}/batch", json, "{\"set\":[{\"key\":\"k\",\"value\":\"" + HOLE + "\"}]}",
                        "invalid-json", c -> c.absent("{records}/k")),
                new Route("batch-get", "POST", "{store}/batch-get", json, "{\"keys\":[\"k" + HOLE + "\"]}", "invalid-json", c -> {
                }),
                new Route("import", "POST", "{store}/import", "application/x-ndjson",
                        "{\"key\":\"j\",\"value\":1}\n{\"key\":\"k\",\"value\":\"" + HOLE + "\"}", "invalid-line",
                        c -> c.absent("{records}/k")),
                new Route("store create", "POST", "/v1/workspaces/{ws}/stores", json, "{\"name\":\"n" + HOLE + "\"}", "invalid-json",
                        c -> c.tenant().request().get(c.tenant().stores()).then().body("stores.size()", equalTo(1))),
                new Route("link put", "PUT", "{store}/links/l1", json, "{\"name\":\"" + HOLE + "\",\"kind\":\"workflow\"}",
                        "invalid-json", c -> c.tenant().request().get(c.expand("{store}/links")).then().body("links.size()", equalTo(0))),
                new Route("api key create", "POST", "/v1/workspaces/{ws}/api-keys", json,
                        "{\"name\":\"" + HOLE + "\",\"scopes\":[\"read\"]}", "invalid-json",
                        c -> c.tenant().request().get(c.expand("/v1/workspaces/{ws}/api-keys")).then().body("keys.size()", equalTo(1))),
                new Route("operator key create", "POST", "/v1/admin/workspaces/{ws}/api-keys", json,
                        "{\"name\":\"" + HOLE + "\",\"scopes\":[\"read\"]}", "invalid-json",
                        c -> c.tenant().request().get(c.expand("/v1/workspaces/{ws}/api-keys")).then().body("keys.size()", equalTo(1))),
                new Route("plan put", "PUT", "/v1/admin/plans/{plan}", json, "{\"name\":\"" + HOLE
                        + "\",\"maxStores\":1,\"maxKeys\":1,\"maxStorageBytes\":1,\"maxValueBytes\":1,\"requestsPerSecond\":1}",
                        "invalid-json", c -> Tenant.asOperator().get("/v1/admin/plans").then()
                                .body("plans.name", not(hasItem(c.plan())))),
                new Route("workspace update", "PATCH", "/v1/admin/workspaces/{ws}", json, "{\"name\":\"" + HOLE + "\"}", "invalid-json",
                        c -> Tenant.asOperator().get(c.expand("/v1/admin/workspaces/{ws}")).then().body("name", equalTo("test"))));
    }

    @ParameterizedTest
    @MethodSource("routes")
    void theBodyInUtf8IsAccepted(Route route) {
        Context context = Context.create();

        int status = route.send(context, filled(route, "x"), route.contentType() + "; charset=UTF-8").then().extract().statusCode();

        assertThat(status).as("the template itself must be accepted, or the refusals below prove nothing").isBetween(200, 299);
    }

    @ParameterizedTest
    @MethodSource("routes")
    void aByteOrderMarkIsRefusedAndNothingStored(Route route) {
        Context context = Context.create();
        byte[] body = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, filled(route, "x"));

        assertRefused(route, context, body, route.contentType(), 400, route.refusedAs());
    }

    @ParameterizedTest
    @MethodSource("routes")
    void invalidUtf8IsRefusedAndNothingStored(Route route) {
        Context context = Context.create();
        // "/" in two bytes (an overlong form), then a code point past U+10FFFF: bytes Jackson lets through
        byte[] body = filled(route, new byte[] {(byte) 0xC0, (byte) 0xAF, 'a', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});

        assertRefused(route, context, body, route.contentType(), 400, route.refusedAs());
    }

    @ParameterizedTest
    @MethodSource("routes")
    void aLoneSurrogateEscapeIsRefusedAndNothingStored(Route route) {
        Context context = Context.create();

        assertRefused(route, context, filled(route, "\\ud800"), route.contentType(), 400, route.refusedAs());
    }

    /** The routes that take JSON: an import's NDJSON is read as UTF-8 and refused by its bytes, whatever its label. */
    static Stream<Route> jsonRoutes() {
        return routes().filter(route -> route.contentType().equals("application/json"));
    }

    @ParameterizedTest
    @MethodSource("jsonRoutes")
    void aCharsetOtherThanUtf8IsUnsupportedAndNothingStored(Route route) {
        Context context = Context.create();

        for (String charset : List.of("iso-8859-1", "\"ISO-8859-1\"", "latin1", "utf-16")) {
            assertRefused(route, context, filled(route, "x"), route.contentType() + "; Charset=" + charset, 415,
                    "unsupported-media-type");
        }
    }

    private static void assertRefused(Route route, Context context, byte[] body, String contentType, int status, String slug) {
        route.send(context, body, contentType).then().statusCode(status).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + slug));
        route.storedNothing().accept(context);
    }

    private static byte[] filled(Route route, String text) {
        return filled(route, utf8(text));
    }

    private static byte[] filled(Route route, byte[] text) {
        String[] parts = route.template().split(HOLE, -1);
        return concat(concat(utf8(parts[0]), text), utf8(parts[1]));
    }

    private static List<GeneratedJson> values(int count) {
        JqwikSession.start();
        try {
            return GeneratedJson.values(4).sampleStream().limit(count).toList();
        } finally {
            JqwikSession.finish();
        }
    }

    private static String export(Tenant tenant, String store) {
        byte[] ndjson = tenant.request().get(tenant.stores() + "/" + store + "/export").then().statusCode(200).extract().asByteArray();
        requireUtf8(ndjson);
        return new String(ndjson, StandardCharsets.UTF_8);
    }

    /** The answer's body, which must be UTF-8 and JSON. */
    private static JsonNode validJson(Response response) {
        byte[] body = response.then().statusCode(lessThan(300)).extract().asByteArray();
        requireUtf8(body);
        return tree(body);
    }

    private static void requireUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new AssertionError("Not UTF-8: " + Arrays.toString(bytes), e);
        }
    }

    private static JsonNode tree(String json) {
        return tree(utf8(json));
    }

    private static JsonNode tree(byte[] json) {
        try {
            return JACKSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(new String(json, StandardCharsets.UTF_8), e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String key(int i) {
        return String.format("v%04d", i);
    }
}
