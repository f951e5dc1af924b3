package dev.datastores.change;

import dev.datastores.domain.DomainException.HistoryExpired;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

/**
 * What this replica's watchers wait on. Per watched store it reads new changes once, whoever is watching, keeps the
 * recent ones in a bounded window they all read from, and wakes the watchers that were waiting for them. A watcher
 * behind the window (resuming, or reading slowly) reads from PostgreSQL on its own, a page at a time, as fast as it
 * reads: nothing is held for it.
 * <p>
 * Wake-ups: a write through this replica wakes its store here at once and is published on Redis
 * ({@value #CHANNEL}) for the other replicas, a few milliseconds later with whatever else committed meanwhile; and
 * every {@code datastores.changes.poll-every} each replica asks PostgreSQL for the newest positions of the stores it
 * watches, which catches what no request announced (expiry, export jobs) and whatever Redis lost or could not carry.
 * PostgreSQL's history is the truth either way; a wake-up only says where to look.
 */
@ApplicationScoped
public class ChangeFeed {

    static final String CHANNEL = "datastores:changes";
    static final int WINDOW_CHANGES = 1024;
    static final long WINDOW_BYTES = 8L << 20;
    private static final int READ_PAGE = 512;
    private static final Duration PUBLISH_DELAY = Duration.ofMillis(5);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);

    private final ChangeStorage storage;
    private final ReactivePubSubCommands<String> pubsub;
    private final Map<String, StoreFeed> feeds = new ConcurrentHashMap<>();
    private final Timer deliveryLag;
    private final Set<String> unpublished = new LinkedHashSet<>();
    private boolean publishScheduled;
    private volatile Cancellable subscription;
    private volatile boolean stopping;
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile Vertx vertx;
    private volatile long poller;

    public ChangeFeed(ChangeStorage storage, ReactiveRedisDataSource redis, MeterRegistry registry) {
        this.storage = storage;
        this.pubsub = redis.pubsub(String.class);
        Gauge.builder("datastores.changes.watched.stores", feeds, Map::size)
                .description("Stores this replica has watchers of").register(registry);
        Gauge.builder("datastores.changes.watchers", feeds, open -> open.values().stream().mapToInt(feed -> feed.watchers).sum())
                .description("Open change streams and waiting long polls on this replica").register(registry);
        this.deliveryLag = Timer.builder("datastores.changes.delivery.lag")
                .description("From a change's commit (PostgreSQL's clock) to this replica reading it for its watchers")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void start(@Observes StartupEvent started, Vertx vertx, ChangesConfig config) {
        listen();
        // a timer, not @Scheduled: the scheduler runs nothing more often than once a second
        poller = vertx.setPeriodic(config.pollEvery().toMillis(), tick -> {
            if (polling.compareAndSet(false, true)) {
                poll().eventually(() -> polling.set(false)).subscribe().with(ignored -> {
                });
            }
        });
        this.vertx = vertx;
    }

    /**
     * A replica that stops ends its streams when its shutdown starts, instead of holding the shutdown until they are
     * cut: clients resume from their last position on another replica (EventSource does so by itself).
     */
    void draining(@Observes ShutdownDelayInitiatedEvent draining) {
        endWatches();
    }

    private void endWatches() {
        stopping = true;
        for (StoreFeed feed : feeds.values()) {
            List<Waiter> waiting;
            synchronized (feed) {
                waiting = List.copyOf(feed.waiters);
                feed.waiters.clear();
            }
            waiting.forEach(waiter -> waiter.emitter.complete(false));
        }
    }

    /** Whether this replica is stopping: its watches end and long polls answer at once. */
    public boolean stopping() {
        return stopping;
    }

    void stop(@Observes ShutdownEvent stopped) {
        endWatches();
        if (vertx != null) {
            vertx.cancelTimer(poller);
        }
        Cancellable listening = subscription;
        if (listening != null) {
            listening.cancel();
        }
    }

    private void listen() {
        if (stopping) {
            return;
        }
        subscription = pubsub.subscribe(CHANNEL)
                .subscribe().with(message -> {
                    for (String storeId : message.split(" ")) {
                        wake(storeId);
                    }
                }, failure -> {
                    LOG.debugf("Change notifications from Redis stopped (%s); polling covers the gap", failure.toString());
                    Uni.createFrom().voidItem().onItem().delayIt().by(RESUBSCRIBE_DELAY).subscribe().with(ignored -> listen());
                }, () -> Uni.createFrom().voidItem().onItem().delayIt().by(RESUBSCRIBE_DELAY).subscribe().with(ignored -> listen()));
    }

    /** A watcher of the store from now on, with the store's newest position as the caller just read it. */
    public Handle open(String storeId, long newest) {
        StoreFeed feed = feeds.compute(storeId, (id, existing) -> {
            StoreFeed opened = existing == null ? new StoreFeed(id, newest) : existing;
            opened.watchers++;
            return opened;
        });
        if (feed.head() < newest) {
            refresh(feed);
        }
        return new Handle(feed);
    }

    /** A change committed through this replica: watchers here look at once, other replicas' soon after. */
    public void committed(String storeId) {
        wake(storeId);
        synchronized (unpublished) {
            unpublished.add(storeId);
            if (publishScheduled) {
                return;
            }
            publishScheduled = true;
        }
        Uni.createFrom().voidItem().onItem().delayIt().by(PUBLISH_DELAY).subscribe().with(ignored -> publish());
    }

    private void publish() {
        String message;
        synchronized (unpublished) {
            message = String.join(" ", unpublished);
            unpublished.clear();
            publishScheduled = false;
        }
        pubsub.publish(CHANNEL, message).subscribe().with(ignored -> {
        }, failure -> LOG.debugf("Could not publish change notifications (%s); other replicas poll", failure.toString()));
    }

    void wake(String storeId) {
        StoreFeed feed = feeds.get(storeId);
        if (feed != null) {
            refresh(feed);
        }
    }

    private Uni<Void> poll() {
        if (feeds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return storage.newest(List.copyOf(feeds.keySet())).invoke(newest -> newest.forEach((storeId, position) -> {
            StoreFeed feed = feeds.get(storeId);
            if (feed != null && feed.head() < position) {
                refresh(feed);
            }
        })).onFailure().invoke(failure -> LOG.debugf("Polling for changes failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private void refresh(StoreFeed feed) {
        long from;
        synchronized (feed) {
            if (feed.refreshing) {
                feed.again = true;
                return;
            }
            feed.refreshing = true;
            from = feed.head;
        }
        storage.after(feed.storeId, from, READ_PAGE, true).subscribe().with(changes -> {
            Instant now = Instant.now();
            changes.forEach(change -> deliveryLag.record(Math.max(0, Duration.between(change.recordedAt(), now).toNanos()),
                    TimeUnit.NANOSECONDS));
            List<UniEmitter<? super Boolean>> woken = new ArrayList<>();
            boolean again;
            synchronized (feed) {
                feed.append(changes);
                for (Iterator<Waiter> waiting = feed.waiters.iterator(); waiting.hasNext(); ) {
                    Waiter waiter = waiting.next();
                    if (waiter.after < feed.head) {
                        woken.add(waiter.emitter);
                        waiting.remove();
                    }
                }
                again = feed.again || changes.size() == READ_PAGE;
                feed.again = false;
                feed.refreshing = false;
            }
            woken.forEach(emitter -> emitter.complete(true));
            if (again) {
                refresh(feed);
            }
        }, failure -> {
            synchronized (feed) {
                feed.refreshing = false;
            }
            LOG.debugf("Reading new changes of %s failed (%s); the next poll tries again", feed.storeId, failure.toString());
        });
    }

    /** One watcher's hold on a store's feed. */
    public final class Handle {
        private final StoreFeed feed;
        private boolean closed;

        private Handle(StoreFeed feed) {
            this.feed = feed;
        }

        /**
         * Up to {@code limit} changes after {@code after}, as soon as there is one; an empty list when none came within
         * {@code wait}.
         */
        public Uni<List<ChangeEvent>> next(long after, int limit, boolean values, Duration wait) {
            List<ChangeEvent> known;
            synchronized (feed) {
                if (stopping && after >= feed.head) {
                    return Uni.createFrom().item(List.of());
                }
                if (after >= feed.head) {
                    known = null;
                } else if (after + 1 >= feed.windowStart()) {
                    known = feed.windowAfter(after, limit);
                } else {
                    known = List.of();
                }
            }
            if (known == null) {
                return changed(after, wait).chain(changed -> changed ? next(after, limit, values, wait) : Uni.createFrom().item(List.of()));
            }
            if (!known.isEmpty()) {
                return Uni.createFrom().item(known);
            }
            return storage.after(feed.storeId, after, limit, values).chain(changes -> {
                // positions are dense: a first one past after + 1 means the history after it was pruned meanwhile
                if (!changes.isEmpty() && changes.get(0).position() != after + 1) {
                    long oldest = changes.get(0).position();
                    return storage.newest(List.of(feed.storeId)).map(newest -> {
                        throw new HistoryExpired(Positions.format(oldest), Positions.format(newest.getOrDefault(feed.storeId, oldest)));
                    });
                }
                return Uni.createFrom().item(changes.stream().map(ChangeEvent::new).toList());
            });
        }

        private Uni<Boolean> changed(long after, Duration wait) {
            return Uni.createFrom().<Boolean>emitter(emitter -> {
                Waiter waiter = new Waiter(after, emitter);
                boolean already;
                synchronized (feed) {
                    already = feed.head > after;
                    if (!already) {
                        feed.waiters.add(waiter);
                    }
                }
                if (already) {
                    emitter.complete(true);
                } else {
                    emitter.onTermination(() -> {
                        synchronized (feed) {
                            feed.waiters.remove(waiter);
                        }
                    });
                }
            }).ifNoItem().after(wait).recoverWithItem(false);
        }

        /** Ends the hold; the store's feed goes with its last watcher. */
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            feeds.computeIfPresent(feed.storeId, (id, existing) -> --existing.watchers == 0 ? null : existing);
        }
    }

    private record Waiter(long after, UniEmitter<? super Boolean> emitter) {
    }

    /** A watched store's recent changes: positions windowStart() … head, contiguous, oldest first. */
    private static final class StoreFeed {
        private final String storeId;
        private final ArrayDeque<ChangeEvent> window = new ArrayDeque<>();
        private final List<Waiter> waiters = new ArrayList<>();
        private long head;
        private long windowBytes;
        private int watchers;
        private boolean refreshing;
        private boolean again;

        StoreFeed(String storeId, long head) {
            this.storeId = storeId;
            this.head = head;
        }

        synchronized long head() {
            return head;
        }

        long windowStart() {
            return window.isEmpty() ? head + 1 : window.peekFirst().position();
        }

        void append(List<Change> changes) {
            for (Change change : changes) {
                if (change.position() <= head) {
                    continue;
                }
                if (change.position() != head + 1) {
                    // not the next position (this replica's view started later, or history was pruned): start afresh
                    window.clear();
                    windowBytes = 0;
                }
                window.addLast(new ChangeEvent(change));
                windowBytes += change.footprint();
                head = change.position();
            }
            while (window.size() > WINDOW_CHANGES || (windowBytes > WINDOW_BYTES && window.size() > 1)) {
                windowBytes -= window.removeFirst().change().footprint();
            }
        }

        List<ChangeEvent> windowAfter(long after, int limit) {
            List<ChangeEvent> found = new ArrayList<>(Math.min(limit, window.size()));
            for (ChangeEvent event : window) {
                if (event.position() > after) {
                    found.add(event);
                    if (found.size() == limit) {
                        break;
                    }
                }
            }
            return found;
        }
    }
}
