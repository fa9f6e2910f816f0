package dev.wafersim.core.event;

/**
 * Which integer handles (routers, PEs) must be visited in which cycle: a ring of 64 bitsets for the
 * near future plus a heap for the far future. Scheduling sets a bit; a handle scheduled twice for
 * one cycle is visited once; the handles of a cycle come out in ascending order.
 *
 * <p>Why bitsets: in a busy fabric most parts are active in most cycles, and visiting them in
 * index order walks their state sequentially through memory, which the hardware prefetcher
 * follows (measured on a 512 x 512 2D broadcast: see the fabric benchmark in the README). A
 * two-level summary (one bit per 64-bit word) keeps sparse cycles cheap: a cycle costs its number of
 * set words, not the size of the space. Memory: 64 x handles / 8 bytes (7 MB for 893,064 routers
 * and as many PEs).
 */
public final class ActivityRing {
    /** Cycles ahead that live in the ring; later ones wait in the overflow heap. */
    public static final int SPAN = 64;

    private final int words;
    private final int summaryWords;
    private final long[] bits;
    private final long[] summary;
    private long nonEmpty;
    private final HeapEventQueue overflow = new HeapEventQueue(256);
    private final EventCursor scratch = new EventCursor();
    private long overflowSeq;
    private long current;

    /** A ring for handles 0..handles-1. */
    public ActivityRing(int handles) {
        this.words = Math.max(1, (handles + 63) >>> 6);
        this.summaryWords = (words + 63) >>> 6;
        this.bits = new long[SPAN * words];
        this.summary = new long[SPAN * summaryWords];
    }

    /** The cycle the cursor stands at; nothing may be scheduled before it. */
    public long current() {
        return current;
    }

    /** Schedules {@code handle} for {@code cycle} (at or after {@link #current()}). */
    public void schedule(long cycle, int handle) {
        long d = cycle - current;
        if (d < SPAN) {
            if (d < 0) {
                throw new IllegalArgumentException("cannot schedule at cycle " + cycle + ", before " + current);
            }
            int slot = (int) cycle & (SPAN - 1);
            int w = handle >>> 6;
            bits[slot * words + w] |= 1L << handle;
            summary[slot * summaryWords + (w >>> 6)] |= 1L << w;
            nonEmpty |= 1L << slot;
        } else {
            overflow.push(cycle, overflowSeq++, 0, handle);
        }
    }

    /**
     * The rest of a schedule whose bit the caller has set itself in {@link #bits()}: marks word
     * {@code handle >>> 6} of ring slot {@code slot} (cycle &amp; (SPAN - 1), a cycle within SPAN of
     * the current one) in the summary and the slot as non-empty. For callers that schedule near
     * cycles with precomputed offsets and skip handles already set.
     */
    public void markSlot(int slot, int handle) {
        int w = handle >>> 6;
        summary[slot * summaryWords + (w >>> 6)] |= 1L << w;
        nonEmpty |= 1L << slot;
    }

    /** Number of bit words per cycle ({@link #bits()} holds SPAN cycles of them). */
    public int words() {
        return words;
    }

    /** True when nothing is scheduled. */
    public boolean isEmpty() {
        return nonEmpty == 0 && overflow.isEmpty();
    }

    /**
     * Moves the cursor to the earliest cycle with scheduled handles and returns it, or
     * {@link Long#MAX_VALUE} when nothing is scheduled.
     */
    public long advance() {
        while (true) {
            if (nonEmpty == 0) {
                if (overflow.isEmpty()) {
                    return Long.MAX_VALUE;
                }
                current = Math.max(current, overflow.peekTime());
            } else {
                int off = Long.numberOfTrailingZeros(Long.rotateRight(nonEmpty, (int) current & (SPAN - 1)));
                current += off;
            }
            // Far-future handles whose cycle is now within reach join the ring.
            boolean pulled = false;
            while (!overflow.isEmpty() && overflow.peekTime() - current < SPAN) {
                overflow.poll(scratch);
                schedule(scratch.timePs, (int) scratch.data);
                pulled = true;
            }
            if (!pulled || (nonEmpty & (1L << ((int) current & (SPAN - 1)))) != 0) {
                return current;
            }
        }
    }

    /**
     * The bit words of all cycles; those of the current cycle (after {@link #advance()}) start at
     * {@link #currentBitsOffset()}. The caller clears the words it takes.
     */
    public long[] bits() {
        return bits;
    }

    /** Offset of the current cycle's words in {@link #bits()}. */
    public int currentBitsOffset() {
        return ((int) current & (SPAN - 1)) * words;
    }

    /**
     * The summary words of all cycles: bit w of summary word i of a cycle is set when its bits word
     * 64 i + w may be non-zero. The current cycle's start at {@link #currentSummaryOffset()}.
     */
    public long[] summary() {
        return summary;
    }

    /** Offset of the current cycle's words in {@link #summary()}. */
    public int currentSummaryOffset() {
        return ((int) current & (SPAN - 1)) * summaryWords;
    }

    /** Number of summary words per cycle. */
    public int summaryWords() {
        return summaryWords;
    }

    /** Marks the current cycle drained; call after clearing its words. */
    public void finishCurrent() {
        nonEmpty &= ~(1L << ((int) current & (SPAN - 1)));
    }

    /**
     * Takes the handles of the current cycle in ascending order into {@code out} (grown if needed),
     * clearing them; returns the array, the count is {@link #drainedCount()}. A convenience for
     * callers that do not iterate the words themselves.
     */
    public int[] drain(int[] out) {
        int bo = currentBitsOffset();
        int so = currentSummaryOffset();
        int n = 0;
        for (int si = 0; si < summaryWords; si++) {
            long sw = summary[so + si];
            if (sw == 0) {
                continue;
            }
            summary[so + si] = 0;
            while (sw != 0) {
                int wi = (si << 6) + Long.numberOfTrailingZeros(sw);
                sw &= sw - 1;
                long w = bits[bo + wi];
                bits[bo + wi] = 0;
                while (w != 0) {
                    if (n == out.length) {
                        out = java.util.Arrays.copyOf(out, Math.max(16, n * 2));
                    }
                    out[n++] = (wi << 6) + Long.numberOfTrailingZeros(w);
                    w &= w - 1;
                }
            }
        }
        finishCurrent();
        drained = n;
        return out;
    }

    private int drained;

    /** Number of handles returned by the last {@link #drain}. */
    public int drainedCount() {
        return drained;
    }
}
