package dev.datastores.quota;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One Redis call at a time per key: while a call is out, later requests for the same key queue and go
 * together in the next call. Under load many requests share one round trip; alone, a request goes at
 * once and waits for nothing. The batch function answers a batch's requests in order, so anything it
 * decides request by request (a script checking each reservation against what the earlier ones took)
 * stays as exact as one call per request. A batch holds at most {@code maxBatch} requests; the rest wait for
 * the next.
 *
 * @param <R> a request
 * @param <T> its answer
 */
public final class Coalescer<R, T> {

    private final Map<String, Lane<R, T>> lanes = new ConcurrentHashMap<>();
    private final BiFunction<String, List<R>, Uni<List<T>>> sendBatch;
    private final int maxBatch;

    /** {@code sendBatch} gets a key and up to {@code maxBatch} of its queued requests and answers each, in order. */
    public Coalescer(int maxBatch, BiFunction<String, List<R>, Uni<List<T>>> sendBatch) {
        this.maxBatch = maxBatch;
        this.sendBatch = sendBatch;
    }

    public Uni<T> submit(String key, R request) {
        return Uni.createFrom().emitter(emitter -> {
            Waiter<R, T> waiter = new Waiter<>(request, emitter, Vertx.currentContext());
            boolean[] leads = {false};
            lanes.compute(key, (k, lane) -> {
                if (lane == null) {
                    leads[0] = true;
                    return new Lane<>();
                }
                lane.queued.add(waiter);
                return lane;
            });
            if (leads[0]) {
                send(key, List.of(waiter));
            }
        });
    }

    private void send(String key, List<Waiter<R, T>> batch) {
        List<R> requests = new ArrayList<>(batch.size());
        batch.forEach(waiter -> requests.add(waiter.request));
        Uni<List<T>> answers;
        try {
            answers = sendBatch.apply(key, requests).invoke(results -> {
                if (results == null || results.size() != requests.size()) {
                    // answers cannot be matched to requests: fail them all rather than leave some waiting for ever
                    throw new IllegalStateException("a batch of " + requests.size() + " requests got "
                            + (results == null ? "no" : results.size()) + " answers");
                }
            });
        } catch (RuntimeException failure) {
            answers = Uni.createFrom().failure(failure);
        }
        answers.subscribe().with(
                results -> {
                    sendNext(key);
                    for (int i = 0; i < batch.size(); i++) {
                        T result = results.get(i);
                        batch.get(i).answer(emitter -> emitter.complete(result));
                    }
                },
                failure -> {
                    sendNext(key);
                    batch.forEach(waiter -> waiter.answer(emitter -> emitter.fail(failure)));
                });
    }

    private void sendNext(String key) {
        List<List<Waiter<R, T>>> next = new ArrayList<>(1);
        lanes.compute(key, (k, lane) -> {
            if (lane.queued.isEmpty()) {
                return null;
            }
            if (lane.queued.size() <= maxBatch) {
                next.add(lane.queued);
                lane.queued = new ArrayList<>();
            } else {
                List<Waiter<R, T>> first = lane.queued.subList(0, maxBatch);
                next.add(new ArrayList<>(first));
                first.clear();
            }
            return lane;
        });
        if (!next.isEmpty()) {
            send(key, next.get(0));
        }
    }

    /** Requests waiting for the call in flight to return. Mutated only inside the map's compute. */
    private static final class Lane<R, T> {
        private List<Waiter<R, T>> queued = new ArrayList<>();
    }

    private record Waiter<R, T>(R request, UniEmitter<? super T> emitter, Context context) {

        /** Answers on the requester's own Vert.x context, so its request carries on where it began. */
        void answer(Consumer<UniEmitter<? super T>> outcome) {
            if (context == null || context == Vertx.currentContext()) {
                outcome.accept(emitter);
            } else {
                context.runOnContext(ignored -> outcome.accept(emitter));
            }
        }
    }
}
