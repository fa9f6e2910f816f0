package dev.wafersim.fabric.wafer;

/**
 * Active cycles that no visit of the cycle loop shows: cycles in which the step-by-step simulation
 * would have visited some part, but this one accounted for those visits without making them
 * (receive fusion, {@link ReceiveFusion}; stream fast-forward, {@link StreamFastForward}). They
 * count in {@link FabricStats#activeCycles} and {@link FabricStats#lastActiveCycle} as the
 * simulation passes them, so that a run reports the same active cycles as one that makes every
 * visit.
 *
 * <p>Contract: every cycle marked is later than the cycle being processed ({@link FabricClock#cycle});
 * a cycle is counted once however often it is marked, and not at all when the cycle loop processes
 * it (the loop counts it itself).
 */
final class VirtualActivity {
    /*
     * Two stores. Receive fusion marks two cycles per wavelet on its hot path: bits (c & 63) of
     * `window` for cycles c in (cycle, cycle + 63], one OR each. A fast-forward marks intervals of up
     * to a few thousand cycles: a difference array over a ring of SPAN cycles (+1 at an interval's
     * first cycle, -1 after its last), whose running sum `open` is the number of intervals covering
     * cycle coverFrom - 1; cycles before coverFrom are accounted. The ring is allocated with the first
     * interval (most fabrics never fast-forward). A cycle both stores mark is counted by the interval
     * walk, which clears its bit.
     */
    /** Cycles ahead of the current one that an interval may reach (a fast-forward checks its span). */
    static final int SPAN = 1 << 16;
    private static final int SPAN_MASK = SPAN - 1;

    private final FabricStats stats;
    private final FabricClock clock;
    /** Fused cycles in (cycle, cycle + 63], bit c & 63. */
    private long window;
    private int[] delta;
    /** First cycle whose difference is not yet applied. */
    private long coverFrom = 1;
    /** The last cycle holding a difference (an interval's end + 1); nothing is pending when coverFrom > coverEnd. */
    private long coverEnd;
    /** Intervals covering cycle coverFrom - 1. */
    private int open;

    VirtualActivity(FabricStats stats, FabricClock clock) {
        this.stats = stats;
        this.clock = clock;
    }

    /** Marks cycles tc and tc + 1 (a fused receive: the PE's visits at its ready cycle and after its step). */
    void markFused(long tc) {
        window |= (1L << tc) | (1L << (tc + 1));
    }

    /**
     * Marks the cycles {@code from..to} (inclusive): {@code from} after the cycle being processed,
     * {@code to} less than {@link #SPAN} cycles after it.
     */
    void markInterval(long from, long to) {
        if (to < from) {
            return;
        }
        if (delta == null) {
            delta = new int[SPAN];
        }
        if (coverFrom > coverEnd) {
            coverFrom = clock.cycle + 1;
        }
        delta[(int) from & SPAN_MASK]++;
        delta[(int) (to + 1) & SPAN_MASK]--;
        coverEnd = Math.max(coverEnd, to + 1);
    }

    /** True when marked cycles wait to be counted. */
    boolean pending() {
        return window != 0 || coverFrom <= coverEnd;
    }

    /** Counts the marked cycles before t as active (t itself is being processed by the cycle loop). */
    void countBefore(long t) {
        long prev = clock.cycle;
        if (coverFrom <= coverEnd) {
            long stop = Math.min(t, coverEnd);
            for (long c = coverFrom; c <= stop; c++) {
                int i = (int) c & SPAN_MASK;
                open += delta[i];
                delta[i] = 0;
                if (c < t && open > 0) {
                    stats.activeCycles++;
                    if (c - prev < 64) {
                        window &= ~(1L << c);
                    }
                }
            }
            coverFrom = stop + 1;
        }
        long m = window;
        while (m != 0) {
            int i = Long.numberOfTrailingZeros(m);
            m &= m - 1;
            long c = prev + ((i - (int) prev) & 63);
            if (c < t) {
                stats.activeCycles++;
                window &= ~(1L << i);
            } else if (c == t) {
                window &= ~(1L << i);
            }
        }
    }

    /**
     * At the end of a run: counts every marked cycle after the last processed one as active and the
     * last of them as the last active cycle. Returns true when there was any.
     */
    boolean flush() {
        if (!pending()) {
            return false;
        }
        long prev = clock.cycle;
        long last = -1;
        if (coverFrom <= coverEnd) {
            for (long c = coverFrom; c <= coverEnd; c++) {
                int i = (int) c & SPAN_MASK;
                open += delta[i];
                delta[i] = 0;
                if (open > 0) {
                    stats.activeCycles++;
                    last = c;
                    if (c - prev < 64) {
                        window &= ~(1L << c);
                    }
                }
            }
            coverFrom = coverEnd + 1;
        }
        long m = window;
        while (m != 0) {
            int i = Long.numberOfTrailingZeros(m);
            m &= m - 1;
            long c = prev + ((i - (int) prev) & 63);
            stats.activeCycles++;
            last = Math.max(last, c);
        }
        window = 0;
        if (last > stats.lastActiveCycle) {
            stats.lastActiveCycle = last;
        }
        return true;
    }
}
