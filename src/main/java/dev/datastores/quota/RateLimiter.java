package dev.datastores.quota;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests per second per workspace, counted in one-second windows shared by all replicas through
 * Redis ({@code dsr:{ws}:<second>}). A replica's hits on one window while its previous count is out go
 * together in one INCRBY, and each hit gets its own place in the count, so the limit stays exact with
 * far fewer round trips. While Redis is away each replica counts on its own.
 */
@ApplicationScoped
public class RateLimiter {

    private static final QuotaCounters.Script COUNT = new QuotaCounters.Script("""
            local count = redis.call('INCRBY', KEYS[1], ARGV[1])
            if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], 2000) end
            return count
            """);

    private final QuotaCounters counters;
    private final Map<String, Window> localWindows = new ConcurrentHashMap<>();
    private final Coalescer<Integer, Long> hits = new Coalescer<>(Integer.MAX_VALUE, this::count);

    public RateLimiter(QuotaCounters counters) {
        this.counters = counters;
    }

    /** Counts one request and says whether it is allowed, with what the RateLimit headers report. */
    public Uni<Decision> hit(String workspaceId, int perSecond) {
        long now = System.currentTimeMillis();
        long second = now / 1000;
        long resetMillis = (second + 1) * 1000 - now;
        if (!counters.available()) {
            return Uni.createFrom().item(decide(countLocally(workspaceId, second), perSecond, resetMillis));
        }
        return hits.submit("dsr:{" + workspaceId + "}:" + second, 1)
                .map(count -> decide(count, perSecond, resetMillis))
                .onFailure().recoverWithItem(() -> decide(countLocally(workspaceId, second), perSecond, resetMillis));
    }

    /** Counts a batch of hits on one window; the hits get consecutive places ending at the new total. */
    private Uni<List<Long>> count(String key, List<Integer> batch) {
        int added = batch.stream().mapToInt(Integer::intValue).sum();
        return counters.run(COUNT, List.of(key), List.of(added)).map(total -> {
            long place = total.toLong() - added;
            List<Long> places = new ArrayList<>(batch.size());
            for (int hits : batch) {
                place += hits;
                places.add(place);
            }
            return places;
        });
    }

    private long countLocally(String workspaceId, long second) {
        Window window = localWindows.compute(workspaceId,
                (ws, current) -> current == null || current.second != second ? new Window(second, new AtomicLong()) : current);
        return window.count.incrementAndGet();
    }

    private static Decision decide(long count, int perSecond, long resetMillis) {
        long resetSeconds = Math.max(1, (resetMillis + 999) / 1000);
        return new Decision(count <= perSecond, perSecond, Math.max(0, perSecond - count), resetSeconds);
    }

    /** Whether a request may proceed, and the figures for RateLimit-Limit / -Remaining / -Reset. */
    public record Decision(boolean allowed, long limit, long remaining, long resetSeconds) {
    }

    private record Window(long second, AtomicLong count) {
    }
}
