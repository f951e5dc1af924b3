package dev.datastores.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The batcher with the Redis call and the timer in the test's hands: calls are recorded and answered as the test
 * says, and a workspace's flush runs only when the test runs it.
 */
class SettleBatcherTest {

    private final Redis redis = new Redis();
    private final List<Runnable> flushes = new ArrayList<>();
    private final SettleBatcher batcher = new SettleBatcher(redis::settle, flushes::add);

    @Test
    void settlementsOfOneWindowGoAsOneCallWithTheirSums() {
        batcher.settle("ws", new Delta(1, 10, 100), true, null, StoreCounters.ADJUST);
        batcher.settle("ws", new Delta(0, -3, -40), false, null, StoreCounters.ADJUST);
        batcher.settle("ws", new Delta(-1, 5, 7), true, null, StoreCounters.ADJUST);

        assertThat(redis.calls).as("nothing goes before the flush").isEmpty();
        assertThat(flushes).as("one flush for the window").hasSize(1);

        flushes.get(0).run();

        assertThat(redis.calls).singleElement().isEqualTo(
                new Call("ws", new Delta(0, 12, 67), 2, Map.of(), StoreCounters.ADJUST));
    }

    @Test
    void perStoreDeltasMergeByStoreId() {
        batcher.settle("ws", new Delta(0, 1, 10), true, new StoreDelta("s1", 1, 10, 20), StoreCounters.ADJUST);
        batcher.settle("ws", new Delta(0, 2, 5), true, new StoreDelta("s2", 2, 5, 6), StoreCounters.ADJUST);
        batcher.settle("ws", new Delta(0, -1, -4), true, new StoreDelta("s1", -1, -4, -8), StoreCounters.ADJUST);
        batcher.settle("ws", new Delta(0, 0, 0), true, null, StoreCounters.ADJUST);

        flushes.get(0).run();

        assertThat(redis.calls).singleElement().isEqualTo(new Call("ws", new Delta(0, 2, 11), 4,
                Map.of("s1", new StoreDelta("s1", 0, 6, 12), "s2", new StoreDelta("s2", 2, 5, 6)), StoreCounters.ADJUST));
    }

    @Test
    void eachWorkspaceIsMergedAndFlushedOnItsOwn() {
        batcher.settle("a", new Delta(0, 1, 1), false, new StoreDelta("s", 1, 1, 1), StoreCounters.ADJUST);
        batcher.settle("b", new Delta(0, 2, 2), true, new StoreDelta("s", 2, 2, 2), StoreCounters.ADJUST);
        batcher.settle("a", new Delta(0, 4, 4), false, new StoreDelta("s", 4, 4, 4), StoreCounters.ADJUST);

        assertThat(flushes).hasSize(2);
        flushes.get(1).run();
        assertThat(redis.calls).singleElement().isEqualTo(
                new Call("b", new Delta(0, 2, 2), 1, Map.of("s", new StoreDelta("s", 2, 2, 2)), StoreCounters.ADJUST));

        flushes.get(0).run();
        assertThat(redis.calls).element(1).isEqualTo(
                new Call("a", new Delta(0, 5, 5), 0, Map.of("s", new StoreDelta("s", 5, 5, 5)), StoreCounters.ADJUST));
    }

    @Test
    void aSettlementAfterTheFlushStartsANewWindow() {
        batcher.settle("ws", new Delta(0, 1, 1), true, null, StoreCounters.ADJUST);
        flushes.get(0).run();
        flushes.get(0).run();
        assertThat(redis.calls).as("a flush with nothing pending sends nothing").hasSize(1);

        batcher.settle("ws", new Delta(0, 7, 7), false, null, StoreCounters.ADJUST);
        assertThat(flushes).hasSize(2);
        flushes.get(1).run();
        assertThat(redis.calls).extracting(Call::delta).containsExactly(new Delta(0, 1, 1), new Delta(0, 7, 7));
        assertThat(redis.calls).extracting(Call::inflightEnded).containsExactly(1, 0);
    }

    @Test
    void createAndDeleteGoAtOnceAndAreNotMerged() {
        batcher.settle("ws", new Delta(0, 3, 30), true, new StoreDelta("s1", 3, 30, 40), StoreCounters.ADJUST);

        batcher.settle("ws", new Delta(1, 0, 0), true, new StoreDelta("s2", 0, 0, 0), StoreCounters.CREATE);
        assertThat(redis.calls).singleElement().isEqualTo(
                new Call("ws", new Delta(1, 0, 0), 1, Map.of("s2", new StoreDelta("s2", 0, 0, 0)), StoreCounters.CREATE));

        batcher.settle("ws", new Delta(-1, -3, -30), false, new StoreDelta("s1", -3, -30, -40), StoreCounters.DELETE);
        assertThat(redis.calls).element(1).isEqualTo(new Call("ws", new Delta(-1, -3, -30), 0,
                Map.of("s1", new StoreDelta("s1", -3, -30, -40)), StoreCounters.DELETE));

        batcher.settle("ws", new Delta(1, 0, 0), false, null, StoreCounters.CREATE);
        assertThat(redis.calls).element(2).isEqualTo(new Call("ws", new Delta(1, 0, 0), 0, Map.of(), StoreCounters.CREATE));

        assertThat(flushes).as("only the adjustment waits for a flush").hasSize(1);
        flushes.get(0).run();
        assertThat(redis.calls).hasSize(4).element(3).isEqualTo(new Call("ws", new Delta(0, 3, 30), 1,
                Map.of("s1", new StoreDelta("s1", 3, 30, 40)), StoreCounters.ADJUST));
    }

    @Test
    void aFailedSendMarksTheWorkspaceStaleOnceAndTakingDrains() {
        redis.answer = call -> call.workspaceId().equals("broken")
                ? Uni.createFrom().failure(new IllegalStateException("Redis is down")) : Uni.createFrom().voidItem();

        batcher.settle("broken", new Delta(0, 1, 1), true, null, StoreCounters.ADJUST);
        batcher.settle("fine", new Delta(0, 1, 1), true, null, StoreCounters.ADJUST);
        flushes.forEach(Runnable::run);
        batcher.settle("broken", new Delta(-1, 0, 0), false, new StoreDelta("s", 0, 0, 0), StoreCounters.DELETE);
        batcher.settle("fine", new Delta(1, 0, 0), false, new StoreDelta("t", 0, 0, 0), StoreCounters.CREATE);

        assertThat(redis.calls).hasSize(4);
        assertThat(batcher.takeStale()).containsExactly("broken");
        assertThat(batcher.takeStale()).as("taking drains the set").isEmpty();
    }

    @Test
    void aFailureThatArrivesLaterMarksTheWorkspaceStaleWhenItArrives() {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        redis.answer = call -> Uni.createFrom().completionStage(reply);

        batcher.settle("ws", new Delta(1, 0, 0), false, null, StoreCounters.CREATE);
        assertThat(batcher.takeStale()).isEmpty();

        reply.completeExceptionally(new IllegalStateException("timed out"));
        assertThat(batcher.takeStale()).containsExactly("ws");
        assertThat(batcher.takeStale()).isEmpty();
    }

    @Test
    void aStaleWorkspaceFailingAgainBeforeItIsTakenIsTakenOnce() {
        redis.answer = call -> Uni.createFrom().failure(new IllegalStateException("Redis is down"));

        batcher.settle("ws", new Delta(1, 0, 0), false, null, StoreCounters.CREATE);
        batcher.settle("ws", new Delta(-1, 0, 0), false, null, StoreCounters.DELETE);

        assertThat(batcher.takeStale()).containsExactly("ws");
        assertThat(batcher.takeStale()).isEmpty();

        batcher.settle("ws", new Delta(1, 0, 0), false, null, StoreCounters.CREATE);
        assertThat(batcher.takeStale()).as("a failure after taking is taken again").containsExactly("ws");
    }

    @Test
    void successfulSendsLeaveNothingStale() {
        batcher.settle("ws", new Delta(0, 1, 1), true, null, StoreCounters.ADJUST);
        flushes.get(0).run();
        batcher.settle("ws", new Delta(1, 0, 0), false, null, StoreCounters.CREATE);

        assertThat(redis.calls).hasSize(2);
        assertThat(batcher.takeStale()).isEmpty();
    }

    /**
     * Threads settle at once while flushes run on other threads as soon as they are scheduled, racing the
     * settlements that merge into the window being flushed: whatever was submitted is sent, exactly once. Per
     * workspace the sent deltas and in-flight ends add up to the submitted ones, per store too; create and delete
     * each went in a call of their own; no adjusting call names a store twice.
     */
    @Property(tries = 200)
    void concurrentSettlementsLoseNothing(@ForAll("settlements") List<Settlement> settlements,
            @ForAll @IntRange(min = 1, max = 8) int threads) throws Exception {
        Redis concurrentRedis = new Redis();
        ExecutorService timers = Executors.newFixedThreadPool(2);
        ExecutorService settlers = Executors.newFixedThreadPool(threads);
        try {
            SettleBatcher concurrent = new SettleBatcher(concurrentRedis::settle, timers::execute);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(settlers.submit(() -> {
                    start.await();
                    for (int i = thread; i < settlements.size(); i += threads) {
                        Settlement s = settlements.get(i);
                        concurrent.settle(s.workspaceId(), s.delta(), s.endsInflight(), s.store(), s.mode());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> settler : done) {
                settler.get(5, TimeUnit.SECONDS);
            }
            // every flush was scheduled by a settle that has returned; let them all run
            timers.shutdown();
            assertThat(timers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

            List<Call> sent = List.copyOf(concurrentRedis.calls);
            assertThat(totals(sent, Call::workspaceId, Call::delta, Call::inflightEnded))
                    .isEqualTo(totals(settlements, Settlement::workspaceId, Settlement::delta, s -> s.endsInflight() ? 1 : 0));
            assertThat(storeTotals(sent.stream().flatMap(call -> call.stores().values().stream()
                    .map(store -> Map.entry(call.workspaceId(), store))).toList()))
                    .isEqualTo(storeTotals(settlements.stream().filter(s -> s.store() != null)
                            .map(s -> Map.entry(s.workspaceId(), s.store())).toList()));
            assertThat(sent.stream().filter(call -> call.storeMode() != StoreCounters.ADJUST).toList())
                    .as("create and delete sent one each, unmerged")
                    .hasSize((int) settlements.stream().filter(s -> s.mode() != StoreCounters.ADJUST).count());
            assertThat(sent).allSatisfy(call -> assertThat(call.storeCount()).isEqualTo(call.stores().size()));
            assertThat(concurrent.takeStale()).isEmpty();
        } finally {
            settlers.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Provide
    Arbitrary<Settlement> settlement() {
        Arbitrary<Long> small = Arbitraries.longs().between(-1_000, 1_000);
        Arbitrary<Delta> delta = Combinators.combine(Arbitraries.longs().between(-1, 1), small, small.map(n -> n * 37))
                .as(Delta::new);
        Arbitrary<StoreDelta> store = Combinators.combine(Arbitraries.of("s1", "s2", "s3"), small, small, small)
                .as(StoreDelta::new).injectNull(0.3);
        Arbitrary<StoreCounters> mode = Arbitraries.frequency(Tuple.of(8, StoreCounters.ADJUST),
                Tuple.of(1, StoreCounters.CREATE), Tuple.of(1, StoreCounters.DELETE));
        return Combinators.combine(Arbitraries.of("w1", "w2", "w3"), delta, Arbitraries.of(true, false), store, mode)
                .as(Settlement::new);
    }

    @Provide
    Arbitrary<List<Settlement>> settlements() {
        return settlement().list().ofMaxSize(300);
    }

    private record Settlement(String workspaceId, Delta delta, boolean endsInflight, StoreDelta store, StoreCounters mode) {
    }

    /** Per workspace: stores, keys, bytes and in-flight ends, summed. */
    private static <T> Map<String, List<Long>> totals(List<T> items, Function<T, String> workspace, Function<T, Delta> delta,
            Function<T, Integer> inflightEnded) {
        Map<String, List<Long>> totals = new HashMap<>();
        for (T item : items) {
            Delta d = delta.apply(item);
            totals.merge(workspace.apply(item), List.of(d.stores(), d.keys(), d.bytes(), (long) inflightEnded.apply(item)),
                    (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1), a.get(2) + b.get(2), a.get(3) + b.get(3)));
        }
        return totals;
    }

    /** Per workspace and store: records, storage bytes and raw bytes, summed. */
    private static Map<String, List<Long>> storeTotals(List<Map.Entry<String, StoreDelta>> stores) {
        Map<String, List<Long>> totals = new HashMap<>();
        for (Map.Entry<String, StoreDelta> entry : stores) {
            StoreDelta s = entry.getValue();
            totals.merge(entry.getKey() + "/" + s.storeId(), List.of(s.records(), s.storageBytes(), s.rawBytes()),
                    (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1), a.get(2) + b.get(2)));
        }
        return totals;
    }

    /** The settle call: records each call, its stores by id, and answers it with {@link #answer}. */
    private static final class Redis {
        private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
        private volatile Function<Call, Uni<Void>> answer = call -> Uni.createFrom().voidItem();

        Uni<Void> settle(String workspaceId, Delta adjustment, int inflightEnded, Collection<StoreDelta> stores,
                StoreCounters storeMode) {
            Map<String, StoreDelta> byId = new HashMap<>();
            stores.forEach(store -> byId.put(store.storeId(), store));
            Call call = new Call(workspaceId, adjustment, inflightEnded, byId, storeMode, stores.size());
            calls.add(call);
            return answer.apply(call);
        }
    }

    /** One settle call; {@code storeCount} is how many stores it named, so a store named twice shows. */
    private record Call(String workspaceId, Delta delta, int inflightEnded, Map<String, StoreDelta> stores,
            StoreCounters storeMode, int storeCount) {

        Call(String workspaceId, Delta delta, int inflightEnded, Map<String, StoreDelta> stores, StoreCounters storeMode) {
            this(workspaceId, delta, inflightEnded, stores, storeMode, stores.size());
        }
    }
}
