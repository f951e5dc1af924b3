package dev.datastores.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BodyLimitsTest {

    private static final int LIMIT = 16 * 1024 * 1024;

    @TestHTTPResource("/")
    URL server;

    /** A body announced too large is refused before it is read: BadInputTest sends that one. */
    @Test
    void aChunkedBodyIsCutOffWhereItPassesTheLimitAndNothingIsStored() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String head = "PUT " + tenant.records(store) + "/big HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.token()
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        String answer;
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write("1\r\n\"\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                for (long sent = 0; sent <= LIMIT + 0x10000; sent += 0x10000) {
                    out.write(chunk);
                }
                out.write("1\r\n\"\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closedByTheServer) {
                // the server answered and closed the connection before the body ended
            }
            answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }

        assertThat(answer).startsWith("HTTP/1.1 413");
        tenant.request().get(tenant.records(store) + "/big").then().statusCode(404);
    }

    @Test
    void anImportMayBeFarLargerBecauseItIsReadAChunkAtATime() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String value = "\"" + "v".repeat(10_000) + "\"";
        byte[] ndjson = IntStream.range(0, 2_000).mapToObj(i -> "{\"key\":\"k" + i + "\",\"value\":" + value + "}")
                .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
        assertThat(ndjson.length).isGreaterThan(LIMIT);

        tenant.request().contentType("application/x-ndjson").body(ndjson).post(tenant.stores() + "/" + store + "/import")
                .then().statusCode(200).body("imported", equalTo(2_000));
    }
}
