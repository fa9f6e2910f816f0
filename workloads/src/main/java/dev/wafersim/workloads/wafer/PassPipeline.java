package dev.wafersim.workloads.wafer;

/**
 * Passes of a batch going through one region after another (a flow shop): pass p enters a region
 * when it has left the previous one ({@code ready[p]}) and is done at
 * <pre>
 *   d_0 = a_0 + c_0,   d_p = max(a_p + c_0, d_(p-1) + c_p - c_(p-1))
 * </pre>
 * where c_0 <= c_1 <= ... are the cycles at which the region's own episode (every pass's input
 * present from the start) finished each pass: alone, a pass takes the region's pass latency c_0;
 * behind the previous pass it follows at the interval the episode showed. With the same region
 * repeated L times, h cycles between regions and every pass ready at a, the last pass leaves at
 * a + (L - 1)(h + c_0) + c_(P-1) (the test derives this).
 */
final class PassPipeline {
    private PassPipeline() {
    }

    /**
     * When each pass is done.
     *
     * @param ready  cycle at which each pass's input is at the region, ascending not required
     * @param ends   the region's pass ends from its episode, ascending, as many as {@code ready}
     * @param behind set to true where a pass waited for the previous one (the second term won)
     * @return the cycle each pass is done
     */
    static long[] through(long[] ready, long[] ends, boolean[] behind) {
        if (ready.length != ends.length || behind.length != ready.length) {
            throw new IllegalArgumentException(ready.length + " passes ready, " + ends.length + " pass ends, "
                    + behind.length + " flags");
        }
        long[] done = new long[ready.length];
        for (int p = 0; p < ready.length; p++) {
            long previous = p > 0 ? done[p - 1] : NONE;
            done[p] = done(ready[p], ends[0], previous, p > 0 ? ends[p] - ends[p - 1] : 0);
            behind[p] = p > 0 && done[p] > ready[p] + ends[0];
        }
        return done;
    }

    /** No previous pass in the region. */
    static final long NONE = Long.MIN_VALUE;

    /**
     * One pass of possibly different passes (the step model's micro-passes: decode groups and prefill
     * sub-chunks) through a region: done at {@code max(ready + alone, previousDone + interval)}, where
     * {@code alone} is the pass's own latency in the region and {@code interval} how long after an
     * identical previous pass it finishes ({@link #NONE}: the region's first pass).
     */
    static long done(long ready, long alone, long previousDone, long interval) {
        long a = ready + alone;
        return previousDone == NONE ? a : Math.max(a, previousDone + interval);
    }
}
