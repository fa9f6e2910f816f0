package dev.wafersim.fabric.wafer;

/**
 * Receive fusion: a PE that only stores what arrives is not visited per wavelet; the router that
 * delivers accounts for its consumption, with the same cycles, steps and statistics as the visits
 * it replaces.
 *
 * <h2>Model</h2>
 * A PE whose only thread waits for input on a receive into memory (a fabric operation with one input
 * queue, no output queue, one cycle per step: {@code Role.fusable}) consumes every further wavelet of
 * that operation exactly at its ready cycle: one step per cycle keeps up with one arrival per cycle,
 * and nothing else can run on it.
 */
final class ReceiveFusion {
    /*
     * Algorithm. Such a PE arms the router slot that feeds its queue (arm(): the slot's FUSION word
     * holds the wavelets the router may account for | those accounted << 16), and the router then
     * accounts each delivery but the operation's last (left to a real visit, which completes the
     * operation) as consumed at its ready cycle tc (consume()): a ramp delivery, a consumption, one
     * step and a memory write ending at tc + opLatency (FabricStats.fusedReceives, lastFusedReady),
     * and PE visits at tc and tc + 1 (the second finds nothing to do), which count as active cycles;
     * the PE's position catches up at its next visit (take()). The wavelet is not put
     * into the queue: while the PE keeps up, everything in its queue at a cycle t arrived in the last
     * rampLatency cycles, so with a queue deeper than rampLatency a fused wavelet can never have made
     * the router find the queue full, and the queue holds exactly the wavelets that are not fused.
     * Only in timing mode (functional runs compute values at the PE's visit), and never while a cycle
     * observer watches (it must see every PE visit).
     *
     * The cycles of the PE visits a fused consumption replaces are marked in VirtualActivity, which
     * counts them as active when the simulation passes them or at the end of the run.
     */
    private static final int MAY_MASK = 0xFFFF;
    private static final int TAKEN_SHIFT = 16;

    /** True when this fabric's parameters allow fusion at all (see the class comment). */
    final boolean possible;
    private final FabricStats stats;
    private final FabricClock clock;
    private final VirtualActivity activity;
    private int[] rs;
    /** Some router accounted a receive since the last flush (the PEs' positions must catch up). */
    private boolean pending;
    /** Deliveries at or after this cycle are not fused (the watchdog's budget: the run stops there). */
    long limit = Long.MAX_VALUE;

    ReceiveFusion(WseParams p, boolean functional, FabricStats stats, FabricClock clock, VirtualActivity activity) {
        int ramp = p.rampLatencyCycles();
        // The queue must have room for everything in flight on the ramp, and the consumption cycles
        // must fall within the 64-cycle window.
        this.possible = !functional && p.peInputQueueDepthWavelets() > ramp && ramp <= 62;
        this.stats = stats;
        this.clock = clock;
        this.activity = activity;
    }

    /** Binds the router slots (once they are numbered). */
    void bind(RouterSlots slots) {
        this.rs = slots.words;
    }

    /** True when the slot in block sb may account for its next delivery (armed). */
    static boolean armed(int[] rs, int sb) {
        return (rs[sb + RouterSlots.FUSION] & MAY_MASK) != 0;
    }

    /**
     * Arms the slot in block sb: its PE waits for input on a fusable operation with {@code remaining}
     * wavelets to go, {@code queued} of them in its queue already; the router may account for every
     * further one but the last.
     */
    void arm(int sb, int remaining, int queued) {
        int left = Math.min(MAY_MASK, Math.max(0, remaining - queued - 1));
        rs[sb + RouterSlots.FUSION] = (rs[sb + RouterSlots.FUSION] & ~MAY_MASK) | left;
    }

    /** Disarms the slot in block sb (what was accounted stays for the PE to take). */
    void disarm(int sb) {
        rs[sb + RouterSlots.FUSION] &= ~MAY_MASK;
    }

    /** Wavelets the router accounted for the PE fed by block sb since it last took them. */
    int accounted(int sb) {
        return rs[sb + RouterSlots.FUSION] >>> TAKEN_SHIFT;
    }

    /** Takes (and clears) the wavelets accounted at block sb. */
    int take(int sb) {
        int done = rs[sb + RouterSlots.FUSION] >>> TAKEN_SHIFT;
        if (done != 0) {
            rs[sb + RouterSlots.FUSION] &= MAY_MASK;
        }
        return done;
    }

    /** Takes the wavelets accounted at block sb and disarms it (end of a run). */
    int takeAll(int sb) {
        int done = rs[sb + RouterSlots.FUSION] >>> TAKEN_SHIFT;
        rs[sb + RouterSlots.FUSION] = 0;
        return done;
    }

    /**
     * The router at block sb delivers a wavelet at cycle t, ready for the PE at tc = t + rampLatency:
     * accounts for it as consumed at tc.
     */
    void consume(int sb, long tc) {
        rs[sb + RouterSlots.FUSION] += (1 << TAKEN_SHIFT) - 1;
        stats.fusedReceives++;
        stats.lastFusedReady = tc;
        activity.markFused(tc);
        pending = true;
    }

    /**
     * At the end of a run: counts the cycles that fusion and fast-forwards marked as active (the
     * last of them as the last active cycle), then has {@code pes} bring the PEs' positions up to date.
     */
    void flush(PeEngine pes) {
        if (activity.flush()) {
            clock.cycle = Math.max(clock.cycle, stats.lastActiveCycle);
        }
        if (pending) {
            pes.takeFusedSteps(this);
            pending = false;
        }
    }
}
