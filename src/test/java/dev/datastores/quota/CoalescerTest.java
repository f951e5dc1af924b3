package dev.datastores.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The coalescer driven by a hand-held batch function: each call it makes waits until the test answers or fails
 * it. No Vert.x context here, so answers are handed out on the thread that completes the call.
 */
class CoalescerTest {

    private final Redis redis = new Redis();
    private final Coalescer<String, String> coalescer = new Coalescer<>(Integer.MAX_VALUE, redis::send);

    @Test
    void aLoneRequestIsSentAtOnce() {
        CompletableFuture<String> answer = submit("k", "a");

        assertThat(redis.calls).singleElement().satisfies(call -> {
            assertThat(call.key()).isEqualTo("k");
            assertThat(call.requests()).containsExactly("a");
        });
        assertThat(answer).isNotDone();

        redis.call(0).answerEach();
        assertThat(answer).isCompletedWithValue("answer to a");
    }

    @Test
    void aBatchHoldsAtMostMaxBatchRequestsAndTheRestGoNextInOrder() {
        Coalescer<String, String> bounded = new Coalescer<>(2, redis::send);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (String request : List.of("a", "b", "c", "d", "e")) {
            answers.add(bounded.submit("k", request).subscribeAsCompletionStage());
        }

        redis.call(0).answerEach();
        assertThat(redis.call(1).requests()).containsExactly("b", "c");
        redis.call(1).answerEach();
        assertThat(redis.call(2).requests()).containsExactly("d", "e");
        redis.call(2).answerEach();
        assertThat(redis.calls).hasSize(3);
        assertThat(answers).allSatisfy(answer -> assertThat(answer).isDone());
        assertThat(answers.get(4)).isCompletedWithValue("answer to e");
    }

    @Test
    void aRequestIsSentOnlyWhenItsUniIsSubscribed() {
        Uni<String> unsubscribed = coalescer.submit("k", "a");
        assertThat(redis.calls).isEmpty();

        CompletableFuture<String> answer = unsubscribed.subscribeAsCompletionStage();
        assertThat(redis.calls).hasSize(1);
        redis.call(0).answerEach();
        assertThat(answer).isCompletedWithValue("answer to a");
    }

    @Test
    void requestsQueuedWhileOneIsOutGoTogetherInOrder() {
        CompletableFuture<String> a = submit("k", "a");
        CompletableFuture<String> b = submit("k", "b");
        CompletableFuture<String> c = submit("k", "c");
        CompletableFuture<String> d = submit("k", "d");

        assertThat(redis.calls).as("nothing more goes while a call is out").hasSize(1);

        redis.call(0).answerEach();
        assertThat(a).isCompletedWithValue("answer to a");
        assertThat(redis.calls).hasSize(2);
        assertThat(redis.call(1).key()).isEqualTo("k");
        assertThat(redis.call(1).requests()).containsExactly("b", "c", "d");
        assertThat(List.of(b, c, d)).noneMatch(CompletableFuture::isDone);

        redis.call(1).answerEach();
        assertThat(b).isCompletedWithValue("answer to b");
        assertThat(c).isCompletedWithValue("answer to c");
        assertThat(d).isCompletedWithValue("answer to d");
        assertThat(redis.calls).as("an empty queue sends nothing").hasSize(2);
    }

    @Test
    void eachWaiterGetsTheAnswerAtItsOwnIndex() {
        submit("k", "lead");
        CompletableFuture<String> first = submit("k", "same");
        CompletableFuture<String> second = submit("k", "same");
        CompletableFuture<String> third = submit("k", "other");
        redis.call(0).answerEach();

        redis.call(1).answers().complete(List.of("one", "two", "three"));

        assertThat(first).isCompletedWithValue("one");
        assertThat(second).isCompletedWithValue("two");
        assertThat(third).isCompletedWithValue("three");
    }

    @Test
    void requestsQueuedWhileABatchIsOutGoInTheBatchAfterIt() {
        submit("k", "a");
        submit("k", "b");
        redis.call(0).answerEach();
        CompletableFuture<String> c = submit("k", "c");
        CompletableFuture<String> d = submit("k", "d");

        assertThat(redis.calls).hasSize(2);
        redis.call(1).answerEach();

        assertThat(redis.call(2).requests()).containsExactly("c", "d");
        redis.call(2).answerEach();
        assertThat(c).isCompletedWithValue("answer to c");
        assertThat(d).isCompletedWithValue("answer to d");
    }

    @Test
    void aFailedBatchFailsAllItsWaitersAndTheLaneKeepsWorking() {
        CompletableFuture<String> a = submit("k", "a");
        CompletableFuture<String> b = submit("k", "b");
        CompletableFuture<String> c = submit("k", "c");
        RuntimeException down = new IllegalStateException("Redis is down");

        redis.call(0).answers().completeExceptionally(down);
        assertThat(failureOf(a)).isSameAs(down);
        assertThat(redis.call(1).requests()).as("the queue behind a failed call still goes").containsExactly("b", "c");

        redis.call(1).answers().completeExceptionally(down);
        assertThat(failureOf(b)).isSameAs(down);
        assertThat(failureOf(c)).isSameAs(down);

        CompletableFuture<String> after = submit("k", "d");
        assertThat(redis.calls).hasSize(3);
        assertThat(redis.call(2).requests()).containsExactly("d");
        redis.call(2).answerEach();
        assertThat(after).isCompletedWithValue("answer to d");
    }

    @Test
    void aBatchFunctionThatThrowsFailsItsWaitersLikeAFailedCall() {
        RuntimeException broken = new IllegalArgumentException("cannot build the call");
        AtomicInteger calls = new AtomicInteger();
        Coalescer<String, String> throwingOnce = new Coalescer<>(Integer.MAX_VALUE, (key, requests) -> {
            if (calls.getAndIncrement() == 0) {
                throw broken;
            }
            return Uni.createFrom().item(requests.stream().map(request -> "answer to " + request).toList());
        });

        CompletableFuture<String> failed = throwingOnce.submit("k", "a").subscribeAsCompletionStage();
        CompletableFuture<String> after = throwingOnce.submit("k", "b").subscribeAsCompletionStage();

        assertThat(failureOf(failed)).isSameAs(broken);
        assertThat(after).isCompletedWithValue("answer to b");
    }

    @Test
    void answersThatCannotBeMatchedToTheirRequestsFailTheWholeBatchInsteadOfLeavingWaitersHanging() {
        Coalescer<String, String> shortAnswers = new Coalescer<>(Integer.MAX_VALUE, (key, requests) -> Uni.createFrom().item(List.of()));

        CompletableFuture<String> answered = shortAnswers.submit("k", "a").subscribeAsCompletionStage();

        assertThat(failureOf(answered)).isInstanceOf(IllegalStateException.class).hasMessageContaining("got 0 answers");
    }

    @Test
    void differentKeysDoNotWaitForEachOther() {
        CompletableFuture<String> one = submit("one", "a");
        CompletableFuture<String> two = submit("two", "b");

        assertThat(redis.calls).extracting(Call::key).containsExactly("one", "two");

        redis.call(1).answerEach();
        assertThat(two).isCompletedWithValue("answer to b");
        assertThat(one).isNotDone();

        CompletableFuture<String> twoAgain = submit("two", "c");
        assertThat(redis.calls).as("key two is idle although key one is still out").hasSize(3);
        redis.call(2).answerEach();
        assertThat(twoAgain).isCompletedWithValue("answer to c");

        redis.call(0).answerEach();
        assertThat(one).isCompletedWithValue("answer to a");
    }

    @Test
    void nothingWaitsOnceTheLaneIsIdleAgain() {
        submit("k", "a");
        submit("k", "b");
        redis.call(0).answerEach();
        redis.call(1).answerEach();

        CompletableFuture<String> c = submit("k", "c");

        assertThat(redis.calls).hasSize(3);
        assertThat(redis.call(2).requests()).containsExactly("c");
        redis.call(2).answerEach();
        assertThat(c).isCompletedWithValue("answer to c");
    }

    @Test
    void aBatchFunctionThatAnswersAtOnceSendsEachRequestAlone() {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        Coalescer<String, String> immediate = new Coalescer<>(Integer.MAX_VALUE, (key, requests) -> {
            batches.add(List.copyOf(requests));
            return Uni.createFrom().item(requests.stream().map(request -> "answer to " + request).toList());
        });

        assertThat(immediate.submit("k", "a").subscribeAsCompletionStage()).isCompletedWithValue("answer to a");
        assertThat(immediate.submit("k", "b").subscribeAsCompletionStage()).isCompletedWithValue("answer to b");
        assertThat(batches).containsExactly(List.of("a"), List.of("b"));
    }

    /**
     * Threads submit at once to a few keys while calls return on other threads (or at once): every request is
     * sent in exactly one call and answered with its own answer, exactly once; a key never has two calls out;
     * and each thread's requests to a key are sent in the order it submitted them.
     */
    @Property(tries = 150)
    void concurrentSubmissionsAreEachSentAndAnsweredOnceWithOneCallOutPerKey(
            @ForAll @IntRange(min = 2, max = 8) int threads,
            @ForAll @IntRange(min = 1, max = 60) int requestsPerThread,
            @ForAll @IntRange(min = 1, max = 3) int keys,
            @ForAll boolean answersOnAnotherThread) throws Exception {
        Map<String, AtomicInteger> outPerKey = new ConcurrentHashMap<>();
        Map<String, List<List<Request>>> sentPerKey = new ConcurrentHashMap<>();
        AtomicBoolean overlapped = new AtomicBoolean();
        ExecutorService redisThreads = Executors.newFixedThreadPool(3);
        ExecutorService submitters = Executors.newFixedThreadPool(threads);
        try {
            Coalescer<Request, String> concurrent = new Coalescer<>(Integer.MAX_VALUE, (key, requests) -> {
                AtomicInteger out = outPerKey.computeIfAbsent(key, k -> new AtomicInteger());
                if (out.incrementAndGet() > 1) {
                    overlapped.set(true);
                }
                sentPerKey.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(List.copyOf(requests));
                List<String> answers = requests.stream().map(Request::answer).toList();
                // the call is over before its answers are handed out, which may send the next call at once
                if (answersOnAnotherThread) {
                    return Uni.createFrom().completionStage(CompletableFuture.supplyAsync(() -> {
                        out.decrementAndGet();
                        return answers;
                    }, redisThreads));
                }
                return Uni.createFrom().item(() -> {
                    out.decrementAndGet();
                    return answers;
                });
            });

            Map<Request, AtomicInteger> answeredTimes = new ConcurrentHashMap<>();
            Map<Request, String> answers = new ConcurrentHashMap<>();
            CountDownLatch allAnswered = new CountDownLatch(threads * requestsPerThread);
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitters.execute(() -> {
                    await(start);
                    for (int i = 0; i < requestsPerThread; i++) {
                        Request request = new Request(thread, i);
                        answeredTimes.put(request, new AtomicInteger());
                        concurrent.submit("key" + (thread + i) % keys, request).subscribe().with(answer -> {
                            answers.put(request, answer);
                            answeredTimes.get(request).incrementAndGet();
                            allAnswered.countDown();
                        }, failure -> {
                            answers.put(request, "failed: " + failure);
                            allAnswered.countDown();
                        });
                    }
                });
            }
            start.countDown();

            boolean answered = allAnswered.await(5, TimeUnit.SECONDS);
            assertThat(overlapped).as("two calls out at once for one key").isFalse();
            assertThat(answered).as("every request answered").isTrue();
            assertThat(answers).hasSize(threads * requestsPerThread).allSatisfy((request, answer) -> assertThat(answer).isEqualTo(request.answer()));
            assertThat(answeredTimes).allSatisfy((request, times) -> assertThat(times).hasValue(1));

            List<Request> sent = new ArrayList<>();
            sentPerKey.forEach((key, batches) -> {
                List<Request> inSendingOrder = batches.stream().flatMap(List::stream).toList();
                assertThat(inSendingOrder).allMatch(request -> key.equals("key" + (request.thread() + request.index()) % keys));
                Map<Integer, List<Integer>> perThread = new HashMap<>();
                inSendingOrder.forEach(request -> perThread.computeIfAbsent(request.thread(), t -> new ArrayList<>()).add(request.index()));
                perThread.values().forEach(indexes -> assertThat(indexes).isSorted());
                sent.addAll(inSendingOrder);
            });
            assertThat(sent).as("each request sent in exactly one call").doesNotHaveDuplicates()
                    .hasSize(threads * requestsPerThread);
        } finally {
            submitters.shutdownNow();
            redisThreads.shutdownNow();
        }
    }

    private record Request(int thread, int index) {
        String answer() {
            return "answer to " + thread + "/" + index;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<String> submit(String key, String request) {
        return coalescer.submit(key, request).subscribeAsCompletionStage();
    }

    private static Throwable failureOf(CompletableFuture<String> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The batch function: records each call and leaves it out until the test answers it. */
    private static final class Redis {
        private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

        Uni<List<String>> send(String key, List<String> requests) {
            Call call = new Call(key, List.copyOf(requests), new CompletableFuture<>());
            calls.add(call);
            return Uni.createFrom().completionStage(call.answers());
        }

        Call call(int index) {
            return calls.get(index);
        }
    }

    private record Call(String key, List<String> requests, CompletableFuture<List<String>> answers) {
        void answerEach() {
            answers.complete(requests.stream().map(request -> "answer to " + request).toList());
        }
    }
}
