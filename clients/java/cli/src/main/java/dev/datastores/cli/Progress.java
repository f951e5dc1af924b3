package dev.datastores.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on standard error, drawn only when the command runs on a terminal
 * ({@code System.console() != null}); elsewhere (CI, pipes, redirected output) it draws nothing.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final String unit;
    private final long total;
    private long done;
    private long lastDrawn;

    Progress(PrintStream err, boolean enabled, String unit, long total) {
        this.err = err;
        this.enabled = enabled;
        this.unit = unit;
        this.total = total;
    }

    static boolean onTerminal() {
        return System.console() != null;
    }

    void advance(long by) {
        done += by;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDrawn > 100_000_000L) {
            lastDrawn = now;
            draw();
        }
    }

    private void draw() {
        StringBuilder line = new StringBuilder("\r");
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            line.append('[').append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ")
                    .append(Math.min(100, done * 100 / total)).append("% ");
            line.append(human(done)).append('/').append(human(total));
        } else {
            line.append(human(done));
        }
        if (!unit.equals("bytes")) {
            line.append(' ').append(unit);
        }
        err.print(line);
        err.flush();
    }

    private String human(long n) {
        if (!unit.equals("bytes")) {
            return Long.toString(n);
        }
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format("%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    @Override
    public void close() {
        if (enabled) {
            draw();
            err.println();
        }
    }
}
