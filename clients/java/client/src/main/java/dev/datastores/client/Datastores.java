package dev.datastores.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.client.api.StoresApi;
import dev.datastores.client.model.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * The entry point of the Java client: a service URL and a token (a workspace API key {@code dsk_…}, or the
 * operator token for {@code /v1/admin}).
 *
 * <pre>{@code
 * Datastores datastores = Datastores.connect("http://localhost:8080", System.getenv("DATASTORES_TOKEN"));
 * StoreClient sessions = datastores.store("ws_…", "sessions");        // a store ID (ds_…) or its name
 * Written w = sessions.put("session/abc", "{\"user\":\"ana\"}", Put.ttl(3600));
 * sessions.put("session/abc", "{\"user\":\"bo\"}", Put.ifMatch(w.etag())); // 412 -> DatastoresException
 * }</pre>
 *
 * Records, listings, export and import go through {@link StoreClient}, which this module writes by hand;
 * everything else (operator, workspace, stores, links, atomic operations, batches, export jobs) through the
 * classes generated from openapi/datastores.yaml, configured by {@link #apiClient()}. HTTP failures are
 * {@link DatastoresException}s (problem documents); a service that cannot be reached is an
 * {@link UncheckedIOException}.
 */
public final class Datastores {

    /** What the client says it is in {@code User-Agent}. */
    public static final String USER_AGENT = "datastores-java/0.1.0";

    private final String baseUri;
    private final String token;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Duration requestTimeout;

    private Datastores(Builder builder) {
        String url = Objects.requireNonNull(builder.url, "the service URL");
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        URI parsed = URI.create(url);
        if (parsed.getScheme() == null || parsed.getHost() == null
                || !(parsed.getScheme().equals("http") || parsed.getScheme().equals("https"))) {
            throw new IllegalArgumentException("the service URL must be http(s)://host[:port]: " + url);
        }
        this.baseUri = url;
        this.token = builder.token;
        this.requestTimeout = builder.requestTimeout;
        // listed values keep their decimals exactly (BigDecimal, not double)
        this.mapper = ApiClient.createDefaultObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public static Datastores connect(String url, String token) {
        return builder(url).token(token).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** The service URL, without a trailing slash. */
    public String baseUri() {
        return baseUri;
    }

    /** The Jackson mapper the client reads answers with (the generated client's configuration). */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * A generated {@link ApiClient} for this service and token: pass it to {@code OperatorApi},
     * {@code StoresApi}, {@code WorkspaceApi}, {@code AtomicOperationsApi}, {@code BatchesApi}, … Its failures are
     * the generated {@link ApiException}s; {@link #problem(ApiException)} reads them.
     */
    public ApiClient apiClient() {
        ApiClient client = new ApiClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1), mapper, baseUri);
        client.setConnectTimeout(Duration.ofSeconds(10));
        if (requestTimeout != null) {
            client.setReadTimeout(requestTimeout);
        }
        client.setRequestInterceptor(request -> {
            request.setHeader("User-Agent", USER_AGENT);
            if (token != null) {
                request.setHeader("Authorization", "Bearer " + token);
            }
        });
        return client;
    }

    /** A generated client's failure as a {@link DatastoresException} (its problem document read). */
    public DatastoresException problem(ApiException failure) {
        if (failure.getCode() == 0) {
            IOException cause = failure.getCause() instanceof IOException io ? io
                    : new IOException(failure.getMessage(), failure.getCause());
            throw new UncheckedIOException(describe(cause), cause);
        }
        String body = failure.getResponseBody();
        return DatastoresException.of(failure.getCode(),
                body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), mapper);
    }

    /** The records of one store, by its ID ({@code ds_…}) or, for anything else, its name (looked up once). */
    public StoreClient store(String workspace, String storeIdOrName) {
        return new StoreClient(this, workspace, storeId(workspace, storeIdOrName));
    }

    /** The store's ID: {@code storeIdOrName} itself when it starts with {@code ds_}, else the store of that name. */
    public String storeId(String workspace, String storeIdOrName) {
        Objects.requireNonNull(workspace, "the workspace ID");
        Objects.requireNonNull(storeIdOrName, "the store ID or name");
        if (storeIdOrName.startsWith("ds_")) {
            return storeIdOrName;
        }
        try {
            for (Store store : new StoresApi(apiClient()).listStores(workspace).getStores()) {
                if (store.getName().equals(storeIdOrName)) {
                    return store.getId();
                }
            }
        } catch (ApiException failure) {
            throw problem(failure);
        }
        throw new DatastoresException(404, "https://datastores.dev/problems/not-found", "Not found",
                "workspace " + workspace + " has no store named '" + storeIdOrName + "'", null);
    }

    HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + pathAndQuery))
                .header("User-Agent", USER_AGENT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (requestTimeout != null) {
            request.timeout(requestTimeout);
        }
        return request;
    }

    /** Sends, and turns any status outside 2xx and {@code alsoOk} into a {@link DatastoresException}. */
    HttpResponse<byte[]> send(HttpRequest request, int... alsoOk) {
        HttpResponse<byte[]> response = exchange(request, HttpResponse.BodyHandlers.ofByteArray());
        if (!ok(response.statusCode(), alsoOk)) {
            throw DatastoresException.of(response.statusCode(), response.body(), mapper);
        }
        return response;
    }

    /** Sends and keeps the body a stream (closed by the caller); failures are read and thrown as for {@link #send}. */
    HttpResponse<InputStream> stream(HttpRequest request) {
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        if (!ok(response.statusCode())) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException unreadable) {
                body = null;
            }
            throw DatastoresException.of(response.statusCode(), body, mapper);
        }
        return response;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException unreachable) {
            throw new UncheckedIOException(describe(unreachable), unreachable);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted"));
        }
    }

    private String describe(IOException failure) {
        Throwable root = failure;
        while ((root.getMessage() == null || root.getMessage().isBlank()) && root.getCause() != null) {
            root = root.getCause();
        }
        String what = root.getMessage();
        if (root instanceof java.net.ConnectException || failure instanceof java.net.ConnectException) {
            what = "connection refused";
        } else if (what == null || what.isBlank()) {
            what = root.getClass().getSimpleName();
        }
        return "cannot reach " + baseUri + ": " + what;
    }

    private static boolean ok(int status, int... alsoOk) {
        if (status >= 200 && status < 300) {
            return true;
        }
        for (int other : alsoOk) {
            if (status == other) {
                return true;
            }
        }
        return false;
    }

    public static final class Builder {
        private final String url;
        private String token;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout;

        private Builder(String url) {
            this.url = url;
        }

        /** The bearer token: a workspace API key, or the operator token for the generated OperatorApi. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** A limit on each request until its answer's headers (none by default: exports and imports may be long). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Datastores build() {
            return new Datastores(this);
        }
    }
}
