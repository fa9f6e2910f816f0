package dev.wafersim.fabric.wafer;

/**
 * The PE input queues: per PE and bound input queue, a FIFO of up to
 * {@code pe.inputQueueDepthWavelets} wavelets that the router's ramp fills and the PE's tasks and
 * vector operations drain. This class owns their layout; {@link Routers} delivers into them and
 * {@link PeEngine} pops from them.
 *
 * <h2>Model</h2>
 * A wavelet the router moves onto the ramp at cycle t is in the queue at once (it takes a place)
 * and ready for the PE from t + {@code fabric.rampLatencyCycles}. A place freed by a pop at cycle t
 * is visible to the router from t + 1. A router that finds the queue full registers in the queue
 * and is woken (scheduled for the next cycle) by the next pop. Unlike a router buffer, a queue can
 * be popped several times in one cycle (a data task's wavelet and a microthread's operand).
 */
final class PeQueues {
    /*
     * Layout: one int array, `stride` ints per queue (a multiple of 8: 32 bytes for the presets in
     * timing mode), numbered by PE, then queue number.
     *
     *   STATE      count (bits 0-10) | head, the ring position of the oldest wavelet (11-21) | pops
     *              in cycle POP_CYCLE (22-30) | the router waits for a place (31)
     *   POP_CYCLE  the cycle of those pops (low 32 bits)
     *   ROUTER     the router (= PE position) the queue belongs to
     *   SLOT       the router slot that feeds it
     *   then       `depth` ready cycles (low 32 bits), and in functional mode `depth` payloads
     */
    static final int STATE = 0;
    static final int POP_CYCLE = 1;
    static final int ROUTER = 2;
    static final int SLOT = 3;
    static final int HEADER = 4;

    static final int COUNT_MASK = 0x7FF;
    static final int HEAD_SHIFT = 11;
    static final int HEAD_FIELD = 0x7FF << HEAD_SHIFT;
    static final int POPS_SHIFT = 22;
    static final int POPS_FIELD = 0x1FF << POPS_SHIFT;
    static final int ROUTER_WAITING = 1 << 31;
    /** Queue depth the layout can hold (count and head are 11 bits). */
    static final int MAX_DEPTH = COUNT_MASK;

    final int depth;
    final int stride;
    final boolean payloads;
    final int[] words;
    final int count;
    private final FabricClock clock;
    private final FabricStats stats;

    PeQueues(int count, int depth, boolean payloads, FabricClock clock, FabricStats stats) {
        this.count = count;
        this.depth = depth;
        this.payloads = payloads;
        this.stride = (HEADER + (payloads ? 2 : 1) * depth + 7) & ~7;
        this.words = new int[Math.max(1, count) * stride];
        this.clock = clock;
        this.stats = stats;
        for (int q = 0; q < count; q++) {
            words[q * stride + POP_CYCLE] = -1;
        }
    }

    /** Places in the queue in block qb that the router sees at cycle ti. */
    int free(int qb, int ti) {
        int st = words[qb + STATE];
        int used = st & COUNT_MASK;
        if (words[qb + POP_CYCLE] == ti) {
            used += (st & POPS_FIELD) >>> POPS_SHIFT;
        }
        return depth - used;
    }

    /** True when the queue in block qb holds a wavelet ready at cycle ti. */
    boolean headReady(int qb, int ti) {
        int st = words[qb + STATE];
        return (st & COUNT_MASK) > 0 && words[qb + HEADER + ((st & HEAD_FIELD) >>> HEAD_SHIFT)] - ti <= 0;
    }

    /** Wavelets in the queue in block qb. */
    int held(int qb) {
        return words[qb + STATE] & COUNT_MASK;
    }

    /** Registers the router as waiting for a place in the queue in block qb. */
    void markRouterWaiting(int qb) {
        words[qb + STATE] |= ROUTER_WAITING;
    }

    /** Appends a wavelet ready at cycle {@code ready} (low 32 bits) to the queue in block qb. */
    void push(int qb, int value, int ready) {
        int[] w = words;
        int st = w[qb + STATE];
        int pos = ((st & HEAD_FIELD) >>> HEAD_SHIFT) + (st & COUNT_MASK);
        if (pos >= depth) {
            pos -= depth;
        }
        w[qb + HEADER + pos] = ready;
        if (payloads) {
            w[qb + HEADER + depth + pos] = value;
        }
        w[qb + STATE] = st + 1;
    }

    /**
     * Pops the head of the queue in block qb at cycle ti (it must be ready) and returns its payload
     * (0 in timing mode); wakes the router for the next cycle if it waited for a place.
     */
    int pop(int qb, int ti) {
        int[] w = words;
        int st = w[qb + STATE];
        int h = (st & HEAD_FIELD) >>> HEAD_SHIFT;
        int value = payloads ? w[qb + HEADER + depth + h] : 0;
        int nh = h + 1 == depth ? 0 : h + 1;
        int ns = ((st & ~HEAD_FIELD) | (nh << HEAD_SHIFT)) - 1;
        if (w[qb + POP_CYCLE] != ti) {
            w[qb + POP_CYCLE] = ti;
            ns = (ns & ~POPS_FIELD) | (1 << POPS_SHIFT);
        } else {
            ns += 1 << POPS_SHIFT;
        }
        w[qb + STATE] = ns & ~ROUTER_WAITING;
        stats.consumed++;
        if ((st & ROUTER_WAITING) != 0) {
            clock.sched(1, FabricClock.router(w[qb + ROUTER]));
        }
        return value;
    }

    /** Wavelets in all queues. */
    long heldTotal() {
        long held = 0;
        for (int q = 0; q < count; q++) {
            held += words[q * stride + STATE] & COUNT_MASK;
        }
        return held;
    }
}
