package dev.datastores.quota;

import dev.datastores.domain.DomainException.Limit;
import io.smallrye.mutiny.Uni;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The fast quota counters in Redis. One hash per workspace ({@code dsq:{ws}}: stores, keys, bytes,
 * plus {@code inflight} writes and a {@code seq} that every write bumps) and one per store
 * ({@code dsq:{ws}:ds_…}: records, bytes, raw). The braces put a workspace's keys in one hash slot,
 * so every script touches one slot and works on a Redis Cluster.
 */
@ApplicationScoped
public class QuotaCounters {

    private static final Logger LOG = Logger.getLogger(QuotaCounters.class);
    /** The limits as the reserve script checks them, one per delta: stores, keys, bytes. */
    private static final List<Limit> LIMITS_IN_SCRIPT_ORDER = List.of(Limit.STORES, Limit.KEYS, Limit.STORAGE_BYTES);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final long BACKOFF_MILLIS = 1000;

    /**
     * Reservations of one workspace, checked in order against what the earlier ones took: each passes and
     * is added, or is refused alone. ARGV: per reservation its three deltas and three limits.
     */
    private static final Script RESERVE = new Script("""
            local outcomes = {}
            if redis.call('EXISTS', KEYS[1]) == 0 then
              for at = 0, #ARGV - 1, 6 do outcomes[#outcomes + 1] = {'uninitialised'} end
              return outcomes
            end
            local stored = redis.call('HMGET', KEYS[1], 'stores', 'keys', 'bytes')
            local used = {tonumber(stored[1]) or 0, tonumber(stored[2]) or 0, tonumber(stored[3]) or 0}
            local reserved = 0
            for at = 0, #ARGV - 1, 6 do
              local outcome = {'ok'}
              for i = 1, 3 do
                local delta = tonumber(ARGV[at + i])
                if delta > 0 and used[i] + delta > tonumber(ARGV[at + i + 3]) then
                  outcome = {'exceeded', tostring(i), ARGV[at + i + 3], tostring(used[i])}
                  break
                end
              end
              if outcome[1] == 'ok' then
                for i = 1, 3 do used[i] = used[i] + tonumber(ARGV[at + i]) end
                redis.call('HINCRBY', KEYS[1], 'stores', ARGV[at + 1])
                redis.call('HINCRBY', KEYS[1], 'keys', ARGV[at + 2])
                redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[at + 3])
                reserved = reserved + 1
              end
              outcomes[#outcomes + 1] = outcome
            end
            if reserved > 0 then
              redis.call('HINCRBY', KEYS[1], 'inflight', reserved)
              redis.call('HINCRBY', KEYS[1], 'seq', 1)
            end
            return outcomes
            """);

    /** ARGV: stores, keys, bytes, in-flight change, store mode ('adjust', 'create', 'delete'), then per store key its three deltas. */
    private static final Script SETTLE = new Script("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('HINCRBY', KEYS[1], 'stores', ARGV[1])
            redis.call('HINCRBY', KEYS[1], 'keys', ARGV[2])
            redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[3])
            if redis.call('HINCRBY', KEYS[1], 'inflight', ARGV[4]) < 0 then redis.call('HSET', KEYS[1], 'inflight', 0) end
            redis.call('HINCRBY', KEYS[1], 'seq', 1)
            for i = 2, #KEYS do
              local at = 6 + (i - 2) * 3
              if ARGV[5] == 'delete' then redis.call('DEL', KEYS[i])
              elseif ARGV[5] == 'create' then redis.call('HSET', KEYS[i], 'records', 0, 'bytes', 0, 'raw', 0)
              elseif redis.call('EXISTS', KEYS[i]) == 1 then
                redis.call('HINCRBY', KEYS[i], 'records', ARGV[at])
                redis.call('HINCRBY', KEYS[i], 'bytes', ARGV[at + 1])
                redis.call('HINCRBY', KEYS[i], 'raw', ARGV[at + 2])
              end
            end
            return 1
            """);

    /**
     * mode 'init': only where absent; 'if-quiet': only while nothing is in flight and seq is unchanged; 'force'.
     * Answers 0 when nothing was set, 1 when set, 2 when set over workspace counters that differed: a repair.
     */
    private static final Script REBUILD = new Script("""
            local mode = ARGV[1]
            if mode == 'init' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            if mode == 'if-quiet' then
              local state = redis.call('HMGET', KEYS[1], 'seq', 'inflight')
              if state[1] ~= ARGV[2] or (state[2] and state[2] ~= '0') then return 0 end
            end
            local was = redis.call('HMGET', KEYS[1], 'stores', 'keys', 'bytes')
            local answer = 1
            if mode ~= 'init' and (was[1] ~= ARGV[3] or was[2] ~= ARGV[4] or was[3] ~= ARGV[5]) then answer = 2 end
            redis.call('HSET', KEYS[1], 'stores', ARGV[3], 'keys', ARGV[4], 'bytes', ARGV[5], 'inflight', 0)
            redis.call('HINCRBY', KEYS[1], 'seq', 1)
            for i = 2, #KEYS do
              local at = 6 + (i - 2) * 3
              redis.call('HSET', KEYS[i], 'records', ARGV[at], 'bytes', ARGV[at + 1], 'raw', ARGV[at + 2])
            end
            return answer
            """);

    /** Moves the shared reconciliation cursor from ARGV[1] to ARGV[2], unless another replica moved it first. */
    private static final Script CLAIM_SWEEP = new Script("""
            if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[2])
            return 1
            """);
    private static final String SWEEP_CURSOR = "dsq:reconcile-cursor";

    private final RedisAPI redis;
    private final Coalescer<Request, Reservation> reservations = new Coalescer<>(Integer.MAX_VALUE, this::reserveAll);
    private volatile long unavailableUntil;
    private volatile boolean degraded;
    private final Counter driftRepairs;
    private final Counter deadWriterRepairs;

    public QuotaCounters(RedisAPI redis, MeterRegistry registry) {
        this.redis = redis;
        driftRepairs = repairs(registry, "drift");
        deadWriterRepairs = repairs(registry, "dead-writers");
        Gauge.builder("datastores.redis.degraded", this, counters -> counters.degraded ? 1 : 0)
                .description("1 while Redis cannot be reached: quota falls back to PostgreSQL, rate limits count per replica")
                .register(registry);
    }

    /**
     * Rebuilds that found a workspace's counters different from PostgreSQL's figures: {@code drift} (missed
     * settlements, a Redis that lost writes) or {@code dead-writers} (in-flight marks of writers that died).
     */
    private static Counter repairs(MeterRegistry registry, String reason) {
        return Counter.builder("datastores.quota.counter.repairs").tag("reason", reason)
                .description("Quota counters set to PostgreSQL's figures because they differed").register(registry);
    }

    /** The outcome of a reservation. */
    public sealed interface Reservation {
        /** Room was reserved. */
        record Reserved() implements Reservation {
        }

        /** The counters of this workspace are not in Redis (first use, or Redis lost them). */
        record Uninitialised() implements Reservation {
        }

        /** A limit would be passed. */
        record Exceeded(Limit limit, long allowed, long used) implements Reservation {
        }
    }

    /**
     * Reserves room for one write. A replica's reservations for one workspace made while its previous call
     * is out go to Redis together, still checked one by one.
     */
    public Uni<Reservation> reserve(String workspaceId, Delta delta, long maxStores, long maxKeys, long maxBytes) {
        return reservations.submit(workspaceKey(workspaceId), new Request(delta, maxStores, maxKeys, maxBytes));
    }

    private Uni<List<Reservation>> reserveAll(String workspaceKey, List<Request> requests) {
        List<Object> args = new ArrayList<>(requests.size() * 6);
        for (Request request : requests) {
            args.addAll(List.of(request.delta.stores(), request.delta.keys(), request.delta.bytes(),
                    request.maxStores, request.maxKeys, request.maxBytes));
        }
        return run(RESERVE, List.of(workspaceKey), args).map(replies -> {
            List<Reservation> outcomes = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                Response reply = replies.get(i);
                outcomes.add(switch (reply.get(0).toString()) {
                    case "ok" -> new Reservation.Reserved();
                    case "uninitialised" -> new Reservation.Uninitialised();
                    default -> new Reservation.Exceeded(LIMITS_IN_SCRIPT_ORDER.get(reply.get(1).toInteger() - 1), reply.get(2).toLong(), reply.get(3).toLong());
                });
            }
            return outcomes;
        });
    }

    private record Request(Delta delta, long maxStores, long maxKeys, long maxBytes) {
    }

    /**
     * Applies what writes changed beyond what they reserved, and ends {@code inflightEnded} in-flight marks.
     * {@code storeMode}: "adjust" the listed stores' counters, or "create" / "delete" them.
     */
    public Uni<Void> settle(String workspaceId, Delta adjustment, int inflightEnded, Collection<StoreDelta> stores,
            StoreCounters storeMode) {
        List<String> keys = new ArrayList<>(stores.size() + 1);
        keys.add(workspaceKey(workspaceId));
        List<Object> args = new ArrayList<>(stores.size() * 3 + 5);
        args.addAll(List.of(adjustment.stores(), adjustment.keys(), adjustment.bytes(), -inflightEnded, storeMode.scriptArgument()));
        for (StoreDelta store : stores) {
            keys.add(storeKey(workspaceId, store.storeId()));
            args.addAll(List.of(store.records(), store.storageBytes(), store.rawBytes()));
        }
        return run(SETTLE, keys, args).replaceWithVoid();
    }

    /** Sets a workspace's counters to PostgreSQL's figures, per {@code mode} (see REBUILD). */
    Uni<Boolean> rebuild(String workspaceId, Rebuild mode, String expectedSeq, Usage usage, List<StoreDelta> stores) {
        List<String> keys = new ArrayList<>(stores.size() + 1);
        keys.add(workspaceKey(workspaceId));
        List<Object> args = new ArrayList<>(stores.size() * 3 + 5);
        args.addAll(List.of(mode.scriptArgument(), expectedSeq == null ? "" : expectedSeq, usage.stores(), usage.keys(), usage.storageBytes()));
        for (StoreDelta store : stores) {
            keys.add(storeKey(workspaceId, store.storeId()));
            args.addAll(List.of(store.records(), store.storageBytes(), store.rawBytes()));
        }
        return run(REBUILD, keys, args).map(reply -> {
            if (reply.toInteger() == 2) {
                (mode == Rebuild.FORCE ? deadWriterRepairs : driftRepairs).increment();
            }
            return reply.toInteger() >= 1;
        });
    }

    /** The write sequence number and in-flight count, or null when the workspace has no counters. */
    public Uni<long[]> state(String workspaceId) {
        return call(redis.hmget(List.of(workspaceKey(workspaceId), "seq", "inflight"))).map(reply ->
                reply.get(0) == null ? null : new long[] {reply.get(0).toLong(), reply.get(1) == null ? 0 : reply.get(1).toLong()});
    }

    /** The workspace's counted usage, or null when it has no counters. */
    public Uni<Usage> usage(String workspaceId) {
        return call(redis.hmget(List.of(workspaceKey(workspaceId), "stores", "keys", "bytes"))).map(reply ->
                reply.get(0) == null ? null : new Usage(reply.get(0).toLong(), reply.get(1).toLong(), reply.get(2).toLong()));
    }

    /** Counted records, storage and raw bytes of each store, or null when any store has no counters. */
    public Uni<Map<String, StoreDelta>> stores(String workspaceId, List<String> storeIds) {
        if (storeIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<Uni<Response>> reads = storeIds.stream()
                .map(id -> call(redis.hmget(List.of(storeKey(workspaceId, id), "records", "bytes", "raw")))).toList();
        return Uni.join().all(reads).andFailFast().map(replies -> {
            Map<String, StoreDelta> stats = new java.util.HashMap<>();
            for (int i = 0; i < replies.size(); i++) {
                Response reply = replies.get(i);
                if (reply.get(0) == null) {
                    return null;
                }
                stats.put(storeIds.get(i), new StoreDelta(storeIds.get(i), reply.get(0).toLong(), reply.get(1).toLong(),
                        reply.get(2).toLong()));
            }
            return stats;
        });
    }

    /** The last workspace id the reconciliation sweep of all replicas has claimed; "" to start from the first. */
    public Uni<String> sweepCursor() {
        return call(redis.get(SWEEP_CURSOR)).map(reply -> reply == null ? "" : reply.toString());
    }

    /** Claims the workspaces after {@code from} up to {@code to} for this replica; false when another claimed them. */
    public Uni<Boolean> claimSweep(String from, String to) {
        return run(CLAIM_SWEEP, List.of(SWEEP_CURSOR), List.of(from, to)).map(reply -> reply.toInteger() == 1);
    }

    /** False for a moment after Redis failed, so requests fall back at once instead of each waiting for it. */
    public boolean available() {
        return System.currentTimeMillis() >= unavailableUntil;
    }

    /** Whether the last call to Redis failed: the service serves, with quota checked in PostgreSQL. */
    public boolean degraded() {
        return degraded;
    }

    /** A ping that also closes the back-off when Redis answers again. */
    public Uni<Boolean> probe() {
        return redis.ping(List.of()).ifNoItem().after(TIMEOUT).fail()
                .map(pong -> {
                    unavailableUntil = 0;
                    degraded = false;
                    return true;
                })
                .onFailure().recoverWithItem(() -> {
                    degraded = true;
                    return false;
                });
    }

    static String workspaceKey(String workspaceId) {
        return "dsq:{" + workspaceId + "}";
    }

    static String storeKey(String workspaceId, String storeId) {
        return "dsq:{" + workspaceId + "}:" + storeId;
    }

    /** Runs a script on keys of one hash slot, sending its body only when Redis does not know it yet. */
    Uni<Response> run(Script script, List<String> keys, List<Object> args) {
        List<String> command = new ArrayList<>(keys.size() + args.size() + 2);
        command.add(script.sha());
        command.add(Integer.toString(keys.size()));
        command.addAll(keys);
        args.forEach(arg -> command.add(String.valueOf(arg)));
        return call(redis.evalsha(command)).onFailure(QuotaCounters::isNoScript).recoverWithUni(() -> {
            List<String> withBody = new ArrayList<>(command);
            withBody.set(0, script.body());
            return call(redis.eval(withBody));
        });
    }

    private Uni<Response> call(Uni<Response> command) {
        if (!available()) {
            return Uni.createFrom().failure(new RedisUnavailable("Redis failed recently"));
        }
        return command.ifNoItem().after(TIMEOUT).fail()
                .invoke(() -> degraded = false)
                .onFailure(failure -> !isNoScript(failure)).transform(failure -> {
                    if (available()) {
                        LOG.warnf("Redis unreachable (%s); quota falls back to PostgreSQL", failure.toString());
                    }
                    degraded = true;
                    unavailableUntil = System.currentTimeMillis() + BACKOFF_MILLIS;
                    return new RedisUnavailable(failure.toString());
                });
    }

    private static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    /** Redis could not be reached; callers fall back to PostgreSQL. */
    public static final class RedisUnavailable extends RuntimeException {
        RedisUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** A Lua script and its SHA-1, by which Redis runs it once it has seen it. */
    record Script(String body, String sha) {
        Script(String body) {
            this(body, sha1(body));
        }

        private static String sha1(String body) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }
}
