package dev.datastores.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A TCP proxy on a free loopback port in front of the service, which can cut every open connection. */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final URI upstream;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger cuts = new AtomicInteger();

    CuttingProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepting = new Thread(this::accept, "cutting-proxy");
        accepting.setDaemon(true);
        accepting.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Closes every connection open through the proxy; how many connections that was. */
    int cutAll() {
        int count = 0;
        for (Socket socket : open) {
            close(socket);
            count++;
        }
        open.clear();
        cuts.addAndGet(count / 2);
        return count / 2;
    }

    int cuts() {
        return cuts.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutAll();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket service = new Socket(upstream.getHost(), upstream.getPort());
                open.add(client);
                open.add(service);
                pump(client, service);
                pump(service, client);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException cut) {
                // one side closed or was cut
            } finally {
                close(from);
                close(to);
                open.remove(from);
                open.remove(to);
            }
        }, "cutting-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
