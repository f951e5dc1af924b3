package dev.datastores.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.datastores.client.model.Imported;
import dev.datastores.client.model.ListedRecord;
import dev.datastores.client.model.RecordPage;
import dev.datastores.client.model.WrittenRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The records of one store: written by hand over {@code java.net.http} because the generated
 * {@code RecordsApi} re-serialises values through Jackson (the service keeps the exact JSON text), does not
 * encode the keys {@code .} and {@code ..}, and reads whole bodies where export and import stream.
 *
 * <p>Values are JSON text in and out ({@link #putValue} serialises an object for you). A refused request is a
 * {@link DatastoresException}; {@code 404 record-not-found} from {@link #get} too ({@link #find} returns
 * empty instead).
 */
public final class StoreClient {

    private static final String NDJSON = "application/x-ndjson";

    private final Datastores datastores;
    private final String workspace;
    private final String store;
    private final String base;

    StoreClient(Datastores datastores, String workspace, String store) {
        this.datastores = datastores;
        this.workspace = workspace;
        this.store = store;
        this.base = "/v1/workspaces/" + Keys.encodeComponent(workspace) + "/stores/" + Keys.encodeComponent(store);
    }

    public String workspace() {
        return workspace;
    }

    /** The store's ID ({@code ds_…}). */
    public String id() {
        return store;
    }

    /** The store itself: name, record count, sizes. */
    public dev.datastores.client.model.Store info() {
        return read(datastores.send(datastores.request(base).GET().build()).body(), dev.datastores.client.model.Store.class);
    }

    /** The value under the key; {@code 404 record-not-found} when there is none. */
    public StoredValue get(String key) {
        HttpResponse<byte[]> response = datastores.send(datastores.request(recordPath(key)).GET().build());
        return stored(key, response);
    }

    /** The value under the key, or empty when there is none (any other refusal is still thrown). */
    public Optional<StoredValue> find(String key) {
        try {
            return Optional.of(get(key));
        } catch (DatastoresException refused) {
            if ("record-not-found".equals(refused.slug())) {
                return Optional.empty();
            }
            throw refused;
        }
    }

    /** The value if it is no longer at {@code etag} ({@code If-None-Match}); empty when it still is (304). */
    public Optional<StoredValue> getIfChanged(String key, String etag) {
        HttpResponse<byte[]> response = datastores.send(
                datastores.request(recordPath(key)).header("If-None-Match", etag).GET().build(), 304);
        return response.statusCode() == 304 ? Optional.empty() : Optional.of(stored(key, response));
    }

    /** Whether a live record has the key (HEAD). */
    public boolean has(String key) {
        HttpResponse<byte[]> response = datastores.send(
                datastores.request(recordPath(key)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), 404);
        return response.statusCode() != 404;
    }

    public Written put(String key, String json) {
        return put(key, json, Put.NONE);
    }

    /** Stores the JSON text under the key as it is (the service checks it); see {@link Put} for TTL and conditions. */
    public Written put(String key, String json, Put put) {
        return put(key, json.getBytes(StandardCharsets.UTF_8), put);
    }

    public Written put(String key, byte[] json, Put put) {
        String path = recordPath(key) + (put.ttl() == null ? "" : "?ttl=" + put.ttl());
        HttpRequest.Builder request = datastores.request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json));
        if (put.ifMatch() != null) {
            request.header("If-Match", put.ifMatch());
        }
        if (put.ifNoneMatch()) {
            request.header("If-None-Match", "*");
        }
        HttpResponse<byte[]> response = datastores.send(request.build());
        WrittenRecord written = read(response.body(), WrittenRecord.class);
        return new Written(response.statusCode() == 201, written.getKey(), written.getEtag(), written.getExpiresAt(),
                written.getRawBytes(), written.getStorageBytes());
    }

    /** Stores any Java value, serialised by Jackson. */
    public Written putValue(String key, Object value, Put put) {
        try {
            return put(key, datastores.mapper().writeValueAsBytes(value), put);
        } catch (JsonProcessingException unserialisable) {
            throw new IllegalArgumentException("the value cannot be written as JSON", unserialisable);
        }
    }

    public void delete(String key) {
        delete(key, null);
    }

    /** Deletes the record; with {@code ifMatch} only while it is still at that ETag ({@code 412} otherwise). */
    public void delete(String key, String ifMatch) {
        HttpRequest.Builder request = datastores.request(recordPath(key)).DELETE();
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        datastores.send(request.build());
    }

    /**
     * One page of records in key order.
     *
     * @param prefix  only keys starting with this, or null
     * @param limit   1 to 1,024, or null for the service's default (100)
     * @param cursor  the previous page's {@code nextCursor}, or null for the first page
     * @param values  whether the records carry their values
     */
    public RecordPage page(String prefix, Integer limit, String cursor, boolean values) {
        StringBuilder path = new StringBuilder(base).append("/records?values=").append(values);
        if (prefix != null && !prefix.isEmpty()) {
            path.append("&prefix=").append(Keys.encodeComponent(prefix));
        }
        if (limit != null) {
            path.append("&limit=").append(limit);
        }
        if (cursor != null) {
            path.append("&cursor=").append(Keys.encodeComponent(cursor));
        }
        return read(datastores.send(datastores.request(path.toString()).GET().build()).body(), RecordPage.class);
    }

    /** Every record (with prefix: every one whose key starts with it), fetched page by page as the stream is read. */
    public Stream<ListedRecord> list(String prefix, int pageSize, boolean values) {
        Iterator<ListedRecord> records = new Iterator<>() {
            private Iterator<ListedRecord> page = List.<ListedRecord>of().iterator();
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !last) {
                    RecordPage next = page(prefix, pageSize, cursor, values);
                    page = next.getRecords().iterator();
                    cursor = next.getNextCursor();
                    last = cursor == null;
                }
                return page.hasNext();
            }

            @Override
            public ListedRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(records,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * The store as NDJSON lines {@code {"key","value","etag","expiresAt"}} in key order, streamed: close the stream
     * (try-with-resources) when done. After a broken download, call again with {@code after} = the last key read.
     */
    public Stream<String> export(String prefix, String after) {
        InputStream body = exportStream(prefix, after);
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 64 * 1024);
        return lines.lines().filter(line -> !line.isEmpty()).onClose(() -> {
            try {
                lines.close();
            } catch (IOException ignored) {
                // closing a finished or abandoned download
            }
        });
    }

    /** The export's raw NDJSON body, to copy as it is (close it when done). */
    public InputStream exportStream(String prefix, String after) {
        StringBuilder path = new StringBuilder(base).append("/export");
        char separator = '?';
        if (prefix != null && !prefix.isEmpty()) {
            path.append(separator).append("prefix=").append(Keys.encodeComponent(prefix));
            separator = '&';
        }
        if (after != null) {
            path.append(separator).append("after=").append(Keys.encodeComponent(after));
        }
        return datastores.stream(datastores.request(path.toString()).header("Accept", NDJSON).GET().build()).body();
    }

    /**
     * Uploads NDJSON ({@code {"key","value","ttl"?}} or export lines) as a stream; the service commits it in chunks.
     * A bad line is {@code 400 invalid-line} with members {@code line} and {@code imported}.
     */
    public Imported importFrom(InputStream ndjson) {
        HttpRequest request = datastores.request(base + "/import")
                .header("Content-Type", NDJSON)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> ndjson))
                .build();
        return read(datastores.send(request).body(), Imported.class);
    }

    public Imported importFrom(Path ndjson) {
        try (InputStream in = Files.newInputStream(ndjson)) {
            return importFrom(in);
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }

    /** Imports lines given in memory (one NDJSON record each). */
    public Imported importLines(List<String> lines) {
        byte[] body = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return importFrom(new java.io.ByteArrayInputStream(body));
    }

    /**
     * The store's changes in commit order, from {@code watch}'s position (or from now), as a blocking iterator that
     * resumes by itself after a lost connection without skipping or repeating a change; close it when done. It
     * connects on the first {@code hasNext()}. See {@link ChangeStream}.
     */
    public ChangeStream watch(Watch watch) {
        return new ChangeStream(datastores, base + "/changes", watch);
    }

    /** {@link #watch(Watch)} after {@code since} (or from now when null), with values. */
    public ChangeStream watch(String since) {
        return watch(Watch.from(since));
    }

    private String recordPath(String key) {
        return base + "/records/" + Keys.encodePath(key);
    }

    private StoredValue stored(String key, HttpResponse<byte[]> response) {
        String expires = response.headers().firstValue("Expires-At").orElse(null);
        return new StoredValue(key, response.body(), response.headers().firstValue("ETag").orElse(null),
                response.headers().firstValue("Last-Modified").orElse(null),
                expires == null ? null : OffsetDateTime.parse(expires));
    }

    private <T> T read(byte[] body, Class<T> type) {
        try {
            return datastores.mapper().readValue(body, type);
        } catch (IOException unreadable) {
            throw new UncheckedIOException("the service's answer is not a " + type.getSimpleName(), unreadable);
        }
    }
}
