package dev.wafersim.cli.sweep;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar with the points done, failures, elapsed time and an estimate of the time left
 * (elapsed / done x remaining), redrawn in place on a terminal at most ten times a second. Disabled, it
 * prints nothing.
 */
public final class Progress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NS = 100_000_000L;

    private final PrintWriter err;
    private final int total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;

    /** A bar over {@code total} points written to {@code err}, or nothing when not {@code enabled}. */
    public Progress(PrintWriter err, int total, boolean enabled) {
        this.err = err;
        this.total = total;
        this.enabled = enabled && total > 0;
    }

    /** Redraws after {@code done} points, {@code failed} of them failed. */
    public void update(int done, int failed) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < REDRAW_NS) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        int filled = (int) ((long) WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String eta = done == 0 ? "--:--" : clock(elapsed / done * (total - done));
        err.printf(Locale.ROOT, "\rsweep [%s] %d/%d (%d%%)%s, elapsed %s, ETA %s   ", bar, done, total,
                100L * done / total, failed == 0 ? "" : ", " + failed + " failed", clock(elapsed), eta);
        if (done == total) {
            err.println();
        }
        err.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
