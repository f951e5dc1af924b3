package dev.datastores.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.datastores.client.api.OperatorApi;
import dev.datastores.client.api.StoresApi;
import dev.datastores.client.model.Imported;
import dev.datastores.client.model.ListedRecord;
import dev.datastores.client.model.NewApiKey;
import dev.datastores.client.model.NewWorkspace;
import dev.datastores.client.model.RecordPage;
import dev.datastores.client.model.Scope;
import dev.datastores.client.model.StoreName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-written layer against a running service: DATASTORES_URL and DATASTORES_ADMIN_TOKEN (environment, or
 * -Ddatastores.url / -Ddatastores.admin.token) name it; without them the tests are skipped. Each test gets a
 * store of its own in a workspace made through the generated OperatorApi.
 */
class StoreClientTest {

    private static String url;
    private static Datastores tenant;
    private static String workspace;
    private static String token;
    private StoreClient store;

    @BeforeAll
    static void workspaceAndKey() throws ApiException {
        url = setting("DATASTORES_URL", "datastores.url");
        String admin = setting("DATASTORES_ADMIN_TOKEN", "datastores.admin.token");
        Assumptions.assumeTrue(url != null && admin != null,
                "DATASTORES_URL and DATASTORES_ADMIN_TOKEN name no service: the client's tests need one");
        OperatorApi operator = new OperatorApi(Datastores.connect(url, admin).apiClient());
        workspace = operator.createWorkspace(new NewWorkspace().name("java-client-test").plan("business")).getId();
        token = operator.createApiKeyAsOperator(workspace, new NewApiKey().name("java-client-test")
                .scopes(List.of(Scope.READ, Scope.WRITE, Scope.MANAGE))).getToken();
        tenant = Datastores.connect(url, token);
    }

    @BeforeEach
    void store() throws ApiException {
        String name = "s" + System.nanoTime();
        new StoresApi(tenant.apiClient()).createStore(workspace, new StoreName().name(name));
        store = tenant.store(workspace, name); // by name: looked up once
        assertTrue(store.id().startsWith("ds_"));
    }

    private static String setting(String variable, String property) {
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            value = System.getProperty(property);
        }
        return value == null || value.isEmpty() ? null : value;
    }

    @Test
    void awkwardKeysSurvivePutGetHasListAndDelete() {
        List<String> keys = List.of(".", "..", "a/b", "a/../b", "./x", "100%", "%2F", "é ✓", "q?x=1#frag", " spaced ",
                "a/./b", "...", "plus+sign", "semi;colon", "back\\slash", "~tilde", "a/.", "emoji 🙂", "a//b", "/lead", "trail/");
        for (String key : keys) {
            Written written = store.put(key, "\"" + key.replace("\\", "\\\\") + "\"");
            assertTrue(written.created(), key);
            assertEquals(key, written.key());
        }
        for (String key : keys) {
            assertEquals(key, store.get(key).key());
            assertEquals("\"" + key.replace("\\", "\\\\") + "\"", store.get(key).json(), key);
            assertTrue(store.has(key), key);
        }
        List<String> listed = store.list(null, 5, false).map(ListedRecord::getKey).collect(Collectors.toList());
        assertEquals(byUtf8(keys), listed);
        for (String key : keys) {
            store.delete(key);
            assertFalse(store.has(key), key);
        }
        assertEquals(0, store.list(null, 100, false).count());
    }

    @Test
    void watchResumesAfterCutConnectionsWithoutGapsAndEndsAtTheStoresDeletion() throws Exception {
        List<Watch.Reconnect> reconnects = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CuttingProxy proxy = new CuttingProxy(java.net.URI.create(url));
                ChangeStream changes = Datastores.connect(proxy.url(), token).store(workspace, store.id())
                        .watch(Watch.fromNow().prefix("w/").backoff(java.time.Duration.ofMillis(50),
                                java.time.Duration.ofMillis(500)).onReconnect(reconnects::add))) {
            String start = changes.start();
            store.put("other", "0"); // not under the prefix
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 60; i++) {
                    String key = String.format("w/%03d", i);
                    store.put(key, "{\"n\":" + i + ".50}");
                    written.add(key);
                    if (i == 15 || i == 30 || i == 45) {
                        proxy.cutAll();
                    }
                    try {
                        Thread.sleep(15);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            });
            writer.start();
            List<Change> got = new ArrayList<>();
            while (got.size() < 60 && changes.hasNext()) {
                got.add(changes.next());
            }
            writer.join();
            assertEquals(written, got.stream().map(Change::key).collect(Collectors.toList()),
                    "every change once, in commit order, across " + proxy.cuts() + " cuts: " + reconnects);
            assertTrue(proxy.cuts() >= 3 && changes.reconnects() >= 3, "reconnected " + changes.reconnects() + " times");
            String previous = start;
            for (Change change : got) {
                assertEquals(Change.SET, change.type());
                assertTrue(change.position().compareTo(previous) > 0, change.position() + " after " + previous);
                previous = change.position();
            }
            assertEquals("{\"n\":0.50}", got.get(0).value().toString(), "values keep their number text");
            assertEquals(got.get(59).position(), changes.position());

            new StoresApi(tenant.apiClient()).deleteStore(workspace, store.id());
            assertTrue(changes.hasNext());
            assertTrue(changes.next().isStoreDeleted());
            assertFalse(changes.hasNext(), "the store's deletion ends the watch");
        }
    }

    @Test
    void watchOfAnotherWorkspacesOrNoStoreIsNotFound() {
        try (ChangeStream changes = tenant.store(workspace, store.id()).watch((String) null)) {
            assertTrue(changes.start().matches("[0-9a-f]{16}"));
        }
        try (ChangeStream changes = new StoreClient(tenant, workspace, "ds_doesnotexist00000000").watch("0000000000000001")) {
            DatastoresException refused = assertThrows(DatastoresException.class, changes::hasNext);
            assertEquals(404, refused.status());
        }
    }

    private static List<String> byUtf8(List<String> keys) {
        TreeMap<String, String> sorted = new TreeMap<>((a, b) -> java.util.Arrays.compareUnsigned(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        keys.forEach(key -> sorted.put(key, key));
        return new ArrayList<>(sorted.keySet());
    }

    @Test
    void valueIsReadBackAsTheExactJsonText() {
        String json = "{\"z\":1.50,\"a\":[1e3,12345678901234567890123],\"u\":\"\\u00e9\"}";
        store.put("exact", json);
        assertEquals(json, store.get("exact").json());
    }

    @Test
    void conditionalWritesAndReadsFollowTheEtag() {
        Written first = store.put("config", "{\"v\":1}", Put.ifAbsent());
        assertTrue(first.created());
        assertTrue(first.etag().startsWith("\""), first.etag());

        DatastoresException taken = assertThrows(DatastoresException.class,
                () -> store.put("config", "{\"v\":9}", Put.ifAbsent()));
        assertEquals(412, taken.status());
        assertEquals("precondition-failed", taken.slug());

        Written second = store.put("config", "{\"v\":2}", Put.ifMatch(first.etag()));
        assertFalse(second.created());
        assertNotEquals(first.etag(), second.etag());

        DatastoresException stale = assertThrows(DatastoresException.class,
                () -> store.put("config", "{\"v\":3}", Put.ifMatch(first.etag())));
        assertTrue(stale.isPreconditionFailed());
        assertTrue(stale.oneLine().startsWith("412 precondition-failed"), stale.oneLine());
        assertEquals("{\"v\":2}", store.get("config").json());
        assertEquals(second.etag(), store.get("config").etag());

        assertTrue(store.getIfChanged("config", second.etag()).isEmpty());
        assertEquals("{\"v\":2}", store.getIfChanged("config", first.etag()).orElseThrow().json());

        assertEquals(412, assertThrows(DatastoresException.class, () -> store.delete("config", first.etag())).status());
        store.delete("config", second.etag());

        DatastoresException gone = assertThrows(DatastoresException.class, () -> store.get("config"));
        assertEquals(404, gone.status());
        assertEquals("record-not-found", gone.slug());
        assertTrue(store.find("config").isEmpty());
        assertEquals("record-not-found", assertThrows(DatastoresException.class, () -> store.delete("config")).slug());
    }

    @Test
    void ttlSetsTheExpiry() {
        Written written = store.put("session", "true", Put.ttl(3600));
        assertNotNull(written.expiresAt());
        StoredValue read = store.get("session");
        assertEquals(written.expiresAt().toInstant(), read.expiresAt().toInstant());
        assertNull(store.put("session", "true").expiresAt());
        assertEquals("invalid-ttl", assertThrows(DatastoresException.class,
                () -> store.put("session", "1", Put.ttl(0))).slug());
    }

    @Test
    void listingPagesThroughEveryRecord() {
        List<String> lines = IntStream.range(0, 250).mapToObj(i -> String.format("{\"key\":\"k/%03d\",\"value\":%d}", i, i))
                .collect(Collectors.toList());
        store.importLines(lines);
        store.put("other", "0");

        RecordPage first = store.page("k/", 100, null, true);
        assertEquals(100, first.getRecords().size());
        assertNotNull(first.getNextCursor());

        List<ListedRecord> all = store.list("k/", 100, true).collect(Collectors.toList());
        assertEquals(250, all.size());
        assertEquals("k/000", all.get(0).getKey());
        assertEquals("k/249", all.get(249).getKey());
        assertEquals(249, ((Number) all.get(249).getValue()).intValue());
        assertEquals(251, store.list(null, 1024, false).count());
    }

    @Test
    void exportStreamsAndImportsBackIntoAnotherStore() throws ApiException {
        store.put("a", "{\"n\":1}");
        store.put("b/é", "[1,2,3]", Put.ttl(7200));
        store.put("..", "null");
        List<String> exported;
        try (Stream<String> lines = store.export(null, null)) {
            exported = lines.collect(Collectors.toList());
        }
        assertEquals(3, exported.size());

        String copyName = "copy" + System.nanoTime();
        new StoresApi(tenant.apiClient()).createStore(workspace, new StoreName().name(copyName));
        StoreClient copy = tenant.store(workspace, copyName);
        Imported imported = copy.importLines(exported);
        assertEquals(3L, imported.getImported());

        assertEquals(withoutEtags(exported), withoutEtags(copy.export(null, null).collect(Collectors.toList())));
        assertEquals("[1,2,3]", copy.get("b/é").json());
        assertNotNull(copy.get("b/é").expiresAt());

        try (Stream<String> resumed = store.export(null, "a")) {
            assertEquals(1, resumed.count());
        }
        try (Stream<String> prefixed = store.export("b/", null)) {
            assertEquals(1, prefixed.count());
        }
    }

    private List<Map<String, Object>> withoutEtags(List<String> lines) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (String line : lines) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> record = tenant.mapper().readValue(line, Map.class);
                record.remove("etag");
                records.add(record);
            } catch (java.io.IOException e) {
                throw new AssertionError(line, e);
            }
        }
        return records;
    }

    @Test
    void badImportLineIsAProblemWithWhereToResume() {
        DatastoresException bad = assertThrows(DatastoresException.class,
                () -> store.importLines(List.of("{\"key\":\"ok\",\"value\":1}", "not json")));
        assertEquals(400, bad.status());
        assertEquals("invalid-line", bad.slug());
        assertEquals(2, bad.member("line").map(JsonNode::asInt).orElseThrow());
        assertTrue(bad.member("imported").isPresent());
    }

    @Test
    void unknownStoreNameAndTokenAreProblems() {
        assertEquals(404, assertThrows(DatastoresException.class, () -> tenant.store(workspace, "no such store")).status());
        DatastoresException refused = assertThrows(DatastoresException.class,
                () -> Datastores.connect(url, "dsk_wrong").store(workspace, store.id()).get("x"));
        assertEquals(401, refused.status());
        assertEquals("unauthorized", refused.slug());
    }
}
