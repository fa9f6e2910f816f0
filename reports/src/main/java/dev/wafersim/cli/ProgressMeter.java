package dev.wafersim.cli;

import dev.wafersim.workloads.run.Progress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The one progress display of the command line ({@code run}, {@code compare}, {@code sweep}): steps done
 * of all, elapsed time, an estimate of the time left (elapsed / done x remaining) and a few words on the
 * latest step.
 *
 * <ul>
 *   <li>{@link Mode#TERMINAL} (standard error is a terminal): a bar redrawn in place at most ten times a
 *       second; {@link #done} clears it, so nothing of it stays in the output.</li>
 *   <li>{@link Mode#LOG} (not a terminal: CI logs, pipes): one plain line every
 *       {@link #LOG_INTERVAL_NS} (30 s) of a long run, nothing for a short one.</li>
 *   <li>{@link Mode#QUIET} ({@code --quiet}): nothing.</li>
 * </ul>
 *
 * <p>Called from the simulating thread or under the caller's lock; the clock is injectable for tests.
 */
public final class ProgressMeter implements Progress {
    /** How the meter shows itself. */
    public enum Mode {
        /** Redrawn in place on a terminal. */
        TERMINAL,
        /** A line every {@link #LOG_INTERVAL_NS}. */
        LOG,
        /** Nothing. */
        QUIET
    }

    /** Shortest time between two redraws on a terminal (0.1 s). */
    static final long REDRAW_NS = 100_000_000L;
    /** Time between two lines when not on a terminal (30 s). */
    static final long LOG_INTERVAL_NS = 30_000_000_000L;
    private static final int BAR = 24;

    private final PrintWriter err;
    private final String label;
    private final String unit;
    private final Mode mode;
    private final long logIntervalNs;
    private final LongSupplier clock;
    private final long start;
    private long lastDraw;
    private long lastLog;
    private int width;

    /**
     * A meter.
     *
     * @param label         what runs, e.g. {@code run wse3}
     * @param unit          what a step is, plural, e.g. {@code token stages}
     * @param logIntervalNs time between two lines in {@link Mode#LOG}
     * @param clock         nanosecond clock ({@code System::nanoTime})
     */
    ProgressMeter(PrintWriter err, String label, String unit, Mode mode, long logIntervalNs, LongSupplier clock) {
        this.err = err;
        this.label = label;
        this.unit = unit;
        this.mode = mode;
        this.logIntervalNs = logIntervalNs;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastLog = start;
    }

    /**
     * The meter of a command: quiet when asked, else a bar when {@code bar} is true (or, when it is null,
     * when the process has a console), else the periodic line.
     */
    static ProgressMeter of(PrintWriter err, String label, String unit, boolean quiet, Boolean bar) {
        Mode m = quiet ? Mode.QUIET : (bar != null ? bar : System.console() != null) ? Mode.TERMINAL : Mode.LOG;
        return new ProgressMeter(err, label, unit, m, LOG_INTERVAL_NS, System::nanoTime);
    }

    /** The mode. */
    Mode mode() {
        return mode;
    }

    @Override
    public void update(long done, long total, String what) {
        if (mode == Mode.QUIET) {
            return;
        }
        long now = clock.getAsLong();
        if (mode == Mode.LOG) {
            if (now - lastLog >= logIntervalNs && done < total) {
                lastLog = now;
                err.println(text(done, total, what, now, false));
                err.flush();
            }
            return;
        }
        if (now - lastDraw < REDRAW_NS && done < total) {
            return;
        }
        lastDraw = now;
        String line = text(done, total, what, now, true);
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
        err.flush();
    }

    private String text(long done, long total, String what, long now, boolean bar) {
        double elapsed = (now - start) / 1e9;
        long pct = total <= 0 ? 100 : 100 * done / total;
        String eta = done <= 0 || total <= 0 ? "--:--" : clock(elapsed / done * (total - done));
        StringBuilder sb = new StringBuilder(label).append(": ");
        if (bar && total > 0) {
            int filled = (int) Math.min(BAR, (long) BAR * done / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ");
        }
        sb.append(String.format(Locale.ROOT, "%d/%d %s (%d%%), elapsed %s, ETA %s", done, total, unit, pct,
                clock(elapsed), eta));
        if (what != null && !what.isEmpty()) {
            sb.append(", ").append(what);
        }
        return sb.toString();
    }

    /** Clears the bar on a terminal. */
    void done() {
        if (mode == Mode.TERMINAL && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            width = 0;
        }
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
