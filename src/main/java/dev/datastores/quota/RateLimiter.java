package dev.datastores.quota;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests per second per workspace, counted in one-second windows shared by all replicas through
 * Redis ({@code dsr:{ws}:<second>}). While Redis is away each replica counts on its own.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private final RedisAPI redis;
    private final QuotaCounters counters;
    private final Map<String, Window> localWindows = new ConcurrentHashMap<>();

    public RateLimiter(RedisAPI redis, QuotaCounters counters) {
        this.redis = redis;
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
        String key = "dsr:{" + workspaceId + "}:" + second;
        return redis.incr(key)
                .call(count -> count.toLong() == 1 ? redis.pexpire(List.of(key, "2000")) : Uni.createFrom().nullItem())
                .ifNoItem().after(TIMEOUT).fail()
                .map(count -> decide(count.toLong(), perSecond, resetMillis))
                .onFailure().recoverWithItem(() -> decide(countLocally(workspaceId, second), perSecond, resetMillis));
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
