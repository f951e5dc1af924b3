package dev.datastores.change;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.HistoryExpired;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.TooManyWatchers;
import dev.datastores.quota.WatcherSlots;
import dev.datastores.tenant.PlanDirectory;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Watching a store: where a watch starts (a position the client sent back, or the next change), whether the history
 * still reaches back there (410 otherwise), the plan's limit on open watches, and the watch itself.
 */
@ApplicationScoped
public class ChangeService {

    /** Changes read per step of a stream: what one slow stream holds at most beyond the socket's buffers. */
    static final int STREAM_PAGE = 100;
    static final int POLL_PAGE = 1000;
    public static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final ChangeStorage storage;
    private final ChangeFeed feed;
    private final WatcherSlots slots;
    private final PlanDirectory plans;

    public ChangeService(ChangeStorage storage, ChangeFeed feed, WatcherSlots slots, PlanDirectory plans) {
        this.storage = storage;
        this.feed = feed;
        this.slots = slots;
        this.plans = plans;
    }

    /**
     * Opens a watch of the store's changes after {@code since} (null: after its newest change), of keys starting
     * with {@code prefix} (null: all). It holds one of the workspace's watcher slots until it ends.
     */
    public Uni<Watch> watch(String workspaceId, String storeId, Long since, String prefix, boolean values) {
        return plans.planOf(workspaceId).chain(plan -> storage.bounds(workspaceId, storeId).chain(bounds -> {
            if (bounds == null) {
                return Uni.createFrom().failure(new NotFound("Store " + storeId));
            }
            long from = startingPoint(since, bounds);
            return slots.take(workspaceId, plan.maxWatchers).map(slot -> {
                if (slot == null) {
                    throw new TooManyWatchers(plan.maxWatchers);
                }
                return new Watch(feed.open(storeId, bounds.newest()), slot, from, prefix, values);
            });
        }));
    }

    private static long startingPoint(Long since, ChangeStorage.Bounds bounds) {
        if (since == null) {
            return bounds.newest();
        }
        if (since > bounds.newest()) {
            throw DomainException.invalidPosition("Position " + Positions.format(since)
                    + " is past the store's newest change; positions are comparable only within one store");
        }
        // history is kept from `oldest` on: a watch after oldest - 1 misses nothing
        if (bounds.oldest() > 0 && since < bounds.oldest() - 1) {
            throw new HistoryExpired(Positions.format(bounds.oldest()), Positions.format(bounds.newest()));
        }
        return since;
    }

    /** What a stream sends: a change, or a comment that keeps an idle connection open. */
    public sealed interface Streamed {
        record Event(ChangeEvent event) implements Streamed {
        }

        record KeepAlive() implements Streamed {
        }
    }

    /** A long poll's answer: the changes seen, and the position to ask from next. */
    public record Polled(List<ChangeEvent> changes, long next) {
    }

    /** One open watch: a cursor into the store's history, filtered by prefix. */
    public final class Watch {
        private final ChangeFeed.Handle handle;
        private final WatcherSlots.Slot slot;
        private final String prefix;
        private final boolean values;
        private long cursor;
        private long lastSentAt = System.nanoTime();

        private Watch(ChangeFeed.Handle handle, WatcherSlots.Slot slot, long from, String prefix, boolean values) {
            this.handle = handle;
            this.slot = slot;
            this.cursor = from;
            this.prefix = prefix;
            this.values = values;
        }

        public boolean values() {
            return values;
        }

        /**
         * The changes as they commit, until the store is deleted or the client goes away. Back-pressured: the next
         * page is read only when the client has taken the previous one, so a slow client holds one page.
         */
        public Multi<Streamed> stream() {
            Multi<List<Streamed>> steps = Multi.createBy().repeating()
                    .uni(() -> this, watch -> watch.step(STREAM_PAGE, KEEP_ALIVE))
                    .whilst(step -> !feed.stopping() && (step.isEmpty() || !(step.get(step.size() - 1) instanceof Streamed.Event last
                            && last.event().change().kind() == Change.Kind.STORE_DELETED)));
            return Multi.createBy().concatenating().streams(Multi.createFrom().item(new Streamed.KeepAlive()),
                            steps.onItem().transformToIterable(step -> step))
                    .onTermination().invoke(this::close);
        }

        private Uni<List<Streamed>> step(int page, Duration wait) {
            return handle.next(cursor, page, values, wait).map(events -> {
                List<Streamed> sent = new ArrayList<>(events.size());
                for (ChangeEvent event : events) {
                    cursor = event.position();
                    if (event.change().concerns(prefix)) {
                        sent.add(new Streamed.Event(event));
                    }
                }
                if (sent.isEmpty() && System.nanoTime() - lastSentAt >= wait.toNanos()) {
                    sent.add(new Streamed.KeepAlive());
                }
                if (!sent.isEmpty()) {
                    lastSentAt = System.nanoTime();
                }
                return sent;
            });
        }

        /** The changes after the cursor as soon as there is one, or none after {@code wait}; the watch ends with it. */
        public Uni<Polled> poll(Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            return pollUntil(deadline).eventually(this::close);
        }

        private Uni<Polled> pollUntil(long deadline) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Uni.createFrom().item(new Polled(List.of(), cursor));
            }
            return handle.next(cursor, POLL_PAGE, values, Duration.ofNanos(left)).chain(events -> {
                List<ChangeEvent> seen = new ArrayList<>(events.size());
                for (ChangeEvent event : events) {
                    cursor = event.position();
                    if (event.change().concerns(prefix)) {
                        seen.add(event);
                    }
                }
                return seen.isEmpty() && !events.isEmpty() ? pollUntil(deadline) : Uni.createFrom().item(new Polled(seen, cursor));
            });
        }

        private void close() {
            handle.close();
            slots.giveBack(slot);
        }
    }
}
