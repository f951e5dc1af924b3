package dev.datastores.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** What needs no service: how keys are written into paths, and a service that cannot be reached. */
class KeysTest {

    @Test
    void keysArePercentEncodedSegmentBySegment() {
        assertEquals("%2E/%2E%2E/a.b/100%25/%C3%A9%20%E2%9C%93/q%3F%23", Keys.encodePath("./../a.b/100%/é ✓/q?#"));
        assertEquals("a//b", Keys.encodePath("a//b"));
        assertEquals("...", Keys.encodePath("..."));
        assertEquals("a%2Fb%3Bc", Keys.encodeComponent("a/b;c"));
    }

    @Test
    void unreachableServiceIsAnUncheckedIoException() {
        UncheckedIOException down = assertThrows(UncheckedIOException.class,
                () -> Datastores.connect("http://127.0.0.1:9", "dsk_x").store("ws_x", "ds_x").get("k"));
        assertTrue(down.getMessage().startsWith("cannot reach http://127.0.0.1:9"), down.getMessage());
    }

    @Test
    void urlMustBeHttp() {
        assertThrows(IllegalArgumentException.class, () -> Datastores.connect("localhost:8080", "t"));
    }

    @Test
    void problemIsOneLine() {
        DatastoresException refused = DatastoresException.of(412,
                "{\"type\":\"https://datastores.dev/problems/precondition-failed\",\"title\":\"Precondition failed\",\"status\":412,\"detail\":\"The record is not at\\nthat version.\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8), new com.fasterxml.jackson.databind.ObjectMapper());
        assertEquals("precondition-failed", refused.slug());
        assertEquals("412 precondition-failed: The record is not at that version.", refused.oneLine());
        assertEquals("502", DatastoresException.of(502, new byte[0], new com.fasterxml.jackson.databind.ObjectMapper()).oneLine());
    }
}
