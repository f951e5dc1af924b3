package dev.datastores.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A Server-Sent Events reader (java.net.http): events and comments as they arrive, and whether the stream ended. */
public final class EventStream implements AutoCloseable {

    /** One event; {@code comment} is set instead of the rest for a comment line. */
    public record Event(String id, String name, String data, String comment) {
        public boolean isComment() {
            return comment != null;
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private volatile boolean ended;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        Thread reader = new Thread(this::read, "event-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code url} (a full URL) as an event stream; fails unless the answer is 200. */
    public static EventStream open(String url, String token, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("The stream answered " + response.statusCode() + ": "
                        + String.join("\n", response.body().toList()));
            }
            return new EventStream(response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        String id = null;
        String name = null;
        StringBuilder data = null;
        try {
            for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (data != null || name != null) {
                        events.add(new Event(id, name, data == null ? null : data.toString(), null));
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, line.substring(1).trim()));
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5);
                    data = (data == null ? new StringBuilder() : data.append('\n'))
                            .append(value.startsWith(" ") ? value.substring(1) : value);
                }
            }
        } catch (RuntimeException closed) {
            // the connection was closed under the reader
        } finally {
            ended = true;
        }
    }

    /** The next {@code count} events (comments skipped), or fewer if {@code within} passes first. */
    public List<Event> take(int count, Duration within) throws InterruptedException {
        List<Event> taken = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (taken.size() < count) {
            Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (event == null) {
                break;
            }
            if (!event.isComment()) {
                taken.add(event);
            }
        }
        return taken;
    }

    /** The next comment line, or null if none comes within {@code within}; events before it are dropped. */
    public Event nextComment(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (event == null || event.isComment()) {
                return event;
            }
        }
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        response.body().close();
    }
}
