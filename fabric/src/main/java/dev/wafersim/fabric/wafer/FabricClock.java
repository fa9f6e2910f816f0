package dev.wafersim.fabric.wafer;

import dev.wafersim.core.event.ActivityRing;

/**
 * The fabric's notion of time and what must happen when: the cycle being simulated and an
 * {@link ActivityRing} of int handles, {@code 2 r} for router r and {@code 2 r + 1} for its PE, so
 * that in a cycle routers and PEs are visited in ascending grid order (router r before its PE,
 * both before router r + 1). A part is visited only in the cycles it was scheduled for; nothing
 * polls.
 *
 * <p>Contract: {@link #sched} takes a delay of at least 1 cycle (nothing one part does in a cycle is
 * visible to another in the same cycle, so no part is ever scheduled for the cycle being processed).
 */
final class FabricClock {
    final ActivityRing ring;
    final long[] ringBits;
    final int ringWords;
    /** The cycle being processed (or the last one processed). */
    long cycle;

    FabricClock(int routers) {
        this.ring = new ActivityRing(2 * routers);
        this.ringBits = ring.bits();
        this.ringWords = ring.words();
    }

    /** The handle of router r. */
    static int router(int r) {
        return r << 1;
    }

    /** The handle of router r's PE. */
    static int pe(int r) {
        return (r << 1) | 1;
    }

    /**
     * Schedules handle h for {@code rel} cycles after the cycle being processed ({@link #cycle}). A
     * handle already scheduled for that cycle costs one load, and the summary is marked only for a
     * word that was empty: in a busy fabric most schedules repeat one already made (a router by
     * itself and by its upstream neighbour) or land in a word with other handles (measured, the
     * empty-word test alone: reduce-2d 64 x 64 13.5 -> 14.3 M wavelet-hops/s).
     */
    void sched(int rel, int h) {
        sched(ring, ringBits, ringWords, cycle, rel, h);
    }

    /**
     * {@link #sched} for a caller that holds the ring's arrays and the current cycle {@code now}
     * itself (the routers' hot path; measured with the neighbour computed from a local width, two
     * indirections less per hop: a 64 x 64 2D broadcast 25.1 -> 24.8 ns per hop of thread CPU,
     * in-process A/B, median of 60 runs).
     */
    static void sched(ActivityRing ring, long[] ringBits, int ringWords, long now, int rel, int h) {
        if (rel < ActivityRing.SPAN) {
            int slot = ((int) now + rel) & (ActivityRing.SPAN - 1);
            int wi = slot * ringWords + (h >>> 6);
            long w = ringBits[wi];
            long bit = 1L << h;
            if ((w & bit) == 0) {
                ringBits[wi] = w | bit;
                if (w == 0) {
                    // A word with bits set is in the summary already.
                    ring.markSlot(slot, h);
                }
            }
        } else {
            ring.schedule(now + rel, h);
        }
    }

    /** Schedules handle h for the absolute cycle {@code at} (at or after the ring's current cycle). */
    void schedAt(long at, int h) {
        ring.schedule(at, h);
    }
}
