package dev.datastores.codec;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Stored form of a value: one format tag byte, then either the JSON as sent ({@link #RAW}) or its
 * Brotli compression ({@link #BROTLI}), whichever is smaller.
 */
public final class ValueCodec {

    public static final byte RAW = 0;
    public static final byte BROTLI = 1;

    private static final Encoder.Parameters PARAMETERS;

    static {
        Brotli4jLoader.ensureAvailability();
        PARAMETERS = new Encoder.Parameters().setQuality(3).setWindow(16).setMode(Encoder.Mode.TEXT);
    }

    private ValueCodec() {
    }

    public static byte[] encode(byte[] json) {
        byte[] compressed = compress(json);
        boolean worthIt = compressed.length < json.length;
        byte[] body = worthIt ? compressed : json;
        byte[] stored = new byte[body.length + 1];
        stored[0] = worthIt ? BROTLI : RAW;
        System.arraycopy(body, 0, stored, 1, body.length);
        return stored;
    }

    public static byte[] decode(byte[] stored) {
        return isBrotli(stored) ? decompress(stored) : Arrays.copyOfRange(stored, 1, stored.length);
    }

    public static boolean isBrotli(byte[] stored) {
        return stored[0] == BROTLI;
    }

    /** The compressed stream without its tag, for clients that accept {@code br}. */
    public static byte[] brotliBody(byte[] stored) {
        return Arrays.copyOfRange(stored, 1, stored.length);
    }

    private static byte[] compress(byte[] json) {
        try {
            return Encoder.compress(json, PARAMETERS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decompresses the stored form after its tag byte, without copying it out first. */
    private static byte[] decompress(byte[] stored) {
        try {
            return Decoder.decompress(stored, 1, stored.length - 1);
        } catch (IOException e) {
            throw new IllegalStateException("Stored value is not valid Brotli", e);
        }
    }
}
