package dev.datastores.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datastores.codec.ValueCodec;
import dev.datastores.domain.DomainException.NameTaken;
import dev.datastores.domain.DomainException.StoreLinked;
import dev.datastores.record.RecordStorage;
import dev.datastores.record.RecordStorage.DeleteOutcome;
import dev.datastores.record.RecordStorage.Expiring;
import dev.datastores.record.RecordStorage.PutOutcome;
import dev.datastores.store.LinkView;
import dev.datastores.store.StoreStorage;
import dev.datastores.support.TestClock;
import dev.datastores.tenant.ApiKey;
import dev.datastores.tenant.Ids;
import dev.datastores.tenant.Plan;
import dev.datastores.tenant.Plan.PlanView;
import dev.datastores.tenant.TenantStorage;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The storage interfaces' contracts, against PostgreSQL and without HTTP: what each operation answers, as the
 * services rely on it. Expiry is driven by the test clock.
 */
@QuarkusTest
class StorageContractTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    RecordStorage records;

    @Inject
    StoreStorage stores;

    @Inject
    TenantStorage tenants;

    @Inject
    Pool pool;

    @Inject
    TestClock clock;

    @Inject
    Vertx vertx;

    @Test
    void aPutCreatesThenReplacesAndReportsWhatItReplaced() {
        String[] at = newStore();
        PutOutcome created = put(at, "k", "1", null, null, false, false);
        assertThat(created.kind()).isEqualTo(PutOutcome.Kind.CREATED);
        assertThat(created.oldRowExisted()).isFalse();

        PutOutcome replaced = put(at, "k", "22", null, null, false, false);
        assertThat(replaced.kind()).isEqualTo(PutOutcome.Kind.REPLACED);
        assertThat(replaced.version()).isGreaterThan(created.version());
        assertThat(replaced.oldRawBytes()).isEqualTo(1);
        assertThat(replaced.oldRowExisted()).isTrue();
        assertThat(new String(ValueCodec.decode(await(() -> records.get(at[0], at[1], "k")).record().storedValue()),
                StandardCharsets.UTF_8)).isEqualTo("22");
    }

    @Test
    void conditionsAreCheckedInTheSameStatementAsTheWrite() {
        String[] at = newStore();
        assertThat(put(at, "k", "1", null, null, true, false).kind()).as("if-exists on nothing").isEqualTo(PutOutcome.Kind.PRECONDITION_FAILED);
        long version = put(at, "k", "1", null, null, false, true).version();
        assertThat(put(at, "k", "2", null, null, false, true).kind()).as("if-absent on a record").isEqualTo(PutOutcome.Kind.PRECONDITION_FAILED);
        assertThat(put(at, "k", "2", null, version + 1_000_000, false, false).kind()).isEqualTo(PutOutcome.Kind.PRECONDITION_FAILED);
        assertThat(put(at, "k", "2", null, version, false, false).kind()).isEqualTo(PutOutcome.Kind.REPLACED);
        assertThat(await(() -> records.delete(pool, at[0], at[1], "k", version)).kind()).isEqualTo(DeleteOutcome.Kind.PRECONDITION_FAILED);
    }

    @Test
    void anotherWorkspacesStoreIsNoStoreForEveryOperation() {
        String[] at = newStore();
        String[] other = newStore();
        String[] foreign = {other[0], at[1]};
        assertThat(put(foreign, "k", "1", null, null, false, false).kind()).isEqualTo(PutOutcome.Kind.NO_STORE);
        assertThat(await(() -> records.get(foreign[0], foreign[1], "k")).storeFound()).isFalse();
        assertThat(await(() -> records.delete(pool, foreign[0], foreign[1], "k", null)).kind()).isEqualTo(DeleteOutcome.Kind.NO_STORE);
        assertThat(await(() -> records.storeExists(foreign[0], foreign[1]))).isFalse();
        assertThat(await(() -> records.clear(pool, foreign[0], foreign[1])).storeFound()).isFalse();
        assertThat(await(() -> stores.one(foreign[0], foreign[1]))).isNull();
    }

    @Test
    void aRecordIsLiveUntilTheClockPassesItsExpiryThenHiddenThenSwept() {
        String[] at = newStore();
        Instant expiry = clock.instant().plusSeconds(1);
        put(at, "short", "1", expiry, null, false, false);
        put(at, "long", "2", null, null, false, false);
        assertThat(await(() -> records.get(at[0], at[1], "short")).record()).isNotNull();

        clock.advance(Duration.ofSeconds(2));
        assertThat(await(() -> records.get(at[0], at[1], "short")).record()).isNull();
        assertThat(await(() -> records.physical(at[0], at[1], "short")).live()).isFalse();
        assertThat(await(() -> records.page(at[1], "", null, "", 10, false))).extracting(r -> r.key()).containsExactly("long");
        assertThat(await(() -> records.liveCount(at[1]))).isEqualTo(1);
        assertThat(put(at, "short", "3", null, null, false, true).kind()).as("an expired record counts as absent")
                .isEqualTo(PutOutcome.Kind.CREATED);

        put(at, "gone", "4", clock.instant().plusSeconds(1), null, false, false);
        clock.advance(Duration.ofSeconds(2));
        // the scheduled sweeper may take the row first: sweep until nothing expired is left, whoever sweeps it
        List<RecordStorage.Swept> swept;
        do {
            swept = await(() -> records.sweepExpired(10_000));
            assertThat(swept).allSatisfy(store -> assertThat(store.records()).isPositive());
        } while (!swept.isEmpty());
        assertThat(await(() -> records.physical(at[0], at[1], "gone"))).isNull();
        assertThat(await(() -> records.physical(at[0], at[1], "long")).live()).isTrue();
    }

    @Test
    void manyRecordsAreSetAndDeletedInOneTransactionWithExactSizes() {
        String[] at = newStore();
        put(at, "a", "1", null, null, false, false);
        List<Expiring> items = List.of(expiring("a", "11"), expiring("b", "222"));
        RecordStorage.PutManyOutcome outcome = await(() -> pool.withTransaction(tx -> records.putMany(tx, at[0], at[1], items)));
        assertThat(outcome.set()).isEqualTo(2);
        assertThat(outcome.keysAdded()).isEqualTo(1);
        assertThat(outcome.rawDelta()).isEqualTo(1 + 3);

        List<DeleteOutcome> deleted = await(() -> pool.withTransaction(tx -> records.deleteMany(tx, at[0], at[1], List.of("b", "nope"))));
        assertThat(deleted).extracting(DeleteOutcome::kind).containsExactly(DeleteOutcome.Kind.DELETED, DeleteOutcome.Kind.ABSENT);
        assertThat(await(() -> records.physicalMany(at[1], List.of("a", "b"))).rows()).isEqualTo(1);
    }

    @Test
    void anExportedRecordIsDeletedOnlyWhileItIsTheVersionExported() {
        String[] at = newStore();
        long exported = put(at, "kept", "1", null, null, false, false).version();
        long same = put(at, "gone", "1", null, null, false, false).version();
        put(at, "kept", "2", null, null, false, false);
        RecordStorage.Rows removed = await(() -> records.deleteIfUnchanged(pool, at[1], List.of("kept", "gone"), List.of(exported, same)));
        assertThat(removed.rows()).isEqualTo(1);
        assertThat(await(() -> records.get(at[0], at[1], "kept")).record()).isNotNull();
    }

    @Test
    void aStoreNameIsTakenOnceAndALinkedStoreIsNotMarkedForDeletion() {
        String[] at = newStore();
        String name = await(() -> stores.one(at[0], at[1])).name();
        assertThatThrownBy(() -> await(() -> stores.create(at[0], Ids.next("ds_"), name))).isInstanceOf(NameTaken.class);
        assertThat(await(() -> stores.putLink(at[0], at[1], new LinkView("l1", "workflow", "workflow")))).isTrue();
        assertThatThrownBy(() -> await(() -> stores.markDeleting(at[0], at[1]))).isInstanceOf(StoreLinked.class);
    }

    @Test
    void aDeletedStoreTakesItsRecordsWithIt() {
        String[] at = newStore();
        put(at, "a", "1", null, null, false, false);
        put(at, "b", "2", clock.instant().plusSeconds(1), null, false, false);
        clock.advance(Duration.ofSeconds(2));
        await(() -> stores.markDeleting(at[0], at[1]));
        StoreStorage.Deleted deleted = await(() -> pool.withTransaction(tx -> stores.delete(tx, at[0], at[1])));
        assertThat(deleted.store()).isTrue();
        assertThat(deleted.records()).as("expired rows occupy space until deleted too").isEqualTo(2);
        assertThat(await(() -> records.storeExists(at[0], at[1]))).isFalse();
    }

    @Test
    void aPlanIsCreatedThenReplacedAndAnUnknownPlanMakesNoWorkspace() {
        String name = "contract-" + Ids.next("");
        Plan plan = Plan.of(name, new PlanView(name, 1, 2L, 3L, 4, 5, 6));
        assertThat(await(() -> tenants.putPlan(plan))).isTrue();
        assertThat(await(() -> tenants.putPlan(plan))).isFalse();
        assertThat(await(() -> tenants.plan(name)).maxKeys).isEqualTo(2);
        assertThat(await(() -> tenants.createWorkspace(Ids.next("ws_"), "w", "no-such-plan-" + name))).isNull();
    }

    @Test
    void aKeyIsFoundByItsTokenHashUntilItIsDeleted() {
        String workspace = await(() -> tenants.createWorkspace(Ids.next("ws_"), "w", "business")).workspace().id;
        ApiKey key = new ApiKey();
        key.id = Ids.next("key_");
        key.workspaceId = workspace;
        key.name = "k";
        key.scopes = "read";
        key.tokenHash = Ids.next("token_").getBytes(StandardCharsets.UTF_8);
        assertThat(await(() -> tenants.createKey(key))).isNotNull();
        assertThat(await(() -> tenants.useKey(key.tokenHash)).workspaceId).isEqualTo(workspace);
        assertThat(await(() -> tenants.deleteKey("ws_other", key.id))).as("another workspace's key").isNull();
        assertThat(await(() -> tenants.deleteKey(workspace, key.id))).isEqualTo(key.tokenHash);
        assertThat(await(() -> tenants.useKey(key.tokenHash))).isNull();
    }

    /** A new workspace with one store: {workspace id, store id}. */
    private String[] newStore() {
        String workspace = await(() -> tenants.createWorkspace(Ids.next("ws_"), "contract", "business")).workspace().id;
        String store = await(() -> stores.create(workspace, Ids.next("ds_"), "s")).id();
        return new String[] {workspace, store};
    }

    private PutOutcome put(String[] at, String key, String json, Instant expiresAt, Long ifMatch, boolean ifExists,
            boolean ifAbsent) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        return await(() -> records.put(pool, at[0], at[1], key, ValueCodec.encode(raw), raw.length, expiresAt, ifMatch, ifExists, ifAbsent));
    }

    private static Expiring expiring(String key, String json) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        return new Expiring(key, raw, ValueCodec.encode(raw), null);
    }

    /** Runs the storage call on a Vert.x context of its own, as a request would (Hibernate Reactive needs one), and waits. */
    private <T> T await(Supplier<Uni<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> {
            try {
                call.get().subscribe().with(result::complete, result::completeExceptionally);
            } catch (RuntimeException failure) {
                result.completeExceptionally(failure);
            }
        });
        try {
            return result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }
}
