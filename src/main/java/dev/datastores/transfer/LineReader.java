package dev.datastores.transfer;

import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a character stream, like {@link java.io.BufferedReader#readLine()} but refusing a line longer
 * than a limit instead of holding it all in memory. Lines end at {@code \n}, with an optional {@code \r}
 * before it.
 */
final class LineReader {

    /** A line went past the limit. */
    static final class LineTooLong extends IOException {
        LineTooLong() {
            super(null, null);
        }
    }

    private final Reader in;
    private final int maxChars;
    private final char[] buffer = new char[64 * 1024];
    private int position;
    private int end;
    private long lineNumber;

    LineReader(Reader in, int maxChars) {
        this.in = in;
        this.maxChars = maxChars;
    }

    /** The next line without its end, or null at the end of the stream. */
    String next() throws IOException {
        if (position == end && !fill()) {
            return null;
        }
        lineNumber++;
        StringBuilder spanning = null;
        while (true) {
            for (int i = position; i < end; i++) {
                if (buffer[i] == '\n') {
                    String line = spanning == null ? new String(buffer, position, i - position)
                            : spanning.append(buffer, position, i - position).toString();
                    position = i + 1;
                    return withoutCarriageReturn(line);
                }
            }
            int length = (spanning == null ? 0 : spanning.length()) + end - position;
            if (length > maxChars) {
                throw new LineTooLong();
            }
            if (spanning == null) {
                spanning = new StringBuilder(Math.max(256, length * 2));
            }
            spanning.append(buffer, position, end - position);
            position = end;
            if (!fill()) {
                return withoutCarriageReturn(spanning.toString());
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

    private static String withoutCarriageReturn(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
