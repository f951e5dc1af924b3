package dev.datastores.change;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A watcher that stops reading costs the server bounded memory: the stream reads its next page of changes only when
 * the client has taken the previous one, so what waits for it is the socket's buffers and one page, not the history.
 */
@QuarkusTest
class SlowWatcherTest {

    private static final int CHANGES = 100_000;
    private static final int BATCH = 1_000;
    private static final String PAD = "x".repeat(1_000);

    @Test
    void aWatcherThatStopsReadingHoldsBoundedMemoryAndStillGetsEverything() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("slow");
        URI base = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setReceiveBufferSize(64 * 1024);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + tenant.stores() + "/" + store + "/changes HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + tenant.token() + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1024));
            assertThat(asciiLine(in)).isEqualTo("HTTP/1.1 200 OK");
            boolean chunked = false;
            for (String header = asciiLine(in); !header.isEmpty(); header = asciiLine(in)) {
                chunked |= header.equalsIgnoreCase("transfer-encoding: chunked");
            }
            assertThat(chunked).isTrue();

            long before = settledHeap();
            for (int from = 0; from < CHANGES; from += BATCH) {
                StringBuilder batch = new StringBuilder("{\"set\":[");
                for (int i = from; i < from + BATCH; i++) {
                    batch.append(i == from ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":{\"i\":").append(i)
                            .append(",\"pad\":\"").append(PAD).append("\"}}");
                }
                tenant.request().body(batch.append("]}").toString()).post(tenant.stores() + "/" + store + "/batch").then().statusCode(200);
            }
            // the stream has filled the socket by now and waits for the client
            Thread.sleep(2_000);
            long held = settledHeap() - before;
            long written = (long) CHANGES * PAD.length();
            assertThat(held).as("heap held for a watcher that does not read, with %d MB of changes written", written >> 20)
                    .isLessThan(48L << 20);

            int seen = 0;
            long expected = 1;
            StringBuilder line = new StringBuilder();
            while (seen < CHANGES) {
                int size = Integer.parseInt(asciiLine(in), 16);
                byte[] chunk = new byte[size];
                in.readFully(chunk);
                asciiLine(in);
                for (char c : new String(chunk, StandardCharsets.UTF_8).toCharArray()) {
                    if (c != '\n') {
                        line.append(c);
                        continue;
                    }
                    if (line.toString().startsWith("id:")) {
                        assertThat(Long.parseLong(line.substring(3).trim(), 16)).isEqualTo(expected++);
                        seen++;
                    }
                    line.setLength(0);
                }
            }
            assertThat(seen).as("once it reads again, it gets every change in order").isEqualTo(CHANGES);
        }
    }

    private static String asciiLine(DataInputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("the stream ended");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static long settledHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
