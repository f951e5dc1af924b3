package dev.datastores.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link StoreClient#watch(Watch)} watches: {@code Watch.from(position)} or {@code Watch.fromNow()}, then
 * {@link #prefix}, {@link #values}, backoff and a listener for reconnections.
 */
public final class Watch {

    final String since;
    String prefix;
    boolean values = true;
    Duration initialDelay = Duration.ofMillis(500);
    Duration maxDelay = Duration.ofSeconds(30);
    Duration idleTimeout = Duration.ofSeconds(45);
    Consumer<Reconnect> onReconnect = reconnect -> { };

    private Watch(String since) {
        this.since = since;
    }

    /** From the store's next change. */
    public static Watch fromNow() {
        return new Watch(null);
    }

    /** After {@code position} (the last one processed, or a long poll's {@code next}); {@code null}: from now. */
    public static Watch from(String position) {
        return new Watch(position);
    }

    /** Only changes of keys that start with {@code prefix} (clears and the store's deletion always come). */
    public Watch prefix(String prefix) {
        this.prefix = prefix;
        return this;
    }

    /** {@code false} leaves the values out of {@code set} changes. */
    public Watch values(boolean values) {
        this.values = values;
        return this;
    }

    /** The first wait before reconnecting (doubled on each failed attempt, with jitter) and the longest one. */
    public Watch backoff(Duration initial, Duration max) {
        this.initialDelay = Objects.requireNonNull(initial);
        this.maxDelay = Objects.requireNonNull(max);
        return this;
    }

    /** A connection silent for this long is taken as dead and replaced (default 45 s; the service sends a
     * comment line at least every 15 s). */
    public Watch idleTimeout(Duration idleTimeout) {
        this.idleTimeout = Objects.requireNonNull(idleTimeout);
        return this;
    }

    /** Told before every reconnection. */
    public Watch onReconnect(Consumer<Reconnect> listener) {
        this.onReconnect = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * A reconnection about to happen.
     *
     * @param attempt 1 for the first after a working connection, then 2, 3, … while they keep failing
     * @param delay the wait before it
     * @param cause why the last connection ended or was refused
     * @param position where it resumes: after the last change given out
     */
    public record Reconnect(int attempt, Duration delay, Exception cause, String position) {
    }
}
