package dev.datastores.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How chunks reach a destination and what a job is told when they do not, against servers on loopback only. */
class DestinationClientTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private static Vertx vertx;
    private static DestinationClient client;

    private final List<AutoCloseable> servers = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = new DestinationClient(vertx, TIMEOUT);
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    @Test
    void theChunkGoesToTheCheckedAddressWhileHostKeepsTheName() {
        List<String> received = new CopyOnWriteArrayList<>();
        int port = http(exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("Host") + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Datastores-Export-Job") + " "
                    + exchange.getRequestHeaders().getFirst("Datastores-Export-Chunk") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, 204);
        });

        // receiver.invalid resolves nowhere: the request can only have arrived through the address it was given.
        client.post(new Destination("receiver.invalid", port, false, "/in?x=1", LOOPBACK), "exp_1", 7, bytes("[]"))
                .await().atMost(Duration.ofSeconds(10));

        assertThat(received).containsExactly("receiver.invalid:" + port + " /in?x=1 exp_1 7 []");
    }

    @Test
    void aRedirectIsReportedAndNotFollowed() {
        AtomicInteger followed = new AtomicInteger();
        int elsewhere = http(exchange -> {
            followed.incrementAndGet();
            answer(exchange, 200);
        });
        int redirecting = http(exchange -> {
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + elsewhere + "/");
            answer(exchange, 307);
        });

        assertThat(failure(redirecting)).isEqualTo("the destination answered 307 (redirects are not followed)");
        assertThat(followed).hasValue(0);
    }

    @Test
    void whatTheDestinationDidIsSaidInPlainWords() {
        int failing = http(exchange -> answer(exchange, 500));
        int silent = raw(socket -> { });
        int notHttp = raw(socket -> write(socket, "SSH-2.0-OpenSSH_9.6\r\n\r\n"));
        int hangingUp = raw(socket -> close(socket));
        int closed = closedPort();

        assertThat(failure(failing)).isEqualTo("the destination answered 500");
        assertThat(failure(closed)).isEqualTo("the connection was refused, reset or closed before an answer");
        assertThat(failure(hangingUp)).isEqualTo("the connection was refused, reset or closed before an answer");
        assertThat(failure(silent)).isEqualTo("the destination did not answer within 500 ms");
        assertThat(failure(notHttp)).isEqualTo("the destination's answer was not valid HTTP");
    }

    @Test
    void tlsAndTimeoutFailuresAreNamedNotQuoted() {
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path to requested target"));
        Duration thirtySeconds = Duration.ofSeconds(30);

        assertThat(DestinationClient.whatHappened(untrusted, thirtySeconds))
                .isEqualTo("the destination's TLS certificate was not accepted");
        assertThat(DestinationClient.whatHappened(new SSLException("Received fatal alert: handshake_failure"), thirtySeconds))
                .isEqualTo("the TLS handshake with the destination failed");
        assertThat(DestinationClient.whatHappened(new ConnectTimeoutException("connection timed out: /10.1.2.3:80"), thirtySeconds))
                .isEqualTo("the destination did not answer within 30 s");
        assertThat(DestinationClient.whatHappened(new TimeoutException(), thirtySeconds))
                .isEqualTo("the destination did not answer within 30 s");
    }

    private static String failure(int port) {
        Destination to = new Destination("receiver.invalid", port, false, "/", LOOPBACK);
        Throwable failure = catchThrowable(() -> client.post(to, "exp_1", 1, bytes("[]")).await().atMost(Duration.ofSeconds(10)));
        assertThat(failure).isInstanceOf(DestinationClient.Undelivered.class);
        return failure.getMessage();
    }

    /** A loopback port nothing listens on any more. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP server on loopback; its port. */
    private int http(HttpHandler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
            server.createContext("/", handler);
            server.start();
            servers.add(() -> server.stop(0));
            return server.getAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP server on loopback that does {@code onConnection} with each connection it accepts and then leaves it open. */
    private int raw(Consumer<Socket> onConnection) {
        try {
            ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        onConnection.accept(socket);
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            servers.add(() -> {
                server.close();
                for (Socket socket : accepted) {
                    socket.close();
                }
            });
            return server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static void write(Socket socket, String text) {
        try {
            socket.getOutputStream().write(bytes(text));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.getInputStream().read(new byte[16]);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
