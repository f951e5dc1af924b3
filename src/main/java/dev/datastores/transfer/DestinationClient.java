package dev.datastores.transfer;

import io.netty.channel.ConnectTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Posts export chunks to a destination that passed {@link Destinations}. It connects to the address that
 * was checked, never to whatever another lookup of the name would give, while the Host header, SNI and
 * the certificate check keep the name; it follows no redirect; and when a chunk is not acknowledged it
 * says in plain words what the destination did, never what Java or Netty made of it.
 */
@ApplicationScoped
class DestinationClient {

    private static final Logger LOG = Logger.getLogger(DestinationClient.class);

    private final HttpClient http;
    private final Duration timeout;

    @Inject
    DestinationClient(Vertx vertx, ExportJobConfig config) {
        this(vertx, config.requestTimeout());
    }

    DestinationClient(Vertx vertx, Duration timeout) {
        // One connection per chunk: each chunk goes to the address checked just before it, and a destination
        // that keeps a connection busy cannot hold it past the chunk.
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        this.timeout = timeout;
    }

    /** Completes once the destination answered the chunk with a 2xx; otherwise fails with {@link Undelivered}. */
    Uni<Void> post(Destination to, String job, long chunk, byte[] body) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(to.address(), to.port())))
                .setHost(to.host())
                .setPort(to.port())
                .setSsl(to.tls())
                .setURI(to.target())
                .setFollowRedirects(false)
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "datastores-export")
                .putHeader("Datastores-Export-Job", job)
                .putHeader("Datastores-Export-Chunk", Long.toString(chunk));
        return Uni.createFrom().completionStage(() -> http.request(options).toCompletionStage())
                .chain(request -> answer(request, body))
                .onFailure().transform(this::undelivered)
                .invoke(status -> {
                    if (status / 100 != 2) {
                        throw new Undelivered(status / 100 == 3
                                ? "the destination answered " + status + " (redirects are not followed)"
                                : "the destination answered " + status);
                    }
                })
                .replaceWithVoid();
    }

    /** The status the destination answered within the timeout; the connection is closed either way. */
    private Uni<Integer> answer(HttpClientRequest request, byte[] body) {
        return Uni.createFrom().completionStage(() -> request.send(Buffer.buffer(body)).toCompletionStage())
                .map(HttpClientResponse::statusCode)
                .ifNoItem().after(timeout).failWith(TimeoutException::new)
                .eventually(() -> {
                    request.connection().close();
                });
    }

    private Undelivered undelivered(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        LOG.infof("An export chunk was not delivered: %s", cause.toString());
        return new Undelivered(whatHappened(cause, timeout));
    }

    /** What the destination did, for a job's {@code error}. */
    static String whatHappened(Throwable failure, Duration timeout) {
        if (failure instanceof TimeoutException || failure instanceof ConnectTimeoutException) {
            String within = timeout.toMillisPart() == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
            return "the destination did not answer within " + within;
        }
        if (failure instanceof SSLException) {
            return causedBy(failure, CertificateException.class) ? "the destination's TLS certificate was not accepted"
                    : "the TLS handshake with the destination failed";
        }
        if (failure instanceof IOException || failure instanceof HttpClosedException) {
            return "the connection was refused, reset or closed before an answer";
        }
        return "the destination's answer was not valid HTTP";
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> kind) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (kind.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** A chunk the destination did not acknowledge; the message says what it did. */
    static final class Undelivered extends RuntimeException {
        Undelivered(String what) {
            super(what, null, false, false);
        }
    }
}
