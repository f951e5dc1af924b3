package dev.datastores.transfer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 lines of a byte stream, like {@link java.io.BufferedReader#readLine()} but refusing a line longer than a
 * limit instead of holding it all in memory. Lines end at {@code \n}, with an optional {@code \r} before it. Each
 * line is decoded on its own, so bytes that are not UTF-8 are reported on the line that holds them, and every
 * line before it is read as it was.
 */
final class LineReader {

    /** A line went past the limit. */
    static final class LineTooLong extends IOException {
        LineTooLong() {
            super(null, null);
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private int position;
    private int end;
    private long lineNumber;

    LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line without its end, or null at the end of the stream; fails on the line that is not UTF-8. */
    String next() throws IOException {
        if (position == end && !fill()) {
            return null;
        }
        lineNumber++;
        ByteArrayOutputStream spanning = null;
        while (true) {
            for (int i = position; i < end; i++) {
                if (buffer[i] == '\n') {
                    String line;
                    if (spanning == null) {
                        line = decode(buffer, position, i - position);
                    } else {
                        spanning.write(buffer, position, i - position);
                        line = decode(spanning.toByteArray(), 0, spanning.size());
                    }
                    position = i + 1;
                    return line;
                }
            }
            int length = (spanning == null ? 0 : spanning.size()) + end - position;
            if (length > maxBytes) {
                throw new LineTooLong();
            }
            if (spanning == null) {
                spanning = new ByteArrayOutputStream(Math.max(256, length * 2));
            }
            spanning.write(buffer, position, end - position);
            position = end;
            if (!fill()) {
                return decode(spanning.toByteArray(), 0, spanning.size());
            }
        }
    }

    /** The number of the line last returned (1-based), or of the line that could not be read. */
    long lineNumber() {
        return lineNumber;
    }

    private boolean fill() throws IOException {
        int read = in.read(buffer, 0, buffer.length);
        position = 0;
        end = Math.max(read, 0);
        return read > 0;
    }

    private String decode(byte[] bytes, int offset, int length) throws CharacterCodingException {
        int withoutCarriageReturn = length > 0 && bytes[offset + length - 1] == '\r' ? length - 1 : length;
        return utf8.decode(ByteBuffer.wrap(bytes, offset, withoutCarriageReturn)).toString();
    }
}
