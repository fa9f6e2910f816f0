package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.RouterSlots.COUNT_MASK;
import static dev.wafersim.fabric.wafer.RouterSlots.CUR;
import static dev.wafersim.fabric.wafer.RouterSlots.HEADER;
import static dev.wafersim.fabric.wafer.RouterSlots.HEAD_SHIFT;
import static dev.wafersim.fabric.wafer.RouterSlots.NEXT;
import static dev.wafersim.fabric.wafer.RouterSlots.OUT_SHIFT;
import static dev.wafersim.fabric.wafer.RouterSlots.POP_CYCLE;
import static dev.wafersim.fabric.wafer.RouterSlots.RAMP_QUEUE;
import static dev.wafersim.fabric.wafer.RouterSlots.RT_COLOURS_HI;
import static dev.wafersim.fabric.wafer.RouterSlots.RT_COLOURS_LO;
import static dev.wafersim.fabric.wafer.RouterSlots.RT_FIRST;
import static dev.wafersim.fabric.wafer.RouterSlots.RT_RR;
import static dev.wafersim.fabric.wafer.RouterSlots.STATE;
import static dev.wafersim.fabric.wafer.RouterSlots.WAIT_MASK;
import static dev.wafersim.fabric.wafer.RouterSlots.WAIT_SHIFT;

import dev.wafersim.core.event.ActivityRing;

/**
 * What a router does in a cycle: moves the head wavelet of each of its colours' buffers to the
 * outputs of the colour's current configuration (neighbouring routers and/or its PE's input queue),
 * under the flow-control rules below. The state it works on is {@link RouterSlots} (buffers, routes)
 * and {@link PeQueues} (the ramp's destination).
 *
 * <h2>Model</h2>
 * In a cycle, a colour's head wavelet moves when it is ready, every output link it needs is free this
 * cycle (one wavelet per link per direction per cycle) and every receiver has a credit and accepts
 * it (the receiving router's current configuration receives from this direction; a PE queue has a
 * place). A multicast wavelet moves to all its outputs at once or not at all (lossless
 * backpressure). Colours sharing an output link are served round-robin, and a colour that cannot
 * move never blocks another. A wavelet forwarded at cycle t is ready in the next router at
 * t + {@code hopLatencyCycles}, or in the PE's input queue at t + {@code rampLatencyCycles}. A
 * control wavelet is forwarded like data, then advances the route of the router it left; at a ramp it
 * is absorbed. Units: cycles of the fabric clock.
 */
final class Routers {
    /*
     * Algorithm. A router is visited (process()) only in cycles where one of its colours may move:
     * scheduled by the arrival of a wavelet (hopLatency after the upstream move, or
     * opLatency + rampLatency after a PE's injection), by its own previous move when more wavelets
     * wait, or by the pop that frees the credit it was refused ("waiting senders", registered in the
     * refusing buffer and woken for the next cycle). A visit returns, per colour, when the colour next
     * needs a visit; the router schedules itself for the earliest. Nothing polls: a colour refused a
     * credit is not revisited until woken.
     *
     * Within a cycle nothing a router does is visible to others before the next cycle: a pop's place
     * is a credit only from the next cycle (RouterSlots.POP_CYCLE), a moved wavelet is ready hopLatency
     * (>= 1) later, and round-robin pointers move only for the router itself. So the order in which
     * parts are visited within a cycle cannot change a result (booksim's two-phase read / evaluate /
     * write, without the copies).
     *
     * Round robin: the pointer is a colour; the colours with wavelets are served from it upwards,
     * each taking the output links no earlier colour took this cycle, and the pointer advances by one
     * after any visit in which some colour held wavelets. The one- and two-colour cases, by far the
     * most common (a router on a collective's path carries one or two colours), have their own paths
     * with the same outcome.
     */

    /** moveHead result: no further visit needed for this slot. */
    private static final long NO_NEXT = (long) Integer.MAX_VALUE << 32;
    /** moveHead result flag: the slot held wavelets (for the round-robin pointer). */
    private static final long SLOT_BUSY = 1 << 5;

    private final Grid grid;
    private final RouterSlots slots;
    private final int[] rs;
    private final int[] rt;
    private final int stride;
    private final int depth;
    private final boolean payloads;
    private final int colours;
    private final long colourMask;
    private final int hop;
    private final int ramp;
    private final PeQueues queues;
    private final int qStride;
    private final FabricClock clock;
    private final FabricStats stats;
    private final ReceiveFusion fusion;
    private final long[] linkWavelets;
    private final int width;
    private final ActivityRing ring;
    private final long[] ringBits;
    private final int ringWords;

    Routers(Grid grid, RouterSlots slots, PeQueues queues, WseParams p, FabricClock clock, FabricStats stats,
            ReceiveFusion fusion) {
        this.grid = grid;
        this.slots = slots;
        this.rs = slots.words;
        this.rt = slots.rt;
        this.stride = slots.stride;
        this.depth = slots.depth;
        this.payloads = slots.payloads;
        this.colours = slots.colours;
        this.colourMask = colours == 64 ? -1L : (1L << colours) - 1;
        this.hop = p.hopLatencyCycles();
        this.ramp = p.rampLatencyCycles();
        this.queues = queues;
        this.qStride = queues.stride;
        this.clock = clock;
        this.stats = stats;
        this.fusion = fusion;
        this.linkWavelets = stats.linkWavelets;
        this.width = grid.width;
        this.ring = clock.ring;
        this.ringBits = clock.ringBits;
        this.ringWords = clock.ringWords;
    }

    /** Schedules handle h for {@code rel} cycles after t, the cycle being processed (see FabricClock). */
    private void sched(long t, int rel, int h) {
        FabricClock.sched(ring, ringBits, ringWords, t, rel, h);
    }

    /** The neighbour of router r in direction d (N, E, S, W), which exists. */
    private int step(int r, int d) {
        switch (d) {
            case Fabric.N:
                return r - width;
            case Fabric.E:
                return r + 1;
            case Fabric.S:
                return r + width;
            default:
                return r - 1;
        }
    }

    /** Visits router r at cycle t: moves what can move and schedules the router's next visit. */
    void process(int r, long t) {
        final int rb = r << 2;
        final int[] rtab = rt;
        final long configured = (rtab[rb + RT_COLOURS_LO] & 0xFFFFFFFFL) | ((long) rtab[rb + RT_COLOURS_HI] << 32);
        final int first = rtab[rb + RT_FIRST];
        if ((configured & (configured - 1)) == 0) {
            // One colour: no round robin, no shared outputs.
            int next = (int) (moveHead(r, first * stride, t, 0) >>> 32);
            if (next != Integer.MAX_VALUE) {
                sched(t, next, FabricClock.router(r));
            }
            return;
        }
        processColours(r, t, rb, configured, first);
    }

    /** A router with several colours: round robin from its pointer, outputs shared per cycle. */
    private void processColours(int r, long t, int rb, long configured, int first) {
        final int[] rtab = rt;
        final int nc = colours;
        final int rr = rtab[rb + RT_RR];
        final long rest = configured & (configured - 1);
        if ((rest & (rest - 1)) == 0) {
            // Two colours c0 < c1 (slots first, first + 1): c1 goes first when the round robin
            // points past c0 up to c1, as the rotation below would order them.
            int c0 = Long.numberOfTrailingZeros(configured);
            int c1 = Long.numberOfTrailingZeros(rest);
            int b0 = first * stride;
            int b1 = b0 + stride;
            boolean c1First = rr > c0 && rr <= c1;
            long r0 = moveHead(r, c1First ? b1 : b0, t, 0);
            long r1 = moveHead(r, c1First ? b0 : b1, t, (int) r0 & 31);
            if (((r0 | r1) & SLOT_BUSY) != 0) {
                rtab[rb + RT_RR] = rr + 1 == nc ? 0 : rr + 1;
            }
            int next = Math.min((int) (r0 >>> 32), (int) (r1 >>> 32));
            if (next != Integer.MAX_VALUE) {
                sched(t, next, FabricClock.router(r));
            }
            return;
        }
        int usedOut = 0;
        int next = Integer.MAX_VALUE; // cycles after t of the next visit this router needs
        boolean any = false;
        // Colours with routes, round-robin from rr (a slot with no wavelet returns at once).
        long rotated = rr == 0 ? configured : ((configured >>> rr) | (configured << (nc - rr))) & colourMask;
        while (rotated != 0) {
            int k = Long.numberOfTrailingZeros(rotated);
            rotated &= rotated - 1;
            int c = k + rr;
            if (c >= nc) {
                c -= nc;
            }
            long res = moveHead(r, (first + Long.bitCount(configured & ((1L << c) - 1))) * stride, t, usedOut);
            any |= (res & SLOT_BUSY) != 0;
            usedOut |= (int) res & 31;
            next = Math.min(next, (int) (res >>> 32));
        }
        if (any) {
            rtab[rb + RT_RR] = rr + 1 == nc ? 0 : rr + 1;
        }
        if (next != Integer.MAX_VALUE) {
            sched(t, next, FabricClock.router(r));
        }
    }

    /**
     * Moves the head wavelet of router r's slot block b at cycle t if it is ready, its outputs are
     * not among {@code usedOut} (taken by another colour this cycle) and every output has a credit
     * and accepts it. Returns the cycles after t at which the slot needs the router again
     * (Integer.MAX_VALUE for none) << 32 | SLOT_BUSY when the slot holds wavelets | the outputs used.
     */
    private long moveHead(int r, int b, long t, int usedOut) {
        final int[] s0 = rs;
        final int dep = depth;
        final int ti = (int) t;
        final int ts = ti << 1;
        final int st = s0[b + STATE];
        int n = st & COUNT_MASK;
        if (n == 0) {
            return NO_NEXT;
        }
        final int head = st >>> HEAD_SHIFT;
        final int stamp = s0[b + HEADER + head];
        int readyRel = (stamp - ts) >> 1;
        if (readyRel > 0) {
            return (long) readyRel << 32 | SLOT_BUSY;
        }
        final int cur = s0[b + CUR];
        final int out = (cur >>> OUT_SHIFT) & 31;
        if ((out & usedOut) != 0) {
            return 1L << 32 | SLOT_BUSY;
        }
        final boolean control = (stamp & 1) != 0;
        // Every output must have a credit and accept this direction (lossless multicast). A PE queue
        // armed for receive fusion always has room (see ReceiveFusion).
        final boolean toRamp = (out & (1 << Fabric.RAMP)) != 0;
        final int links = out & 15;
        final boolean fused = toRamp && !control && ReceiveFusion.armed(s0, b);
        boolean ok = true;
        if (toRamp && !control && !fused) {
            int qbase = s0[b + RAMP_QUEUE] * qStride;
            if (queues.free(qbase, ti) <= 0) {
                queues.markRouterWaiting(qbase);
                ok = false;
            }
        }
        for (int m = links; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            int b2 = s0[b + NEXT + d] * stride;
            int from = (d + 2) & 3;
            int used = (s0[b2 + STATE] & COUNT_MASK) + (s0[b2 + POP_CYCLE] == ti ? 1 : 0);
            int cur2 = s0[b2 + CUR];
            if (used >= dep || (cur2 & (1 << from)) == 0) {
                s0[b2 + CUR] = cur2 | (1 << (WAIT_SHIFT + from));
                ok = false;
            }
        }
        if (!ok) {
            stats.creditStalls++;
            return NO_NEXT | SLOT_BUSY;
        }
        int value = payloads ? s0[b + HEADER + dep + head] : 0;
        // Pop (the place is a credit from the next cycle) and wake the senders that found this buffer full.
        int nh = head + 1 == dep ? 0 : head + 1;
        n--;
        s0[b + STATE] = n | (nh << HEAD_SHIFT);
        s0[b + POP_CYCLE] = ti;
        int waiting = (cur >>> WAIT_SHIFT) & 31;
        if (waiting != 0) {
            s0[b + CUR] = cur & ~WAIT_MASK;
            wake(waiting, r, t);
        }
        if (toRamp) {
            if (control) {
                stats.controlAbsorbed++;
                stats.consumed++;
            } else if (fused && t + ramp < fusion.limit) {
                fusion.consume(b, t + ramp);
            } else {
                deliver(s0[b + RAMP_QUEUE] * qStride, value, r, t);
            }
        }
        final int arrive = ((ti + hop) << 1) | (control ? 1 : 0);
        for (int m = links; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            int b2 = s0[b + NEXT + d] * stride;
            int st2 = s0[b2 + STATE];
            int pos = (st2 >>> HEAD_SHIFT) + (st2 & COUNT_MASK);
            if (pos >= dep) {
                pos -= dep;
            }
            s0[b2 + HEADER + pos] = arrive;
            if (payloads) {
                s0[b2 + HEADER + dep + pos] = value;
            }
            s0[b2 + STATE] = st2 + 1;
            sched(t, hop, FabricClock.router(step(r, d)));
            stats.waveletHops++;
            if (linkWavelets != null) {
                linkWavelets[r * 4 + d]++;
            }
        }
        stats.copies += Integer.bitCount(out) - 1;
        if (control && slots.advanceConfig(b)) {
            // The new configuration may accept senders the old one refused.
            int w2 = (s0[b + CUR] >>> WAIT_SHIFT) & 31;
            if (w2 != 0) {
                s0[b + CUR] &= ~WAIT_MASK;
                wake(w2, r, t);
            }
        }
        long next = NO_NEXT;
        if (n > 0) {
            int rel = (s0[b + HEADER + nh] - ts) >> 1;
            next = (long) Math.max(1, rel) << 32;
        }
        return next | SLOT_BUSY | out;
    }

    /** Puts a wavelet into the PE queue in block qbase at cycle ti; it is ready rampLatency later. */
    private void deliver(int qbase, int value, int r, long t) {
        queues.push(qbase, value, (int) t + ramp);
        stats.rampDeliveries++;
        sched(t, ramp, FabricClock.pe(r));
    }

    /** Wakes, at the next cycle, the senders in directions {@code waiting} of router r (bit 4: its PE). */
    private void wake(int waiting, int r, long t) {
        for (int m = waiting; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            if (d == Fabric.RAMP) {
                sched(t, 1, FabricClock.pe(r));
            } else {
                sched(t, 1, FabricClock.router(step(r, d)));
            }
        }
    }
}
