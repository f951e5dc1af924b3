package dev.datastores.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.datastores.client.ApiClient;
import dev.datastores.client.ApiException;
import dev.datastores.client.ApiResponse;
import dev.datastores.client.Datastores;
import dev.datastores.client.Put;
import dev.datastores.client.StoreClient;
import dev.datastores.client.Written;
import dev.datastores.client.api.AtomicOperationsApi;
import dev.datastores.client.api.OperatorApi;
import dev.datastores.client.api.RecordsApi;
import dev.datastores.client.api.StoresApi;
import dev.datastores.client.api.WorkspaceApi;
import dev.datastores.client.model.IncrementRequest;
import dev.datastores.client.model.Incremented;
import dev.datastores.client.model.Link;
import dev.datastores.client.model.LinkBody;
import dev.datastores.client.model.ListedRecord;
import dev.datastores.client.model.NewApiKey;
import dev.datastores.client.model.NewWorkspace;
import dev.datastores.client.model.Problem;
import dev.datastores.client.model.RecordPage;
import dev.datastores.client.model.Scope;
import dev.datastores.client.model.StoreName;
import dev.datastores.client.model.Workspace;
import dev.datastores.client.model.WrittenRecord;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The main flows through the Java client (clients/java/client: generated from openapi/datastores.yaml at build
 * time, plus its hand-written layer): a path, status, member or header that the server and the contract
 * disagree on fails here.
 */
@QuarkusTest
class GeneratedClientTest {

    private static final String OPERATOR_TOKEN = "test-admin-token";

    @TestHTTPResource("/")
    URI service;

    private ApiClient tenant;
    private String tenantToken;
    private RecordsApi records;
    private String workspace;
    private String store;

    @BeforeEach
    void createWorkspaceKeyAndStore() throws ApiException {
        OperatorApi operator = new OperatorApi(client(OPERATOR_TOKEN));
        workspace = operator.createWorkspace(new NewWorkspace().name("contract").plan("business")).getId();
        String token = operator.createApiKeyAsOperator(workspace,
                new NewApiKey().name("contract").scopes(List.of(Scope.READ, Scope.WRITE, Scope.MANAGE))).getToken();
        tenant = client(token);
        tenantToken = token;
        store = new StoresApi(tenant).createStore(workspace, new StoreName().name("sessions")).getId();
        records = new RecordsApi(tenant);
    }

    @Test
    void workspaceKeySeesItsPlanUsageAndStores() throws ApiException {
        Workspace seen = new WorkspaceApi(tenant).getWorkspace(workspace);

        assertThat(seen.getId()).isEqualTo(workspace).startsWith("ws_");
        assertThat(seen.getPlan().getName()).isEqualTo("business");
        assertThat(seen.getUsage().getStores()).isEqualTo(1);
        assertThat(new StoresApi(tenant).listStores(workspace).getStores())
                .singleElement().satisfies(listed -> {
                    assertThat(listed.getId()).isEqualTo(store).startsWith("ds_");
                    assertThat(listed.getName()).isEqualTo("sessions");
                    assertThat(listed.getRecordCount()).isZero();
                });
    }

    @Test
    void linkedStoreIsDeletedOnlyOnceItsLinksAreRemoved() throws ApiException, IOException {
        StoresApi stores = new StoresApi(tenant);
        stores.putLink(workspace, store, "wf_nightly", new LinkBody().name("Nightly sync").kind("workflow"));

        ApiException linked = catchThrowableOfType(ApiException.class, () -> stores.deleteStore(workspace, store));
        assertThat(linked.getCode()).isEqualTo(409);
        assertThat(problem(linked).getLinks()).extracting(Link::getId).containsExactly("wf_nightly");

        stores.deleteLink(workspace, store, "wf_nightly");
        assertThat(stores.deleteStoreWithHttpInfo(workspace, store).getStatusCode()).isEqualTo(204);
    }

    @Test
    void recordIsCreatedReadReplacedAndDeleted() throws ApiException, IOException {
        ApiResponse<WrittenRecord> created = records.putRecordWithHttpInfo(workspace, store, "session/abc",
                Map.of("user", "ana", "visits", 1), 3600L, null, null);
        assertThat(created.getStatusCode()).isEqualTo(201);
        assertThat(created.getData().getKey()).isEqualTo("session/abc");
        assertThat(created.getData().getExpiresAt()).isNotNull();
        assertThat(created.getHeaders().get("ETag")).containsExactly(created.getData().getEtag());

        ApiResponse<Object> read = records.getRecordWithHttpInfo(workspace, store, "session/abc", null);
        assertThat(read.getData()).isEqualTo(Map.of("user", "ana", "visits", 1));
        assertThat(read.getHeaders().get("ETag")).containsExactly(created.getData().getEtag());
        assertThat(read.getHeaders()).containsKey("Expires-At");

        ApiResponse<WrittenRecord> replaced = records.putRecordWithHttpInfo(workspace, store, "session/abc",
                Map.of("user", "ana", "visits", 2), null, created.getData().getEtag(), null);
        assertThat(replaced.getStatusCode()).isEqualTo(200);
        assertThat(replaced.getData().getEtag()).isNotEqualTo(created.getData().getEtag());
        assertThat(records.hasRecordWithHttpInfo(workspace, store, "session/abc", null).getStatusCode()).isEqualTo(200);

        assertThat(records.deleteRecordWithHttpInfo(workspace, store, "session/abc", replaced.getData().getEtag())
                .getStatusCode()).isEqualTo(204);
        ApiException gone = catchThrowableOfType(ApiException.class,
                () -> records.getRecord(workspace, store, "session/abc", null));
        assertThat(gone.getCode()).isEqualTo(404);
        assertThat(problem(gone).getType()).hasToString("https://datastores.dev/problems/record-not-found");
    }

    @Test
    void listingPagesThroughCursorsInKeyOrder() throws ApiException {
        for (String key : List.of("page/3", "page/1", "other", "page/5", "page/2", "page/4")) {
            records.putRecord(workspace, store, key, key, null, null, null);
        }
        List<String> keys = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            RecordPage page = records.listRecords(workspace, store, "page/", 2, cursor, false);
            page.getRecords().forEach(record -> assertThat(record.getValue()).isNull());
            page.getRecords().stream().map(ListedRecord::getKey).forEach(keys::add);
            cursor = page.getNextCursor();
            pages++;
        } while (cursor != null);

        assertThat(keys).containsExactly("page/1", "page/2", "page/3", "page/4", "page/5");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void writeWithStaleIfMatchIsRefusedAndStoresNothing() throws ApiException, IOException {
        String first = records.putRecord(workspace, store, "config", Map.of("v", 1), null, null, null).getEtag();
        records.putRecord(workspace, store, "config", Map.of("v", 2), null, first, null);

        ApiException stale = catchThrowableOfType(ApiException.class,
                () -> records.putRecord(workspace, store, "config", Map.of("v", 3), null, first, null));

        assertThat(stale.getCode()).isEqualTo(412);
        assertThat(problem(stale).getType()).hasToString("https://datastores.dev/problems/precondition-failed");
        assertThat(records.getRecord(workspace, store, "config", null)).isEqualTo(Map.of("v", 2));
    }

    @Test
    void createOnlyWriteOfAnExistingKeyIsRefused() throws ApiException {
        records.putRecord(workspace, store, "lock", true, null, null, "*");

        ApiException taken = catchThrowableOfType(ApiException.class,
                () -> records.putRecord(workspace, store, "lock", true, null, null, "*"));

        assertThat(taken.getCode()).isEqualTo(412);
    }

    @Test
    void keyWithSlashesSpacesAndReservedCharactersRoundTrips() throws ApiException {
        String key = "a/b c?d#e%f ü";
        records.putRecord(workspace, store, key, "odd", null, null, null);

        assertThat(records.getRecord(workspace, store, key, null)).isEqualTo("odd");
        assertThat(records.listRecords(workspace, store, "a/", null, null, true).getRecords())
                .extracting(ListedRecord::getKey).containsExactly(key);
    }

    @Test
    void handWrittenLayerKeepsDotKeysExactValuesAndEtags() {
        StoreClient exact = Datastores.connect(service.toString(), tenantToken).store(workspace, store);
        for (String key : List.of(".", "..", "a/../b", "100%")) {
            Written written = exact.put(key, "{\"k\":1.50}", Put.ifAbsent());
            assertThat(written.created()).isTrue();
            assertThat(exact.get(key).json()).isEqualTo("{\"k\":1.50}");
            assertThat(exact.get(key).etag()).isEqualTo(written.etag());
        }
        assertThat(exact.list(null, 2, false).map(ListedRecord::getKey))
                .containsExactly(".", "..", "100%", "a/../b");
    }

    @Test
    void incrementAddsExactDecimals() throws ApiException {
        AtomicOperationsApi atomic = new AtomicOperationsApi(tenant);

        ApiResponse<Incremented> first = atomic.incrementWithHttpInfo(workspace, store,
                new IncrementRequest().key("total").by(new BigDecimal("0.1")));
        Incremented second = atomic.increment(workspace, store, new IncrementRequest().key("total").by(new BigDecimal("0.2")));

        assertThat(first.getStatusCode()).isEqualTo(201);
        assertThat(second.getValue()).isEqualTo(new BigDecimal("0.3"));
    }

    @Test
    void requestWithoutTokenGetsUnauthorizedProblem() throws IOException {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> new RecordsApi(client(null)).getRecord(workspace, store, "any", null));

        assertThat(refused.getCode()).isEqualTo(401);
        assertThat(refused.getResponseHeaders().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Bearer"));
        assertThat(problem(refused).getType()).hasToString("https://datastores.dev/problems/unauthorized");
    }

    /** A generated client for this test's service, sending the token (if any) as a bearer token. */
    private ApiClient client(String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(service.toString().replaceAll("/$", ""));
        if (token != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        }
        return client;
    }

    private Problem problem(ApiException failure) throws IOException {
        return tenant.getObjectMapper().readValue(failure.getResponseBody(), Problem.class);
    }
}
