package dev.datastores.quota;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plan's {@code maxWatchers}: open change streams per workspace, counted across replicas in a Redis sorted set
 * per workspace ({@code dsw:{ws}}), one member per open stream scored by when its lease ends. A replica renews its
 * streams' leases while they are open and removes them when they close; a replica that dies leaves leases that end
 * within {@value #LEASE_MILLIS} ms. While Redis is away each replica counts its own streams against the limit.
 */
@ApplicationScoped
public class WatcherSlots {

    static final long LEASE_MILLIS = 30_000;
    private static final QuotaCounters.Script TAKE = new QuotaCounters.Script("""
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """);
    private static final QuotaCounters.Script RENEW = new QuotaCounters.Script("""
            for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i]) end
            redis.call('PEXPIRE', KEYS[1], 60000)
            return 1
            """);
    private static final QuotaCounters.Script GIVE_BACK = new QuotaCounters.Script("""
            redis.call('ZREM', KEYS[1], ARGV[1])
            return 1
            """);

    private final QuotaCounters counters;
    private final Map<String, Slot> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> localCounts = new ConcurrentHashMap<>();

    public WatcherSlots(QuotaCounters counters) {
        this.counters = counters;
    }

    /** One open stream's place in its workspace's count. */
    public record Slot(String workspaceId, String id, boolean shared) {
    }

    /** A slot for one more stream of the workspace, or null when {@code max} are open. */
    public Uni<Slot> take(String workspaceId, int max) {
        String id = UUID.randomUUID().toString();
        if (!counters.available()) {
            return Uni.createFrom().item(takeLocally(workspaceId, id, max));
        }
        long now = System.currentTimeMillis();
        return counters.run(TAKE, List.of(key(workspaceId)), List.of(now, now + LEASE_MILLIS, id, max, 60_000))
                .map(reply -> reply.toInteger() == 1 ? remember(new Slot(workspaceId, id, true)) : null)
                .onFailure(QuotaCounters.RedisUnavailable.class).recoverWithItem(() -> takeLocally(workspaceId, id, max));
    }

    /** Gives the slot back; the stream has ended. */
    public void giveBack(Slot slot) {
        if (open.remove(slot.id()) == null) {
            return;
        }
        localCounts.computeIfPresent(slot.workspaceId(), (ws, count) -> count.decrementAndGet() == 0 ? null : count);
        if (slot.shared()) {
            counters.run(GIVE_BACK, List.of(key(slot.workspaceId())), List.of(slot.id()))
                    .subscribe().with(ignored -> {
                    }, failure -> {
                        // the lease ends by itself
                    });
        }
    }

    /** Keeps the leases of this replica's open streams from ending. */
    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> renew() {
        Map<String, List<Object>> byWorkspace = new ConcurrentHashMap<>();
        long until = System.currentTimeMillis() + LEASE_MILLIS;
        open.values().stream().filter(Slot::shared).forEach(slot -> byWorkspace
                .computeIfAbsent(slot.workspaceId(), ws -> new ArrayList<>(List.of(until))).add(slot.id()));
        return Multi.createFrom().iterable(byWorkspace.entrySet())
                .onItem().transformToUniAndMerge(entry -> counters.run(RENEW, List.of(key(entry.getKey())), entry.getValue())
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
    }

    private Slot takeLocally(String workspaceId, String id, int max) {
        AtomicInteger count = localCounts.computeIfAbsent(workspaceId, ws -> new AtomicInteger());
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return null;
        }
        Slot slot = new Slot(workspaceId, id, false);
        open.put(id, slot);
        return slot;
    }

    private Slot remember(Slot slot) {
        localCounts.computeIfAbsent(slot.workspaceId(), ws -> new AtomicInteger()).incrementAndGet();
        open.put(slot.id(), slot);
        return slot;
    }

    private static String key(String workspaceId) {
        return "dsw:{" + workspaceId + "}";
    }
}
