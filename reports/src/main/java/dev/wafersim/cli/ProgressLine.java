package dev.wafersim.cli;

import dev.wafersim.workloads.run.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * One status line on a terminal, redrawn in place at most ten times a second: the steps done, the
 * elapsed time and the latest step's description. {@link #done} clears it, so nothing of it stays in
 * the output. Disabled (output not a terminal) it prints nothing.
 */
final class ProgressLine implements Progress {
    private static final long REDRAW_NS = 100_000_000L;
    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int width;

    ProgressLine(PrintWriter err, String label, boolean enabled) {
        this.err = err;
        this.label = label;
        this.enabled = enabled;
    }

    /** Enabled when the process has a console (an interactive terminal). */
    static ProgressLine onTerminal(PrintWriter err, String label) {
        return new ProgressLine(err, label, System.console() != null);
    }

    @Override
    public void update(long done, long total, String what) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NS) {
            return;
        }
        lastDraw = now;
        long s = (now - start) / 1_000_000_000L;
        String line = String.format(Locale.ROOT, "%s: %d/%d (%d%%), %s, elapsed %d:%02d", label, done, total,
                total == 0 ? 100 : 100 * done / total, what, s / 60, s % 60);
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
        err.flush();
    }

    /** Clears the line. */
    void done() {
        if (enabled && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
        }
    }
}
