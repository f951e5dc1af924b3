package dev.datastores.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP server on loopback that receives export chunks: it keeps each chunk and answers with
 * the status {@code answer} gives for the chunk's number (1-based, in arrival order).
 */
public final class Receiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One chunk as received: its number and job headers, its body as sent, its records parsed, and its W3C traceparent. */
    public record Chunk(String number, String job, String body, JsonNode records, String traceparent) {
    }

    private final HttpServer server;
    private final List<Chunk> chunks = new CopyOnWriteArrayList<>();

    private Receiver(IntUnaryOperator answer, Runnable onEachChunk) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            chunks.add(new Chunk(exchange.getRequestHeaders().getFirst("Datastores-Export-Chunk"),
                    exchange.getRequestHeaders().getFirst("Datastores-Export-Job"), body, JSON.readTree(body),
                    exchange.getRequestHeaders().getFirst("traceparent")));
            onEachChunk.run();
            exchange.sendResponseHeaders(answer.applyAsInt(chunks.size()), -1);
            exchange.close();
        });
        server.start();
    }

    public static Receiver answering(IntUnaryOperator answer) {
        return new Receiver(answer, () -> { });
    }

    public static Receiver acceptingAll() {
        return answering(chunk -> 200);
    }

    /** Accepts everything, running {@code onEachChunk} before it answers. */
    public static Receiver acceptingAfter(Runnable onEachChunk) {
        return new Receiver(chunk -> 200, onEachChunk);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/chunks";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Chunk> chunks() {
        return chunks;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
