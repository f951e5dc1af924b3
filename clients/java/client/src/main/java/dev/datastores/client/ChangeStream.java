package dev.datastores.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A store's changes in commit order, read from {@code GET …/changes} as Server-Sent Events: a blocking iterator
 * that reconnects by itself after a lost connection (or a 429, a 5xx, a stream silent for the idle timeout) with
 * exponential backoff, resuming after the last change it gave out ({@code Last-Event-ID}), so nothing is skipped or
 * repeated. It ends after a {@code store-deleted} change, or when {@link #close()}d (from any thread).
 * {@link #hasNext()} throws a {@link DatastoresException} when the service refuses the watch for good: 410
 * {@code history-expired} ({@link DatastoresException#isHistoryExpired()}, members {@code oldest} and {@code next}),
 * 404, 400, 401, 403. Not thread-safe, except for {@code close()}.
 */
public final class ChangeStream implements Iterator<Change>, AutoCloseable {

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "datastores-watch-idle");
        thread.setDaemon(true);
        return thread;
    });

    private final Datastores datastores;
    private final String path;
    private final Watch watch;
    private final ObjectMapper exact;
    private final ArrayDeque<Change> pending = new ArrayDeque<>();
    private String position;
    private int attempt;
    private int reconnects;
    private boolean ended;
    private Change next;
    private volatile boolean closed;
    private volatile InputStream body;
    private BufferedReader reader;
    private int linesOnConnection;
    private volatile long lastRead;
    private ScheduledFuture<?> idleCheck;

    ChangeStream(Datastores datastores, String path, Watch watch) {
        this.datastores = datastores;
        this.path = path;
        this.watch = watch;
        this.position = watch.since;
        this.exact = datastores.mapper().copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }

    /** The position of the last change given out (or the starting one): where a reconnection resumes. */
    public synchronized String position() {
        return position;
    }

    /**
     * Fixes where the watch starts and returns that position: the {@code since} it was given, else the store's
     * current position, asked for with a long poll of at most 1 s. Every change committed after this returns is
     * given out. Optional: the first {@code hasNext()} does it too.
     */
    public String start() {
        while (position() == null && !closed) {
            try {
                poll(null);
            } catch (DatastoresException refused) {
                if (!retryable(refused)) {
                    throw refused;
                }
                retryAfter(refused);
            } catch (UncheckedIOException unreachable) {
                retryAfter(unreachable);
            }
        }
        return position();
    }

    /** How many times the watch connected again after losing or being refused a connection. */
    public int reconnects() {
        return reconnects;
    }

    /** The changes as a stream, to use in try-with-resources (closing the stream closes the watch). */
    public Stream<Change> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(this::close);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public Change next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Change change = next;
        next = null;
        return change;
    }

    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    private Change advance() {
        while (!closed) {
            if (!pending.isEmpty()) {
                return deliver(pending.poll());
            }
            try {
                if (position == null) {
                    // without a position a reconnection could not say where to resume: learn the current one first
                    poll(null);
                    continue;
                }
                if (reader == null) {
                    connect();
                }
                Change change = readChange();
                if (change != null) {
                    return deliver(change);
                }
                recover(new IOException("the service closed the stream"));
            } catch (DatastoresException refused) {
                disconnect();
                if (closed) {
                    break;
                }
                if (!retryable(refused)) {
                    throw refused;
                }
                retryAfter(refused);
            } catch (IOException | UncheckedIOException lost) {
                if (closed) {
                    break;
                }
                if (lost instanceof IOException broken) {
                    recover(broken); // the stream broke after its 200
                } else {
                    disconnect();
                    retryAfter(lost);
                }
            }
        }
        ended = true;
        return null;
    }

    /**
     * After a stream that ended or broke: reconnect after a pause. Every stream opens with a comment line; one that
     * ended or broke before it is a refusal (404, 410, 429) that did not make it into the status line, so a long
     * poll asks the same question first, and answers with the status (see the clients' README).
     */
    private void recover(IOException cause) {
        int lines = linesOnConnection;
        disconnect();
        Exception reason = cause;
        if (lines == 0 && !closed) {
            try {
                poll(position);
            } catch (DatastoresException refused) {
                if (!retryable(refused)) {
                    throw refused;
                }
                reason = refused;
            } catch (UncheckedIOException unreachable) {
                reason = unreachable;
            }
        }
        retryAfter(reason);
    }

    private static boolean retryable(DatastoresException refused) {
        return refused.status() == 429 || refused.status() == 408 || refused.status() >= 500;
    }

    private synchronized Change deliver(Change change) {
        if (position == null || change.position().compareTo(position) > 0) {
            position = change.position();
        }
        if (change.isStoreDeleted()) {
            ended = true;
            pending.clear();
            disconnect();
        }
        return change;
    }

    /** A long poll of at most 1 s after {@code since} (the current position without it); queues its changes. */
    private void poll(String since) {
        HttpRequest request = datastores.request(path + query(since, true)).header("Accept", "application/json").GET()
                .build();
        JsonNode page;
        try {
            page = exact.readTree(datastores.send(request).body());
        } catch (IOException unreadable) {
            throw new UncheckedIOException("the service's answer is not a change page", unreadable);
        }
        List<Change> changes = new ArrayList<>();
        for (JsonNode change : page.path("changes")) {
            changes.add(change(change.path("position").asText(), change.path("type").asText(), change));
        }
        pending.addAll(changes);
        String after = page.path("next").asText(null);
        synchronized (this) {
            if (after != null && (position == null || after.compareTo(position) > 0) && changes.stream()
                    .noneMatch(Change::isStoreDeleted)) {
                position = after;
            }
        }
    }

    private void connect() throws IOException {
        HttpRequest.Builder request = datastores.request(path + query(null, false)).header("Accept", "text/event-stream");
        request.header("Last-Event-ID", position);
        InputStream stream = datastores.stream(request.GET().build()).body();
        body = stream;
        reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 16 * 1024);
        linesOnConnection = 0;
        lastRead = System.nanoTime();
        long idle = watch.idleTimeout.toNanos();
        long every = Math.max(100, watch.idleTimeout.toMillis() / 4);
        idleCheck = WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastRead > idle) {
                closeQuietly(stream);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        if (closed) {
            disconnect();
        }
    }

    /** The next change of the open stream, or null when it ended. */
    private Change readChange() throws IOException {
        String id = position;
        String event = "";
        StringBuilder data = null;
        for (String line; (line = reader.readLine()) != null; ) {
            lastRead = System.nanoTime();
            if (linesOnConnection++ == 0) {
                attempt = 0;
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return change(id, event, exact.readTree(data.toString()));
                }
                event = "";
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { } // unknown fields are ignored, as EventSource does
            }
        }
        return null;
    }

    private static Change change(String position, String type, JsonNode data) {
        JsonNode value = data.get("value");
        return new Change(position, type, text(data, "key"), text(data, "etag"), value, text(data, "expiresAt"),
                text(data, "reason"));
    }

    private static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() ? null : value.asText();
    }

    private String query(String since, boolean poll) {
        StringBuilder query = new StringBuilder();
        if (since != null) {
            query.append("&since=").append(Keys.encodeComponent(since));
        }
        if (watch.prefix != null && !watch.prefix.isEmpty()) {
            query.append("&prefix=").append(Keys.encodeComponent(watch.prefix));
        }
        if (!watch.values) {
            query.append("&values=false");
        }
        if (poll) {
            query.append("&wait=1");
        }
        return query.length() == 0 ? "" : "?" + query.substring(1);
    }

    private void retryAfter(Exception cause) {
        attempt++;
        long initial = watch.initialDelay.toMillis();
        long ceiling = Math.min(watch.maxDelay.toMillis(), initial << Math.min(attempt - 1, 20));
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        watch.onReconnect.accept(new Watch.Reconnect(attempt, Duration.ofMillis(delay), cause, position));
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        try {
            while (!closed && System.nanoTime() < until) {
                Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            closed = true;
        }
        reconnects++;
    }

    private synchronized void disconnect() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        InputStream open = body;
        body = null;
        reader = null;
        if (open != null) {
            closeQuietly(open);
        }
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // closing a stream that broke
        }
    }
}
