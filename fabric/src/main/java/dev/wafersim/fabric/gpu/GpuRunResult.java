package dev.wafersim.fabric.gpu;

import dev.wafersim.core.stats.StatsRegistry;
import dev.wafersim.core.time.Ticks;
import java.util.Locale;

/**
 * The outcome of running a {@link GpuProgram}: the wall time, per GPU the time booked to each
 * {@link TimeCategory} (summing to the wall time) and its item-by-item {@link GpuTimeline}.
 */
public final class GpuRunResult {
    private final String preset;
    private final long endPs;
    private final long[][] byCategoryPs;
    private final long[] finishPs;
    private final GpuTimeline[] timelines;
    private final long events;

    GpuRunResult(String preset, long endPs, long[][] byCategoryPs, long[] finishPs, GpuTimeline[] timelines,
                 long events) {
        this.preset = preset;
        this.endPs = endPs;
        this.byCategoryPs = byCategoryPs;
        this.finishPs = finishPs;
        this.timelines = timelines;
        this.events = events;
    }

    /** Wall time: when the last GPU finished, ps. */
    public long endPs() {
        return endPs;
    }

    /** Number of GPUs. */
    public int gpuCount() {
        return timelines.length;
    }

    /** When GPU {@code gpu} finished its own program, ps (at most {@link #endPs()}). */
    public long finishPs(int gpu) {
        return finishPs[gpu];
    }

    /** Time GPU {@code gpu} spent in {@code category}, ps. */
    public long timePs(int gpu, TimeCategory category) {
        return byCategoryPs[gpu][category.ordinal()];
    }

    /** Time in {@code category} summed over all GPUs, ps. */
    public long totalPs(TimeCategory category) {
        long s = 0;
        for (long[] perGpu : byCategoryPs) {
            s += perGpu[category.ordinal()];
        }
        return s;
    }

    /** GPU {@code gpu}'s time per category, indexed by ordinal, ps (a copy). */
    public long[] breakdownPs(int gpu) {
        return byCategoryPs[gpu].clone();
    }

    /** GPU {@code gpu}'s item-by-item timeline. */
    public GpuTimeline timeline(int gpu) {
        return timelines[gpu];
    }

    /** Events the engine handled. */
    public long eventsHandled() {
        return events;
    }

    /**
     * Registers the breakdown as counters {@code PREFIX.endPs} and
     * {@code PREFIX.gpuN.CATEGORYPs} (e.g. {@code gpu.gpu3.weightReadPs}).
     */
    public void registerStats(StatsRegistry stats, String prefix) {
        stats.counter(prefix + ".endPs", () -> endPs);
        for (int g = 0; g < byCategoryPs.length; g++) {
            for (TimeCategory c : TimeCategory.values()) {
                final long v = byCategoryPs[g][c.ordinal()];
                stats.counter(prefix + ".gpu" + g + "." + c.statName() + "Ps", () -> v);
            }
        }
    }

    /** A table of each GPU's breakdown in microseconds, for logs and debugging. */
    public String breakdownTable() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: wall %.3f us%n%-5s", preset,
                Ticks.toMicros(endPs), "gpu"));
        for (TimeCategory c : TimeCategory.values()) {
            sb.append(String.format(Locale.ROOT, " %14s", c.statName()));
        }
        sb.append(System.lineSeparator());
        for (int g = 0; g < byCategoryPs.length; g++) {
            sb.append(String.format(Locale.ROOT, "%-5d", g));
            for (TimeCategory c : TimeCategory.values()) {
                sb.append(String.format(Locale.ROOT, " %14.3f", Ticks.toMicros(byCategoryPs[g][c.ordinal()])));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return breakdownTable();
    }
}
