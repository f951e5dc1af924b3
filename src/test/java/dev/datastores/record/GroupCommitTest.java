package dev.datastores.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.codec.ValueCodec;
import dev.datastores.record.RecordStorage.DeleteOutcome;
import dev.datastores.record.RecordStorage.PutOutcome;
import dev.datastores.store.StoreStorage;
import dev.datastores.tenant.Ids;
import dev.datastores.tenant.TenantStorage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Group commit against a sequential model: generated sequences of puts and deletes, conditional and not, on a few
 * keys of one lane, submitted at once so that all but the first share one statement and commit. Every write must
 * get exactly the outcome the model gives it applied alone in arrival order, and the store must end as the model.
 */
@QuarkusTest
class GroupCommitTest {

    private static final long NO_SUCH_VERSION = Long.MAX_VALUE;

    @Inject
    RecordStorage records;

    @Inject
    StoreStorage stores;

    @Inject
    TenantStorage tenants;

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Test
    void generatedGroupsOfMixedWritesGetTheOutcomesOfTheSameWritesAloneInOrder() {
        Random random = new Random(17);
        for (int round = 0; round < 60; round++) {
            String[] at = newStore();
            List<String> keys = keysOfOneLane(1 + random.nextInt(3), "");
            Map<String, Long> setupVersions = new HashMap<>();
            for (String key : keys) {
                if (random.nextBoolean()) {
                    setupVersions.put(key, alone(at, Write.put(key, "\"setup\"", Condition.NONE, null)).version());
                }
            }
            List<Write> writes = IntStream.range(0, 2 + random.nextInt(40))
                    .mapToObj(i -> Write.random(random, keys, setupVersions, i)).toList();

            long groupsBefore = groups().count();
            double writesBefore = groups().totalAmount();
            List<Object> outcomes = submitTogether(at, writes);
            assertThat(groups().count() - groupsBefore).as("the first write alone, the rest as one group").isEqualTo(2);
            assertThat(groups().totalAmount() - writesBefore).isEqualTo(writes.size());

            Model model = new Model(setupVersions.keySet());
            for (int i = 0; i < writes.size(); i++) {
                Write write = writes.get(i);
                Object expected = model.apply(write, setupVersions);
                Object actual = outcomes.get(i);
                String why = "round " + Integer.toString(round) + ", write " + i + " of " + writes;
                if (actual instanceof PutOutcome put) {
                    assertThat(put.kind()).as(why).isEqualTo(expected);
                    if (put.written()) {
                        model.versions.put(write.key, put.version());
                    }
                } else {
                    assertThat(((DeleteOutcome) actual).kind()).as(why).isEqualTo(expected);
                }
            }
            for (String key : keys) {
                StoredRecord stored = await(() -> records.get(at[0], at[1], key)).record();
                if (!model.values.containsKey(key)) {
                    assertThat(stored).as("round %d: %s is deleted", round, key).isNull();
                } else {
                    assertThat(stored).as("round %d: %s exists", round, key).isNotNull();
                    assertThat(new String(ValueCodec.decode(stored.storedValue()), StandardCharsets.UTF_8))
                            .isEqualTo(model.values.get(key));
                    if (model.versions.containsKey(key)) {
                        assertThat(stored.version()).isEqualTo(model.versions.get(key));
                    }
                }
            }
        }
    }

    @Test
    void aWriteThatFailsInAGroupFailsAloneAndTheOthersAreApplied() {
        String[] at = newStore();
        List<String> keys = keysOfOneLane(3, "");
        // PostgreSQL text cannot hold NUL: this write's statement fails, alone or in a group
        String unstorable = keysOfOneLane(1, "\u0000").get(0);
        List<Write> writes = List.of(
                Write.put(keys.get(0), "1", Condition.NONE, null),
                Write.put(keys.get(1), "2", Condition.NONE, null),
                Write.put(unstorable, "3", Condition.NONE, null),
                Write.put(keys.get(2), "4", Condition.NONE, null),
                Write.delete(keys.get(1), Condition.NONE));

        List<Object> outcomes = submitTogether(at, writes);

        assertThat(((PutOutcome) outcomes.get(0)).kind()).isEqualTo(PutOutcome.Kind.CREATED);
        assertThat(((PutOutcome) outcomes.get(1)).kind()).isEqualTo(PutOutcome.Kind.CREATED);
        assertThat(outcomes.get(2)).isInstanceOf(Throwable.class);
        assertThat(((PutOutcome) outcomes.get(3)).kind()).isEqualTo(PutOutcome.Kind.CREATED);
        assertThat(((DeleteOutcome) outcomes.get(4)).kind()).isEqualTo(DeleteOutcome.Kind.DELETED);
        assertThat(await(() -> records.get(at[0], at[1], keys.get(2))).record()).isNotNull();
        assertThat(await(() -> records.get(at[0], at[1], keys.get(1))).record()).isNull();
    }

    @Test
    void writesToAnotherWorkspacesStoreInAGroupFindNoStore() {
        String[] mine = newStore();
        String[] theirs = newStore();
        List<String> keys = keysOfOneLane(2, "");
        List<Object> outcomes = submitTogether(theirs, List.of(Write.put(keys.get(0), "1", Condition.NONE, null),
                Write.put(keys.get(1), "2", Condition.NONE, null)));
        assertThat(((PutOutcome) outcomes.get(1)).kind()).isEqualTo(PutOutcome.Kind.CREATED);

        List<Object> intruding = submitTogether(new String[] {mine[0], theirs[1]}, List.of(
                Write.put(keys.get(0), "x", Condition.NONE, null), Write.put(keys.get(1), "y", Condition.NONE, null),
                Write.delete(keys.get(0), Condition.NONE)));

        assertThat(((PutOutcome) intruding.get(1)).kind()).isEqualTo(PutOutcome.Kind.NO_STORE);
        assertThat(((DeleteOutcome) intruding.get(2)).kind()).isEqualTo(DeleteOutcome.Kind.NO_STORE);
        assertThat(new String(ValueCodec.decode(await(() -> records.get(theirs[0], theirs[1], keys.get(1))).record()
                .storedValue()), StandardCharsets.UTF_8)).isEqualTo("2");
    }

    @Test
    void readsSubmittedTogetherShareOneStatementAndEachGetsItsOwnAnswer() {
        String[] at = newStore();
        String[] other = newStore();
        List<String> keys = keysOfOneLane(3, "");
        alone(at, Write.put(keys.get(0), "\"zero\"", Condition.NONE, null));
        alone(at, Write.put(keys.get(1), "\"one\"", Condition.NONE, null));
        List<String[]> reads = List.of(new String[] {at[0], keys.get(0)}, new String[] {at[0], keys.get(1)},
                new String[] {at[0], keys.get(2)}, new String[] {other[0], keys.get(0)}, new String[] {at[0], keys.get(1)});

        long before = registry.find("datastores.read.group.size").summary().count();
        List<CompletableFuture<RecordStorage.Lookup>> answers = new ArrayList<>();
        reads.forEach(read -> answers.add(new CompletableFuture<>()));
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> {
            for (int i = 0; i < reads.size(); i++) {
                CompletableFuture<RecordStorage.Lookup> answer = answers.get(i);
                records.get(reads.get(i)[0], at[1], reads.get(i)[1]).subscribe().with(answer::complete, answer::completeExceptionally);
            }
        });
        List<RecordStorage.Lookup> lookups = answers.stream().map(GroupCommitTest::get).toList();

        assertThat(registry.find("datastores.read.group.size").summary().count() - before).isEqualTo(2);
        assertThat(text(lookups.get(0).record())).isEqualTo("\"zero\"");
        assertThat(text(lookups.get(1).record())).isEqualTo("\"one\"");
        assertThat(lookups.get(2).storeFound()).isTrue();
        assertThat(lookups.get(2).record()).as("a missing key").isNull();
        assertThat(lookups.get(3).storeFound()).as("another workspace's store is not found").isFalse();
        assertThat(lookups.get(3).record()).isNull();
        assertThat(text(lookups.get(4).record())).as("a key read twice in one group").isEqualTo("\"one\"");
    }

    private static String text(StoredRecord record) {
        return new String(ValueCodec.decode(record.storedValue()), StandardCharsets.UTF_8);
    }

    /** Submits every write from one event-loop turn: the first goes out alone, the others queue behind it. */
    private List<Object> submitTogether(String[] at, List<Write> writes) {
        List<CompletableFuture<Object>> answers = new ArrayList<>();
        writes.forEach(write -> answers.add(new CompletableFuture<>()));
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> {
            for (int i = 0; i < writes.size(); i++) {
                CompletableFuture<Object> answer = answers.get(i);
                writes.get(i).run(records, pool, at).subscribe().with(answer::complete, answer::complete);
            }
        });
        return answers.stream().map(GroupCommitTest::get).toList();
    }

    private DistributionSummary groups() {
        return registry.find("datastores.write.group.size").summary();
    }

    private PutOutcome alone(String[] at, Write put) {
        return (PutOutcome) submitTogether(at, List.of(put)).get(0);
    }

    private static List<String> keysOfOneLane(int count, String suffix) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String key = "k" + i + "/é ✓" + suffix;
            if (Math.floorMod(key.hashCode(), PgPointRecords.LANES) == 0) {
                keys.add(key);
            }
        }
        return keys;
    }

    private String[] newStore() {
        String workspace = await(() -> tenants.createWorkspace(Ids.next("ws_"), "group", "business")).workspace().id;
        String store = await(() -> stores.create(workspace, Ids.next("ds_"), "s")).id();
        return new String[] {workspace, store};
    }

    private <T> T await(Supplier<Uni<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> call.get().subscribe().with(result::complete, result::completeExceptionally));
        return get(result);
    }

    private static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private enum Condition { NONE, IF_MATCH_SETUP, IF_MATCH_NONE, IF_ABSENT, IF_EXISTS }

    private record Write(String key, boolean delete, String json, Condition condition, Long ifMatch) {

        static Write put(String key, String json, Condition condition, Long ifMatch) {
            return new Write(key, false, json, condition, ifMatch);
        }

        static Write delete(String key, Condition condition) {
            return new Write(key, true, null, condition, null);
        }

        static Write random(Random random, List<String> keys, Map<String, Long> setupVersions, int index) {
            String key = keys.get(random.nextInt(keys.size()));
            boolean delete = random.nextInt(4) == 0;
            Condition condition = delete ? List.of(Condition.NONE, Condition.IF_MATCH_SETUP, Condition.IF_MATCH_NONE).get(random.nextInt(3))
                    : Condition.values()[random.nextInt(Condition.values().length)];
            Long ifMatch = switch (condition) {
                case IF_MATCH_SETUP -> setupVersions.getOrDefault(key, NO_SUCH_VERSION);
                case IF_MATCH_NONE -> NO_SUCH_VERSION;
                default -> null;
            };
            return new Write(key, delete, delete ? null : "{\"write\":" + index + "}", condition, ifMatch);
        }

        Uni<Object> run(RecordStorage records, Pool pool, String[] at) {
            if (delete) {
                return records.delete(pool, at[0], at[1], key, ifMatch).map(outcome -> outcome);
            }
            byte[] raw = json.getBytes(StandardCharsets.UTF_8);
            return records.put(pool, at[0], at[1], key, ValueCodec.encode(raw), raw.length, null, ifMatch,
                    condition == Condition.IF_EXISTS, condition == Condition.IF_ABSENT).map(outcome -> outcome);
        }

        @Override
        public String toString() {
            return (delete ? "delete " : "put ") + key + " " + condition;
        }
    }

    /** The store as the writes alone, in order, leave it. */
    private static final class Model {
        final Map<String, String> values = new HashMap<>();
        final Map<String, Long> versions = new HashMap<>();
        final Set<String> atSetupVersion = new HashSet<>();

        Model(Set<String> existing) {
            existing.forEach(key -> values.put(key, "\"setup\""));
            atSetupVersion.addAll(existing);
        }

        /** The outcome kind the write gets alone, and the state after it. */
        Object apply(Write write, Map<String, Long> setupVersions) {
            boolean exists = values.containsKey(write.key);
            boolean matches = write.ifMatch != null && exists && atSetupVersion.contains(write.key)
                    && write.ifMatch.equals(setupVersions.get(write.key));
            if (write.delete) {
                if (write.ifMatch != null && !matches) {
                    return DeleteOutcome.Kind.PRECONDITION_FAILED;
                }
                if (!exists) {
                    return DeleteOutcome.Kind.ABSENT;
                }
                values.remove(write.key);
                versions.remove(write.key);
                atSetupVersion.remove(write.key);
                return DeleteOutcome.Kind.DELETED;
            }
            boolean refused = switch (write.condition) {
                case NONE -> false;
                case IF_MATCH_SETUP, IF_MATCH_NONE -> !matches;
                case IF_ABSENT -> exists;
                case IF_EXISTS -> !exists;
            };
            if (refused) {
                return PutOutcome.Kind.PRECONDITION_FAILED;
            }
            values.put(write.key, write.json);
            atSetupVersion.remove(write.key);
            return exists ? PutOutcome.Kind.REPLACED : PutOutcome.Kind.CREATED;
        }
    }
}
