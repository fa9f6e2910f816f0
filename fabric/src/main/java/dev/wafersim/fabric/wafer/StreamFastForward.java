package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.RouterSlots.COUNT_MASK;
import static dev.wafersim.fabric.wafer.RouterSlots.CUR;
import static dev.wafersim.fabric.wafer.RouterSlots.NEXT;
import static dev.wafersim.fabric.wafer.RouterSlots.OUT_SHIFT;
import static dev.wafersim.fabric.wafer.RouterSlots.POP_CYCLE;
import static dev.wafersim.fabric.wafer.RouterSlots.RAMP_QUEUE;
import static dev.wafersim.fabric.wafer.RouterSlots.ROUTE;
import static dev.wafersim.fabric.wafer.RouterSlots.RT_FIRST;
import static dev.wafersim.fabric.wafer.RouterSlots.RT_RR;
import static dev.wafersim.fabric.wafer.RouterSlots.STATE;
import static dev.wafersim.fabric.wafer.RouterSlots.WAIT_MASK;

import java.util.Arrays;

/**
 * Stream fast-forward: a stream of wavelets that flows from its source PE through routers and
 * streaming PEs to its receivers at one wavelet per cycle, with nothing else on its way, is
 * accounted in one piece when its source starts, instead of one router and PE visit per wavelet and
 * hop. The result is the same, cycle for cycle, as stepping it: every count, the active cycles, the
 * routers' round-robin pointers and the state each part is left in.
 *
 * <h2>Model</h2>
 * A <em>stream</em> is what a source PE sends with one fabric operation from memory to an output
 * queue (n wavelets, one step per cycle): the tree of router slots its colour's routes lead to, the
 * PE input queues they deliver to, and, behind each queue, a PE that either receives into memory (a
 * receiver) or streams each wavelet on to an output queue (a stage, such as a chain reduce's PEs,
 * whose output slot continues the tree). In the step-by-step simulation such a stream, once nothing
 * on its way holds a wavelet or waits, moves at one wavelet per cycle everywhere: wavelet k leaves a
 * slot at a + k, where a is the cycle its first wavelet becomes ready there, as long as every buffer
 * has a credit in that steady flow (hop latency, and PE injection latency, below the router buffer
 * depth; ramp latency below the PE queue depth), every PE on the way is already waiting in the
 * operation that takes the stream (or ends its activation before the first wavelet reaches it), and
 * nothing else sends into, shares a link with, or wakes any router on the way until the stream has
 * passed it.
 */
final class StreamFastForward {
    /*
     * Algorithm. A source's first step is deferred to the end of its cycle c (defer(); exact, since
     * only its own router, visited before it, and no other sender touch its output slot). There,
     * candidates are taken in descending grid order (decide()): a chain reduce's rows are settled
     * from the far end of the first column, so that a row's proof can rely on the row below it. For
     * a candidate, build() walks the tree breadth first, computing for every slot the cycle a at
     * which wavelet 0 is ready there (c + opLatency + rampLatency at the source's output slot, + hop
     * per link, + ramp to a queue, + opLatency + ramp through a stage), and checks:
     *   - every slot on the tree: one route configuration, empty, no waiting sender, not inside
     *     another fast-forward, and one sender (its parent in the tree);
     *   - every PE: one thread, its main thread READY (or in activation ending by the first
     *     arrival) on a fabric operation of one cycle per step that reads this queue, at least n
     *     steps left, its queue empty;
     *   - every router on the tree: the tree's slots there use disjoint outputs, every other slot
     *     of the router is empty and provably has nothing ready before the router's last visit by
     *     the stream W (quiet(): its senders are empty and quiet in turn, or PEs that cannot send on
     *     that colour in time: inside a fast-forward until a known last step, busy alone until a
     *     known cycle, idle for good, or never bound to the colour; a source still to be decided in
     *     this cycle sends in it); a wavelet ready at W itself is harmless, since at that visit the
     *     round-robin pointer and every slot are as stepping leaves them. A router with several
     *     colours must also expect no wake-up (noStaleWake());
     *   - the stream ends before the watchdog's budget and within VirtualActivity.SPAN cycles.
     * Then apply() accounts wavelets 0..n-2 in one piece: hops, copies, deliveries, consumptions,
     * steps and injections; the cycles of the visits they replace as active (VirtualActivity); the
     * round-robin pointer of every router with several colours advanced by the visits it will not
     * get; every slot, queue and PE set to the state it has just before the last wavelet arrives (the
     * PEs VIRTUAL until their last step). The last wavelet is simulated as usual: it finds the state
     * the step-by-step run would show it, and the PEs' visits for it complete their operations.
     *
     * Cost: one walk of the tree per stream instead of one visit per wavelet and part. Measured with
     * bench fabric (512 x 512, B = 256, quiet machine, 3 runs alternated with the code before it):
     * simulating thread 0.27-0.30 s CPU for both phases against 6.95-7.26 s, 456 M wavelet-hops/s
     * against 19.0 M (medians); stepped (--no-fast-forward) 6.94 s against 7.15 s: the checks cost
     * the stepped path nothing measurable. Decode (bench decode): unchanged, its layer episodes have
     * no undisturbed streams.
     */
    /** Deeper quiet() proofs are given up (the stream is then stepped). */
    private static final int MAX_PROOF_DEPTH = 8;
    private static final int SLOT = 0;
    private static final int STAGE = 1;
    private static final int RECEIVER = 2;

    private final Grid grid;
    private final RouterSlots slots;
    private final PeEngine pes;
    private final FabricStats stats;
    private final FabricClock clock;
    private final VirtualActivity activity;
    private final ReceiveFusion fusion;
    private final int hop;
    private final int ramp;
    /** Cycles from a PE's step to its wavelet being ready in the router: opLatency + rampLatency. */
    private final int inject;
    private final int colours;

    private int[] candidates = new int[16];
    private int candidateCount;
    /** Per PE: deferred its first step to the end of this cycle and not yet decided (it still sends in it). */
    private boolean[] pending;
    /** Streams accounted in one piece so far (the simulator's cost, not a result). */
    long streams;
    /** Wavelet-hops among them (the simulator's cost, not a result). */
    long hops;

    /** Per slot: the cycle of its last move in a fast-forward (it is inside it until then). */
    private long[] until;
    private int[] slotMark;
    /** Per slot marked in the current build: the cycle its first wavelet is ready there. */
    private long[] slotFirst;
    private int[] peMark;
    private int[] routerMark;
    /** Per PE marked in the current build: its node. */
    private int[] peNode;
    private int gen;

    // The stream being built: slots (block, first ready cycle), PEs (index, first ready cycle, kind),
    // routers, and the walk's queue.
    private int[] slotB = new int[64];
    private long[] slotA = new long[64];
    private int slotCount;
    private int[] peIdx = new int[64];
    private long[] peA = new long[64];
    private int[] peKind = new int[64];
    private int peCount;
    private int[] routerList = new int[64];
    private int routerCount;
    private long[] interval = new long[16];
    private long streamCycle;
    private int streamLength;

    StreamFastForward(Grid grid, RouterSlots slots, PeEngine pes, WseParams p, FabricStats stats, FabricClock clock,
                      VirtualActivity activity, ReceiveFusion fusion) {
        this.grid = grid;
        this.slots = slots;
        this.pes = pes;
        this.stats = stats;
        this.clock = clock;
        this.activity = activity;
        this.fusion = fusion;
        this.hop = p.hopLatencyCycles();
        this.ramp = p.rampLatencyCycles();
        this.inject = p.opLatencyCycles() + p.rampLatencyCycles();
        this.colours = p.colours();
    }

    /**
     * True when fabrics with these parameters may fast-forward: timing mode, and buffers deep enough
     * for a stream to flow at one wavelet per cycle (a router buffer holds the hop latency's and
     * the injection latency's wavelets in flight with a place to spare, a PE queue the ramp's).
     */
    static boolean possible(WseParams p, boolean functional) {
        int depth = p.routerBufferDepthWavelets();
        return !functional && p.hopLatencyCycles() < depth && p.opLatencyCycles() + p.rampLatencyCycles() < depth
                && p.rampLatencyCycles() < p.peInputQueueDepthWavelets();
    }

    // ---------------------------------------------------------------------------------------------
    // Candidates

    /**
     * Router r's PE (index pe, block base) is about to make the first step of a source operation at
     * cycle t: defers it to the end of the cycle when it may start a stream. Returns true when
     * deferred (the PE's visit then ends without a step or a next visit; {@code wake}: the visit must
     * schedule the PE for the next cycle whatever the step does).
     */
    boolean defer(int r, int pe, int base, Role role, long t, boolean wake) {
        if (pes.observed) {
            return false;
        }
        int[] pb = pes.pb;
        int tb0 = base + PeEngine.THREADS;
        int ib = pb[tb0 + PeEngine.TH_OP] * Role.OPI;
        int e = role.info[ib + Role.I_E];
        if ((role.info[ib + Role.I_LEN] + e - 1) / e < 2) {
            return false;
        }
        int b = pb[base + pes.out + 2 * role.info[ib + Role.I_OUT]] * slots.stride;
        if (t + inject >= fusion.limit || senders(b) != 1) {
            return false;
        }
        if (candidateCount == candidates.length) {
            candidates = Arrays.copyOf(candidates, candidateCount * 2);
        }
        candidates[candidateCount++] = r << 1 | (wake ? 1 : 0);
        if (pending == null) {
            pending = new boolean[pes.count];
        }
        pending[pe] = true;
        return true;
    }

    /** True when sources deferred their first step to the end of this cycle. */
    boolean hasCandidates() {
        return candidateCount > 0;
    }

    /**
     * At the end of cycle t: fast-forwards the deferred sources' streams where possible, in
     * descending grid order, and makes the other deferred steps.
     */
    void decide(long t) {
        int n = candidateCount;
        candidateCount = 0;
        if (n > 1) {
            Arrays.sort(candidates, 0, n);
        }
        for (int i = n - 1; i >= 0; i--) {
            int r = candidates[i] >>> 1;
            boolean wake = (candidates[i] & 1) != 0;
            pending[pes.peOf[r]] = false;
            if (!build(r, t)) {
                pes.stepDeferred(r, t, wake);
            }
            // A stream fast-forwarded needs no wake-up: its source's visits up to its last step are
            // accounted (VirtualActivity), and the next cycle is one of them.
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Building a stream

    private void ensureState() {
        if (until == null) {
            until = new long[slots.count];
            Arrays.fill(until, Long.MIN_VALUE);
            slotMark = new int[slots.count];
            slotFirst = new long[slots.count];
            peMark = new int[pes.count];
            peNode = new int[pes.count];
            routerMark = new int[grid.routers];
        }
        if (++gen == Integer.MAX_VALUE) {
            Arrays.fill(slotMark, 0);
            Arrays.fill(peMark, 0);
            Arrays.fill(routerMark, 0);
            gen = 1;
        }
    }

    /** Tries to fast-forward the stream router r's PE starts at cycle c; false when it must be stepped. */
    private boolean build(int r, long c) {
        ensureState();
        int[] pb = pes.pb;
        int pe = pes.peOf[r];
        int base = pe * pes.stride;
        int tb0 = base + PeEngine.THREADS;
        Role role = pes.roleArr[pb[base + PeEngine.ROLE]];
        int ib = pb[tb0 + PeEngine.TH_OP] * Role.OPI;
        int e = role.info[ib + Role.I_E];
        int n = (role.info[ib + Role.I_LEN] - pb[tb0 + PeEngine.TH_POS] + e - 1) / e;
        streamCycle = c;
        streamLength = n;
        slotCount = 0;
        peCount = 0;
        routerCount = 0;
        peMark[pe] = gen;
        peNode[pe] = -1; // the source
        int b0 = pb[base + pes.out + 2 * role.info[ib + Role.I_OUT]] * slots.stride;
        addSlotNode(b0, c + inject);
        // Breadth first: slot nodes are appended while the list is walked.
        for (int i = 0; i < slotCount; i++) {
            if (!expandSlot(i, n, c)) {
                return false;
            }
        }
        long end = c + n - 1;
        for (int i = 0; i < peCount; i++) {
            end = Math.max(end, peA[i] + n - 1);
        }
        if (end >= fusion.limit || end - c >= VirtualActivity.SPAN - 2) {
            return false;
        }
        for (int i = 0; i < routerCount; i++) {
            if (!checkRouter(routerList[i], n, c)) {
                return false;
            }
        }
        apply(base, tb0, e, n, c);
        return true;
    }

    private void addSlotNode(int b, long a) {
        if (slotCount == slotB.length) {
            slotB = Arrays.copyOf(slotB, slotCount * 2);
            slotA = Arrays.copyOf(slotA, slotCount * 2);
        }
        slotB[slotCount] = b;
        slotA[slotCount] = a;
        slotCount++;
    }

    /** Checks slot node i and adds what its route leads to. */
    private boolean expandSlot(int i, int n, long c) {
        int b = slotB[i];
        long a = slotA[i];
        int[] w = slots.words;
        int s = b / slots.stride;
        if (slotMark[s] == gen) {
            return false; // reached twice
        }
        slotMark[s] = gen;
        slotFirst[s] = a;
        int cur = w[b + CUR];
        if ((w[b + STATE] & COUNT_MASK) != 0 || (cur & WAIT_MASK) != 0 || w[b + ROUTE] >= 0 || until[s] > c
                || senders(b) != 1) {
            return false;
        }
        int r = slots.router(b);
        if (routerMark[r] != gen) {
            routerMark[r] = gen;
            if (routerCount == routerList.length) {
                routerList = Arrays.copyOf(routerList, routerCount * 2);
            }
            routerList[routerCount++] = r;
        }
        int out = (cur >>> OUT_SHIFT) & 31;
        for (int m = out & 15; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            addSlotNode(w[b + NEXT + d] * slots.stride, a + hop);
        }
        if ((out & (1 << Fabric.RAMP)) != 0) {
            return addPeNode(r, w[b + RAMP_QUEUE], b, a + ramp, n);
        }
        return true;
    }

    /**
     * Checks the PE of router r, which receives the stream on queue qi (fed by slot block sb) from
     * cycle aq, and adds it (and, for a stage, its output slot).
     */
    private boolean addPeNode(int r, int qi, int sb, long aq, int n) {
        int pe = pes.peOf[r];
        if (pe < 0 || peMark[pe] == gen) {
            return false;
        }
        peMark[pe] = gen;
        int[] pb = pes.pb;
        int base = pe * pes.stride;
        Role role = pes.roleArr[pb[base + PeEngine.ROLE]];
        if (role.threadsUsed != 1) {
            return false;
        }
        int tb0 = base + PeEngine.THREADS;
        int sm = pb[tb0 + PeEngine.TH_SM];
        boolean waiting = (sm & 0xFF) == PeEngine.READY
                || (sm == (PeEngine.BUSY | PeEngine.MODE_WAIT) && (int) aq - pb[tb0 + PeEngine.TH_END] >= 0);
        int op = pb[tb0 + PeEngine.TH_OP];
        if (!waiting || op < 0) {
            return false;
        }
        int[] info = role.info;
        int ib = op * Role.OPI;
        int q0 = info[ib + Role.I_IN0];
        if (info[ib + Role.I_KIND] != Role.K_FABRIC || q0 < 0 || pb[base + pes.in + 2 * q0] != qi
                || info[ib + Role.I_IN1] >= 0 || info[ib + Role.I_CPS] != 1) {
            return false;
        }
        int qst = pes.queues.words[qi * pes.queues.stride + PeQueues.STATE];
        if ((qst & PeQueues.COUNT_MASK) != 0 || (qst & PeQueues.ROUTER_WAITING) != 0) {
            return false;
        }
        int e = info[ib + Role.I_E];
        int steps = (info[ib + Role.I_LEN] - pb[tb0 + PeEngine.TH_POS] + e - 1) / e - fusion.accounted(sb);
        if (steps < n) {
            return false;
        }
        int oq = info[ib + Role.I_OUT];
        if (peCount == peIdx.length) {
            peIdx = Arrays.copyOf(peIdx, peCount * 2);
            peA = Arrays.copyOf(peA, peCount * 2);
            peKind = Arrays.copyOf(peKind, peCount * 2);
        }
        peNode[pe] = peCount;
        peIdx[peCount] = pe;
        peA[peCount] = aq;
        peKind[peCount] = oq >= 0 ? STAGE : RECEIVER;
        peCount++;
        if (oq >= 0) {
            addSlotNode(pb[base + pes.out + 2 * oq] * slots.stride, aq + inject);
        }
        return true;
    }

    /**
     * Checks router r of the stream: its stream slots use disjoint outputs, every other slot is
     * empty and receives nothing before the stream's last visit to the router.
     */
    private boolean checkRouter(int r, int n, long c) {
        int[] w = slots.words;
        int stride = slots.stride;
        int first = slots.rt[4 * r + RT_FIRST];
        int k = Long.bitCount(slots.colourSet(r));
        long last = Long.MIN_VALUE;
        int used = 0;
        for (int j = first; j < first + k; j++) {
            if (slotMark[j] == gen) {
                int b = j * stride;
                int out = (w[b + CUR] >>> OUT_SHIFT) & 31;
                if ((out & used) != 0) {
                    return false;
                }
                used |= out;
                last = Math.max(last, firstReady(b) + n - 1);
            }
        }
        for (int j = first; j < first + k; j++) {
            if (slotMark[j] != gen) {
                int b = j * stride;
                if ((w[b + STATE] & COUNT_MASK) != 0 || (w[b + CUR] & WAIT_MASK) != 0 || until[j] > c
                        || !quiet(b, last, c, 0)) {
                    return false;
                }
            }
        }
        return k < 2 || noStaleWake(r, c);
    }

    /**
     * True when nothing will visit router r before the stream but the stream itself: no wake-up is
     * scheduled for cycle c + 1 (a pop in cycle c woke it), and no neighbour slot or PE queue keeps
     * a waiting mark for it that a later pop would turn into a visit (a sender refused once and
     * moved later without being woken leaves its mark). Such a visit would find the stream's slots
     * empty here but holding wavelets in the step-by-step run, and the round-robin pointer of a router
     * with several colours would differ; with one colour the visit changes nothing.
     */
    private boolean noStaleWake(int r, long c) {
        int h = FabricClock.router(r);
        long[] bits = clock.ringBits;
        int slot = (int) (c + 1) & (dev.wafersim.core.event.ActivityRing.SPAN - 1);
        if ((bits[slot * clock.ringWords + (h >>> 6)] & (1L << h)) != 0) {
            return false;
        }
        int[] w = slots.words;
        for (int d = 0; d < 4; d++) {
            int r2 = grid.neighbour(r, d);
            if (r2 < 0) {
                continue;
            }
            int first = slots.rt[4 * r2 + RT_FIRST];
            int k = Long.bitCount(slots.colourSet(r2));
            int mark = 1 << (RouterSlots.WAIT_SHIFT + ((d + 2) & 3));
            for (int j = first; j < first + k; j++) {
                if ((w[j * slots.stride + CUR] & mark) != 0) {
                    return false;
                }
            }
        }
        int pe = pes.peOf[r];
        if (pe >= 0) {
            int base = pe * pes.stride;
            for (int q = pes.in; q < pes.stride; q += 2) {
                int qi = pes.pb[base + q];
                if (qi >= 0 && (pes.queues.words[qi * pes.queues.stride + PeQueues.STATE] & PeQueues.ROUTER_WAITING)
                        != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first ready cycle of stream slot block b (marked in the current build). */
    private long firstReady(int b) {
        return slotFirst[b / slots.stride];
    }

    // ---------------------------------------------------------------------------------------------
    // Senders and proofs

    /** Number of parts that can send into slot block b: neighbour slots routed towards it, and its PE. */
    private int senders(int b) {
        int count = 0;
        int in = inputsOfAnyConfig(b);
        int r = slots.router(b);
        int colour = slots.colour(b);
        int s = b / slots.stride;
        for (int m = in & 15; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            int s2 = slots.slot(grid.step(r, d), colour);
            if (s2 >= 0 && slots.words[s2 * slots.stride + NEXT + ((d + 2) & 3)] == s) {
                count++;
            }
        }
        if ((in & (1 << Fabric.RAMP)) != 0 && sendsOn(pes.peOf[r], colour)) {
            count++;
        }
        return count;
    }

    private int inputsOfAnyConfig(int b) {
        int in = 0;
        for (int k = 0; k < slots.configCount(b); k++) {
            in |= slots.config(b, k) & 31;
        }
        return in;
    }

    /** True when PE pe (or -1) has an output queue bound to the colour. */
    private boolean sendsOn(int pe, int colour) {
        if (pe < 0) {
            return false;
        }
        Role role = pes.roleArr[pes.pb[pe * pes.stride + PeEngine.ROLE]];
        return (role.outputColourSet & (1L << colour)) != 0;
    }

    /**
     * True when no wavelet becomes ready in slot block b before cycle {@code before}: every part
     * that can send into it is provably silent long enough (a sender's wavelet is ready here its
     * latency after the send). Cycles up to c have passed: what they sent is in the slots, which the
     * callers require to be empty.
     */
    private boolean quiet(int b, long before, long c, int depth) {
        if (before <= c + 1) {
            return true;
        }
        if (depth > MAX_PROOF_DEPTH) {
            return false;
        }
        int in = inputsOfAnyConfig(b);
        int r = slots.router(b);
        int colour = slots.colour(b);
        int s = b / slots.stride;
        int[] w = slots.words;
        for (int m = in & 15; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            int s2 = slots.slot(grid.step(r, d), colour);
            if (s2 < 0 || w[s2 * slots.stride + NEXT + ((d + 2) & 3)] != s) {
                continue;
            }
            // The neighbour sends only what becomes ready in it, and that must not leave it before
            // `before - hop`: it must be empty and quiet in turn.
            int b2 = s2 * slots.stride;
            if (before - hop > c + 1 && (slotMark[s2] == gen || (w[b2 + STATE] & COUNT_MASK) != 0 || until[s2] > c
                    || !quiet(b2, before - hop, c, depth + 1))) {
                return false;
            }
        }
        return (in & (1 << Fabric.RAMP)) == 0 || silentUntil(pes.peOf[r], colour, before - inject, c);
    }

    /**
     * True when PE pe (or -1) puts nothing on {@code colour} before cycle {@code before} (cycles up to
     * c have passed, except for the steps of sources still to be decided in this cycle): it has no
     * output queue on the colour, or it is inside a fast-forward (this one or an earlier) on another
     * colour until a known last step, or its one thread is busy (memory operation, activation) until
     * then, or it is idle for good (no thread busy, no task activated, no data task).
     */
    private boolean silentUntil(int pe, int colour, long before, long c) {
        if (!sendsOn(pe, colour)) {
            return true;
        }
        if (peMark[pe] != gen && pending[pe]) {
            return before <= c; // a source whose step in cycle c is still to come (decided later)
        }
        if (before <= c + 1) {
            return true;
        }
        int[] pb = pes.pb;
        int base = pe * pes.stride;
        Role role = pes.roleArr[pb[base + PeEngine.ROLE]];
        int tb0 = base + PeEngine.THREADS;
        long lastStep;
        if (peMark[pe] == gen) {
            int node = peNode[pe];
            lastStep = node < 0 ? streamCycle + streamLength - 1 : peA[node] + streamLength - 1;
        } else if (role.threadsUsed == 1 && (pb[tb0 + PeEngine.TH_SM] & 0xFF) == PeEngine.VIRTUAL) {
            lastStep = c + (pb[tb0 + PeEngine.TH_END] - (int) c);
        } else if (role.threadsUsed == 1 && (pb[tb0 + PeEngine.TH_SM] & 0xFF) == PeEngine.BUSY) {
            // A memory operation or an activation: its thread issues nothing before its end cycle
            // (one thread: nothing moves the end), and then at the earliest in that cycle.
            return c + (pb[tb0 + PeEngine.TH_END] - (int) c) >= before;
        } else {
            return idleForGood(pb, base, role);
        }
        int op = pb[tb0 + PeEngine.TH_OP];
        int oq = role.info[op * Role.OPI + Role.I_OUT];
        if (oq >= 0 && role.program.outputColours()[oq] == colour) {
            return false;
        }
        // Its operation ends with the last step; the next instruction issues a cycle later at the earliest.
        return lastStep + 1 >= before;
    }

    private boolean idleForGood(int[] pb, int base, Role role) {
        if ((pb[base + PeEngine.ACTIVE] & ~pb[base + PeEngine.BLOCKED]) != 0 || role.dataTaskMask != 0) {
            return false;
        }
        for (int th = 0; th < role.threadsUsed; th++) {
            if ((pb[base + PeEngine.THREADS + th * PeEngine.THREAD_STRIDE + PeEngine.TH_SM] & 0xFF) != PeEngine.IDLE) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Accounting a stream

    /** Accounts wavelets 0..n-2 of the stream built from the source PE in block base at cycle c. */
    private void apply(int base, int tb0, int e, int n, long c) {
        int[] w = slots.words;
        int[] pb = pes.pb;
        int virtual = n - 1;
        long[] links = stats.linkWavelets;
        for (int i = 0; i < slotCount; i++) {
            int b = slotB[i];
            long a = slotA[i];
            until[b / slots.stride] = a + n - 1;
            // The pop of wavelet n - 2, as stepping leaves it (the last wavelet's sender counts it
            // among the used places if it sends in that cycle; steady flow keeps them below the depth).
            w[b + POP_CYCLE] = (int) (a + n - 2);
            int out = (w[b + CUR] >>> OUT_SHIFT) & 31;
            int nLinks = Integer.bitCount(out & 15);
            stats.waveletHops += (long) virtual * nLinks;
            hops += (long) virtual * nLinks;
            stats.copies += (long) virtual * (Integer.bitCount(out) - 1);
            if (links != null) {
                int r = slots.router(b);
                for (int m = out & 15; m != 0; m &= m - 1) {
                    links[r * 4 + Integer.numberOfTrailingZeros(m)] += virtual;
                }
            }
            if ((out & (1 << Fabric.RAMP)) != 0) {
                // The receiver's wavelets are accounted here: none is fused by the router any more.
                fusion.disarm(b);
            }
            activity.markInterval(a, a + n - 2);
        }
        PeQueues queues = pes.queues;
        for (int i = 0; i < peCount; i++) {
            int pe = peIdx[i];
            long aq = peA[i];
            int pbase = pe * pes.stride;
            int ptb = pbase + PeEngine.THREADS;
            Role role = pes.roleArr[pb[pbase + PeEngine.ROLE]];
            int ib = pb[ptb + PeEngine.TH_OP] * Role.OPI;
            pb[ptb + PeEngine.TH_POS] += virtual * role.info[ib + Role.I_E];
            pb[ptb + PeEngine.TH_SM] = PeEngine.VIRTUAL;
            pb[ptb + PeEngine.TH_END] = (int) (aq + n - 1);
            int qbase = pb[pbase + pes.in + 2 * role.info[ib + Role.I_IN0]] * queues.stride;
            // The queue as the PE's pop of wavelet n - 2 leaves it, empty (see the slots above).
            queues.words[qbase + PeQueues.POP_CYCLE] = (int) (aq + n - 2);
            queues.words[qbase + PeQueues.STATE] =
                    (queues.words[qbase + PeQueues.STATE] & ~PeQueues.POPS_FIELD) | (1 << PeQueues.POPS_SHIFT);
            if (peKind[i] == RECEIVER) {
                // A delivery, a consumption and a step each (FabricStats.fusedReceives); the memory
                // writes end before the last step's, which the PE makes itself.
                stats.fusedReceives += virtual;
            } else {
                stats.rampDeliveries += virtual;
                stats.consumed += virtual;
                stats.peSteps += virtual;
                stats.injected += virtual;
                stats.firstInjection = Math.min(stats.firstInjection, aq);
            }
            activity.markInterval(aq, aq + n - 1);
        }
        // The source: steps 0..n-2 here, its last step at its own visit.
        pb[tb0 + PeEngine.TH_POS] += virtual * e;
        pb[tb0 + PeEngine.TH_SM] = PeEngine.VIRTUAL;
        pb[tb0 + PeEngine.TH_END] = (int) (c + n - 1);
        clock.sched(n - 1, FabricClock.pe(pb[base + PeEngine.ROUTER]));
        stats.injected += virtual;
        stats.peSteps += virtual;
        stats.firstInjection = Math.min(stats.firstInjection, c);
        activity.markInterval(c + 1, c + n - 1);
        for (int i = 0; i < routerCount; i++) {
            advanceRoundRobin(routerList[i], n);
        }
        streams++;
    }

    /**
     * Advances router r's round-robin pointer by the visits the stream would have made and will not:
     * the pointer moves once per visit in which some colour holds wavelets; the stream's slots are
     * visited (and hold wavelets) in every cycle from their first wavelet's ready cycle a to their
     * last's, a + n - 1; of those cycles this simulation visits only the last ones.
     */
    private void advanceRoundRobin(int r, int n) {
        if (Long.bitCount(slots.colourSet(r)) < 2) {
            return; // one colour: no round robin
        }
        int first = slots.rt[4 * r + RT_FIRST];
        int k = Long.bitCount(slots.colourSet(r));
        int m = 0;
        for (int j = first; j < first + k; j++) {
            if (slotMark[j] == gen) {
                if (m == interval.length) {
                    interval = Arrays.copyOf(interval, m * 2);
                }
                interval[m++] = firstReady(j * slots.stride);
            }
        }
        Arrays.sort(interval, 0, m);
        long covered = 0;
        long end = Long.MIN_VALUE; // exclusive end of the union so far
        int lastVisits = 0;
        long prevLast = Long.MIN_VALUE;
        for (int i = 0; i < m; i++) {
            long from = Math.max(interval[i], end);
            long to = interval[i] + n;
            if (to > from) {
                covered += to - from;
            }
            end = Math.max(end, to);
            long lastCycle = interval[i] + n - 1;
            if (lastCycle != prevLast) {
                lastVisits++;
                prevLast = lastCycle;
            }
        }
        int[] rt = slots.rt;
        int rr = rt[4 * r + RT_RR];
        rt[4 * r + RT_RR] = (int) ((rr + (covered - lastVisits)) % colours);
    }
}
