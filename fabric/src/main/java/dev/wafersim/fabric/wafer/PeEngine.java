package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.memory.sram.SramBankModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processing elements: which program (role) each PE runs, and what a PE does in a cycle: picks
 * tasks, issues instructions on its main thread and microthreads, steps vector operations on fabric
 * operands one wavelet at a time and costs memory-only operations in one piece.
 *
 * <h2>Model</h2>
 * A PE runs a {@link Program} (its {@link Role}): tasks of instructions, run to completion on the
 * main thread, with {@code pe.taskActivationCycles} between picking a task and its first
 * instruction; local tasks run when activated, data tasks once per wavelet on their input queue
 * (the lowest-numbered runnable task goes first). An asynchronous vector operation is handed to a
 * microthread (which must be idle; the hand-off takes the issue slot) and runs beside the main
 * thread; its input queues are claimed until it completes. An operation with a fabric operand steps
 * one wavelet at a time: it needs its input wavelets ready and a credit on its output; its result
 * reaches the router {@code pe.opLatencyCycles + fabric.rampLatencyCycles} after the step, and a
 * result written to memory lands {@code pe.opLatencyCycles} after it. An operation on memory only is
 * costed in one piece by the SRAM bank model (SIMD width, port width, bank conflicts; see
 * {@link Role}). With the shared datapath (default) one instruction or vector step issues per cycle
 * per PE, threads served round-robin; a fabric step taken while a memory-only operation runs delays
 * that operation by a cycle. Units: cycles of the fabric clock.
 */
final class PeEngine {
    /*
     * Algorithm. A PE is visited (process()) only in cycles where it may act: scheduled by a wavelet
     * arriving in one of its queues (rampLatency after the router's move), by a credit freed in its
     * output slot (the pop wakes it), by the end of a timed state (activation, a memory-only
     * operation, a multi-cycle step) or by its own issue in the cycle before. A visit: (1) timed
     * transitions (finished memory operations complete, activations and multi-cycle steps become
     * ready), (2) the main thread picks a task if idle, (3) threads issue round-robin (one issue per
     * cycle with the shared datapath), (4) the PE schedules its next visit: the next cycle if it
     * issued or something completed, else the earliest end of a timed state; a thread that waits
     * for a wavelet or a credit is woken by the router.
     *
     * Two fast paths give the same outcome as the general visit for the commonest PEs of
     * collectives, a single-threaded PE streaming a fabric operation (fabricStep without the loop)
     * and one streaming an input queue to an output queue (streamStep: the chain stages of
     * reductions).
     *
     * Layout of a PE block (pb, `stride` ints per PE, a multiple of 16; PEs numbered in grid order):
     *   ROLE        the role (index into roles)
     *   BULK_END    end cycle of the memory-only operation in progress (low 32 bits)
     *   BULK_OWNER  the thread that runs it
     *   ROUTER      the PE's router
     *   ACTIVE      activated tasks (bit per task id)
     *   BLOCKED     blocked tasks
     *   QBUSY       input queues claimed by microthreads
     *   WAVELET     the payload of the wavelet that triggered the current data task
     *   TASK        the current task of the main thread
     *   RR          the round-robin pointer over threads
     *   then 4 words per thread (TH_OP operation, TH_POS position in elements, TH_END end cycle of a
     *   timed state, TH_SM state | mode << 8), then per queue number q the input queue's block
     *   index and the output queue's router slot, interleaved (IN + 2 q, OUT + 2 q), so a
     *   single-threaded PE streaming from queue 0 to queue 0 finds all it needs in its first 64 bytes.
     */
    static final int ROLE = 0;
    static final int BULK_END = 1;
    static final int BULK_OWNER = 2;
    static final int ROUTER = 3;
    static final int ACTIVE = 4;
    static final int BLOCKED = 5;
    static final int QBUSY = 6;
    static final int WAVELET = 7;
    static final int TASK = 8;
    static final int RR = 9;
    static final int THREADS = 10;

    static final int TH_OP = 0;
    static final int TH_POS = 1;
    static final int TH_END = 2;
    static final int TH_SM = 3;
    static final int THREAD_STRIDE = 4;

    // Thread states (TH_SM low byte) and what a BUSY thread waits for (high byte).
    static final int IDLE = 0;
    static final int READY = 1;
    static final int BUSY = 2;
    /**
     * The main thread's operation is accounted by a stream fast-forward up to TH_END, the cycle of
     * its last step, which it makes itself (see StreamFastForward): visits before it do nothing.
     */
    static final int VIRTUAL = 3;
    static final int MODE_BULK = 1 << 8;
    static final int MODE_WAIT = 2 << 8;
    // Outcomes of trying to issue.
    private static final int ISSUED = 0;
    private static final int NOT_ISSUED = 1;

    private final Grid grid;
    private final WseParams p;
    private final SramBankModel bank;
    private final FabricClock clock;
    private final FabricStats stats;
    private final ReceiveFusion fusion;
    private final boolean functional;
    private final int opLat;
    private final int ramp;
    private final int activation;

    // Before prepare: the programs loaded, per PE in load order.
    final List<Role> roles = new ArrayList<>();
    private final Map<Program, Role> roleOf = new IdentityHashMap<>();
    /** Per router: its PE's index (in grid order once prepared), or -1. */
    final int[] peOf;
    int count;
    private int[] routerOfPe = new int[64];
    private short[] roleOfPe = new short[64];

    // Once prepared.
    Role[] roleArr;
    int[] pb;
    int stride;
    int in;
    int out;
    int threads;
    private boolean datapathShared;
    private int[] invocations;
    private FunctionalValues values;
    private RouterSlots slots;
    private int[] rs;
    private int rsStride;
    PeQueues queues;
    private int[] qb;
    private int qStride;
    /** Set by a visit in which an operation completed (a blocked issuer may go next cycle). */
    private boolean completedThisVisit;
    /** A cycle observer watches: no receive fusion (every PE visit must happen). */
    boolean observed;
    /** Stream fast-forward (null when the parameters or the mode rule it out). */
    StreamFastForward fastForward;

    PeEngine(Grid grid, WseParams p, SramBankModel bank, boolean functional, FabricClock clock, FabricStats stats,
             ReceiveFusion fusion) {
        this.grid = grid;
        this.p = p;
        this.bank = bank;
        this.functional = functional;
        this.clock = clock;
        this.stats = stats;
        this.fusion = fusion;
        this.opLat = p.opLatencyCycles();
        this.ramp = p.rampLatencyCycles();
        this.activation = p.taskActivationCycles();
        this.peOf = new int[grid.routers];
        Arrays.fill(peOf, -1);
    }

    // ---------------------------------------------------------------------------------------------
    // Loading programs (before prepare)

    /** Loads {@code program} on router r's PE; programs are compiled once per instance (see Role). */
    void load(int r, Program program) {
        if (peOf[r] >= 0) {
            throw new ConfigException(grid.pe(r) + " already runs program " + roles.get(roleOfPe[peOf[r]]).program.name()
                    + "; cannot also load " + program.name());
        }
        Role role = roleOf.get(program);
        if (role == null) {
            if (roles.size() >= Short.MAX_VALUE) {
                throw new IllegalStateException("more than " + Short.MAX_VALUE + " distinct programs");
            }
            role = new Role(program, roles.size(), p, bank);
            roles.add(role);
            roleOf.put(program, role);
        }
        if (count == routerOfPe.length) {
            routerOfPe = Arrays.copyOf(routerOfPe, count * 2);
            roleOfPe = Arrays.copyOf(roleOfPe, count * 2);
        }
        peOf[r] = count;
        routerOfPe[count] = r;
        roleOfPe[count] = (short) role.index;
        count++;
    }

    /** The name of the program router r's PE runs, or null. */
    String programName(int r) {
        int pe = peOf[r];
        if (pe < 0) {
            return null;
        }
        return roleArr != null ? roleArr[pb[pe * stride + ROLE]].program.name()
                : roles.get(roleOfPe[pe]).program.name();
    }

    // ---------------------------------------------------------------------------------------------
    // Preparing

    /**
     * Numbers the PEs in grid order, allocates their state and input queues and binds each queue to
     * the router slot that feeds it and each output queue to the slot it injects into.
     *
     * @throws ConfigException naming the PE, program and colour when a binding has no route
     */
    void prepare(RouterSlots routerSlots, FunctionalValues functionalValues) {
        this.slots = routerSlots;
        this.rs = routerSlots.words;
        this.rsStride = routerSlots.stride;
        this.values = functionalValues;
        renumberInGridOrder();
        datapathShared = p.datapathShared();
        roleArr = roles.toArray(new Role[0]);
        int maxThreads = 1;
        for (Role role : roles) {
            maxThreads = Math.max(maxThreads, role.threadsUsed);
        }
        threads = maxThreads;
        // Queue pairs for the queue numbers some program binds (not the hardware's count), and no
        // rounding to 64 bytes (a Java array's elements have no cache-line alignment to keep):
        // 18 ints instead of 32 for the PEs of a 2D reduce (measured on reduce-2d 512 x 512: thread
        // CPU 7.54 -> 6.91 s, median of 4 runs; with the split, 110.4 -> 100.7 ns per hop against
        // the original implementation, in-process A/B, median of 5).
        int pairs = 1;
        for (Role role : roles) {
            for (int q = 0; q < 32; q++) {
                if (role.program.inputColours()[q] >= 0 || role.program.outputColours()[q] >= 0) {
                    pairs = Math.max(pairs, q + 1);
                }
            }
        }
        in = THREADS + THREAD_STRIDE * maxThreads;
        out = in + 1;
        stride = in + 2 * pairs;
        long peInts = (long) count * stride;
        if (peInts > Integer.MAX_VALUE - 16) {
            throw new ConfigException("too many PEs with programs for one simulation: " + count);
        }
        pb = new int[(int) peInts];
        boolean anyData = false;
        for (Role role : roles) {
            anyData |= role.dataTaskMask != 0;
        }
        if (anyData) {
            invocations = new int[count * Program.MAX_TASKS];
        }
        // Input queues bound per role, counted once per role rather than once per PE (the per-PE scan
        // of 32 queue entries was 8% of the CPU samples of a cold 512 x 512 build).
        int[] inputsOfRole = new int[roleArr.length];
        for (Role role : roleArr) {
            for (int c : role.program.inputColours()) {
                if (c >= 0) {
                    inputsOfRole[role.index]++;
                }
            }
        }
        int totalQueues = 0;
        for (int pe = 0; pe < count; pe++) {
            totalQueues += inputsOfRole[roleOfPe[pe]];
        }
        queues = new PeQueues(totalQueues, p.peInputQueueDepthWavelets(), functional, clock, stats);
        qb = queues.words;
        qStride = queues.stride;
        int queuesBound = 0;
        for (int pe = 0; pe < count; pe++) {
            Role role = roleArr[roleOfPe[pe]];
            int r = routerOfPe[pe];
            int base = pe * stride;
            pb[base + ROUTER] = r;
            pb[base + ROLE] = role.index;
            pb[base + ACTIVE] = role.activeAtStartMask;
            pb[base + BLOCKED] = role.blockedAtStartMask;
            for (int q = 0; q < pairs; q++) {
                pb[base + in + 2 * q] = -1;
            }
            for (int th = 0; th < maxThreads; th++) {
                pb[base + THREADS + th * THREAD_STRIDE + TH_OP] = -1;
            }
            for (int q = 0; q < pairs; q++) {
                int c = role.program.inputColours()[q];
                if (c < 0) {
                    continue;
                }
                int qs = queuesBound++;
                qb[qs * qStride + PeQueues.ROUTER] = r;
                pb[base + in + 2 * q] = qs;
                int s = routerSlots.slot(r, c);
                if (s < 0) {
                    throw new ConfigException(grid.pe(r) + " [" + role.program.name() + "] binds input queue " + q
                            + " to colour " + c + ", but its router has no route for colour " + c);
                }
                if (rs[s * rsStride + RouterSlots.RAMP_QUEUE] >= 0) {
                    throw new ConfigException(grid.pe(r) + " [" + role.program.name() + "] binds two input queues to"
                            + " colour " + c + "; a colour is delivered to one queue");
                }
                rs[s * rsStride + RouterSlots.RAMP_QUEUE] = qs;
                qb[qs * qStride + PeQueues.SLOT] = s;
            }
            for (int q = 0; q < pairs; q++) {
                int c = role.program.outputColours()[q];
                if (c < 0) {
                    continue;
                }
                int s = routerSlots.slot(r, c);
                if (s < 0 || !routerSlots.anyConfigAccepts(s, Fabric.RAMP)) {
                    throw new ConfigException(grid.pe(r) + " [" + role.program.name() + "] sends on colour " + c
                            + " (output queue " + q + "), but its router has no route for colour " + c
                            + " that receives from the ramp");
                }
                pb[base + out + 2 * q] = s;
            }
        }
        routerOfPe = null;
        roleOfPe = null;
    }

    /** Renumbers the PEs in grid order (their state then follows the routers'). */
    private void renumberInGridOrder() {
        int[] routerOf = new int[count];
        short[] roleOfNew = new short[count];
        int np = 0;
        for (int r = 0; r < peOf.length; r++) {
            int old = peOf[r];
            if (old >= 0) {
                routerOf[np] = r;
                roleOfNew[np] = roleOfPe[old];
                peOf[r] = np++;
            }
        }
        routerOfPe = routerOf;
        roleOfPe = roleOfNew;
    }

    /** Schedules every PE for cycle 0 (the tasks active at start). */
    void scheduleAll() {
        for (int pe = 0; pe < count; pe++) {
            clock.schedAt(0, FabricClock.pe(pb[pe * stride + ROUTER]));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // A visit

    /** Visits router r's PE at cycle t. */
    void process(int r, long t) {
        final int pe = peOf[r];
        final int base = pe * stride;
        final Role role = roleArr[pb[base + ROLE]];
        final int nt = role.threadsUsed;
        final int ti = (int) t;
        final int tb0 = base + THREADS;
        if (nt == 1 && (pb[tb0 + TH_SM] & 0xFF) == READY && !functional) {
            final int[] info = role.info;
            final int ib = pb[tb0 + TH_OP] * Role.OPI;
            if ((info[ib + Role.I_FLAGS] & Role.F_STREAM) != 0) {
                streamStep(r, base, tb0, info, ib, t);
                return;
            }
        }
        if (nt == 1 && (pb[tb0 + TH_SM] & 0xFF) == READY && role.kind[pb[tb0 + TH_OP]] == Role.K_FABRIC) {
            // Fast path: a single-threaded PE streaming a fabric operation (the common case in
            // collectives). Same outcome as the general path below. The first step of a stream's
            // source waits for the end of the cycle, where a fast-forward may account the stream.
            if (fastForward != null && pb[tb0 + TH_POS] == 0
                    && (role.info[pb[tb0 + TH_OP] * Role.OPI + Role.I_FLAGS] & Role.F_SOURCE) != 0
                    && fastForward.defer(r, pe, base, role, t, false)) {
                return;
            }
            stepMain(r, pe, base, tb0, role, t);
            return;
        }
        if (nt == 1 && (pb[tb0 + TH_SM] & 0xFF) == VIRTUAL) {
            if (ti - pb[tb0 + TH_END] < 0) {
                return; // accounted by a fast-forward until its last step
            }
            pb[tb0 + TH_SM] = READY;
            process(r, t);
            return;
        }
        boolean wakeNext = false;
        completedThisVisit = false;
        // Timed transitions: finished memory operations, activations and multi-cycle steps.
        for (int th = 0; th < nt; th++) {
            int tb = tb0 + th * THREAD_STRIDE;
            int sm = pb[tb + TH_SM];
            if ((sm & 0xFF) == BUSY && pb[tb + TH_END] - ti <= 0) {
                if ((sm & 0xFF00) == MODE_BULK) {
                    completeOp(base, th, role, t);
                } else {
                    pb[tb + TH_SM] = READY;
                }
            }
        }
        if (state(tb0) == IDLE) {
            pickTask(pe, base, role, t);
        }
        if (nt == 1 && fastForward != null && state(tb0) == READY && pb[tb0 + TH_POS] == 0
                && role.kind[pb[tb0 + TH_OP]] == Role.K_FABRIC
                && (role.info[pb[tb0 + TH_OP] * Role.OPI + Role.I_FLAGS] & Role.F_SOURCE) != 0
                && fastForward.defer(r, pe, base, role, t, completedThisVisit)) {
            // A stream's first step, just out of activation (or after an operation that completed
            // in this visit, which wakes the PE next cycle whatever the step does).
            return;
        }
        boolean issued = false;
        final boolean shared = datapathShared;
        int start = pb[base + RR];
        for (int k = 0; k < nt; k++) {
            int th = start + k;
            if (th >= nt) {
                th -= nt;
            }
            int tb = tb0 + th * THREAD_STRIDE;
            if (state(tb) != READY) {
                continue;
            }
            if (issued && (shared || th == 0)) {
                wakeNext = true;
                continue;
            }
            if (tryIssue(pe, base, th, tb, role, t) == ISSUED) {
                issued = true;
                pb[base + RR] = th + 1 >= nt ? 0 : th + 1;
                if (state(tb) == READY) {
                    wakeNext = true;
                }
            }
        }
        if (completedThisVisit || (state(tb0) == IDLE && runnableTask(base, role, t) >= 0)) {
            // An operation finished: a blocked issuer or a newly activated task may go next cycle.
            wakeNext = true;
        }
        long next = wakeNext ? t + 1 : Long.MAX_VALUE;
        for (int th = 0; th < nt; th++) {
            int tb = tb0 + th * THREAD_STRIDE;
            if (state(tb) == BUSY) {
                long end = t + Math.max(1, pb[tb + TH_END] - ti);
                if (end < next) {
                    next = end;
                }
            }
        }
        if (next != Long.MAX_VALUE) {
            clock.sched((int) (next - t), FabricClock.pe(r));
        }
    }

    private int state(int tb) {
        return pb[tb + TH_SM] & 0xFF;
    }

    /**
     * One step of the main thread of a single-threaded PE whose operation is a fabric operation
     * (the fast path of {@link #process}), and its next visit.
     */
    private void stepMain(int r, int pe, int base, int tb0, Role role, long t) {
        completedThisVisit = false;
        if (fabricStep(pe, base, 0, tb0, role, pb[tb0 + TH_OP], t) == NOT_ISSUED) {
            return; // the arrival or the credit wakes it
        }
        int sm = pb[tb0 + TH_SM] & 0xFF;
        if (sm == BUSY) {
            clock.sched(Math.max(1, pb[tb0 + TH_END] - (int) t), FabricClock.pe(r));
        } else {
            clock.sched(1, FabricClock.pe(r));
        }
    }

    /**
     * The step that router r's PE deferred to the end of cycle t ({@link StreamFastForward#defer}) and
     * that no fast-forward took: made now, with the same outcome as at the PE's visit (nothing in the
     * cycle after its visit reads or changes what the step uses); {@code wake}: an operation completed
     * in that visit, so the PE is visited next cycle whatever the step does (as the general path of
     * {@link #process} schedules it).
     */
    void stepDeferred(int r, long t, boolean wake) {
        int pe = peOf[r];
        int base = pe * stride;
        stepMain(r, pe, base, base + THREADS, roleArr[pb[base + ROLE]], t);
        if (wake) {
            clock.sched(1, FabricClock.pe(r));
        }
    }

    /**
     * Fast path of a single-threaded PE in timing mode whose main thread streams one input queue to
     * one output queue (the chain stages of reductions): {@link #fabricStep} and the fast path of
     * {@link #process} specialised, same outcome (measured on the original implementation with the
     * router's output split of the same commit: reduce-2d 512 x 512 simulate 4.90 s -> 4.53 s, bench
     * median of 3).
     */
    private void streamStep(int r, int base, int tb0, int[] info, int ib, long t) {
        final int ti = (int) t;
        final int[] pbl = pb;
        final int[] qbl = qb;
        final int[] s0 = rs;
        int qbase = pbl[base + in + 2 * info[ib + Role.I_IN0]] * qStride;
        int qst = qbl[qbase + PeQueues.STATE];
        if ((qst & PeQueues.COUNT_MASK) == 0
                || qbl[qbase + PeQueues.HEADER + ((qst & PeQueues.HEAD_FIELD) >>> PeQueues.HEAD_SHIFT)] - ti > 0) {
            return; // the router schedules this PE when the wavelet is ready
        }
        int b = pbl[base + out + 2 * info[ib + Role.I_OUT]] * rsStride;
        int used = (s0[b + RouterSlots.STATE] & RouterSlots.COUNT_MASK) + (s0[b + RouterSlots.POP_CYCLE] == ti ? 1 : 0);
        int cur = s0[b + RouterSlots.CUR];
        if (used >= slots.depth || (cur & (1 << Fabric.RAMP)) == 0) {
            s0[b + RouterSlots.CUR] = cur | (1 << (RouterSlots.WAIT_SHIFT + Fabric.RAMP));
            return; // the pop that frees a place wakes it
        }
        queues.pop(qbase, ti);
        inject(b, 0, t, false);
        stats.peSteps++;
        if (datapathShared && pbl[base + BULK_END] - ti > 0 && pbl[base + BULK_OWNER] != 0) {
            pbl[base + BULK_END]++;
            pbl[base + THREADS + pbl[base + BULK_OWNER] * THREAD_STRIDE + TH_END]++;
        }
        int pos = pbl[tb0 + TH_POS];
        int len = info[ib + Role.I_LEN];
        pos += Math.min(info[ib + Role.I_E], len - pos);
        pbl[tb0 + TH_POS] = pos;
        if (pos >= len) {
            completeOp(base, 0, roleArr[pbl[base + ROLE]], t);
        }
        clock.sched(1, FabricClock.pe(r));
    }

    /** The id of the task the main thread would pick now, or -1. */
    private int runnableTask(int base, Role role, long t) {
        int blocked = pb[base + BLOCKED];
        int cand = pb[base + ACTIVE] & ~blocked;
        int data = role.dataTaskMask & ~blocked;
        int ti = (int) t;
        while (data != 0) {
            int id = Integer.numberOfTrailingZeros(data);
            data &= data - 1;
            int qid = role.taskQueue[id];
            if ((pb[base + QBUSY] & (1 << qid)) == 0 && queues.headReady(pb[base + in + 2 * qid] * qStride, ti)) {
                cand |= 1 << id;
            }
        }
        return cand == 0 ? -1 : Integer.numberOfTrailingZeros(cand);
    }

    private void pickTask(int pe, int base, Role role, long t) {
        int id = runnableTask(base, role, t);
        if (id < 0) {
            return;
        }
        int tb = base + THREADS;
        if ((role.dataTaskMask & (1 << id)) != 0) {
            pb[base + WAVELET] = queues.pop(pb[base + in + 2 * role.taskQueue[id]] * qStride, (int) t);
            invocations[pe * Program.MAX_TASKS + id]++;
        } else {
            pb[base + ACTIVE] &= ~(1 << id);
        }
        pb[base + TASK] = id;
        pb[tb + TH_OP] = role.entry[id];
        pb[tb + TH_POS] = 0;
        if (activation > 0) {
            pb[tb + TH_SM] = BUSY | MODE_WAIT;
            pb[tb + TH_END] = (int) (t + activation);
        } else {
            pb[tb + TH_SM] = READY;
        }
    }

    private int tryIssue(int pe, int base, int th, int tb, Role role, long t) {
        final int op = pb[tb + TH_OP];
        switch (role.kind[op]) {
            case Role.K_ACTIVATE -> {
                pb[base + ACTIVE] |= 1 << role.target[op];
                advanceMain(base, role);
                return ISSUED;
            }
            case Role.K_BLOCK -> {
                pb[base + BLOCKED] |= 1 << role.target[op];
                advanceMain(base, role);
                return ISSUED;
            }
            case Role.K_UNBLOCK -> {
                pb[base + BLOCKED] &= ~(1 << role.target[op]);
                advanceMain(base, role);
                return ISSUED;
            }
            case Role.K_CONTROL -> {
                int b = pb[base + out + 2 * role.outQ[op]] * rsStride;
                if (!slots.canInject(b, (int) t)) {
                    slots.markWaiting(b, Fabric.RAMP);
                    return NOT_ISSUED;
                }
                inject(b, 0, t, true);
                advanceMain(base, role);
                return ISSUED;
            }
            default -> {
            }
        }
        int mt = role.thread[op];
        if (mt != th) {
            // The main thread hands an asynchronous operation to microthread mt.
            int tj = base + THREADS + mt * THREAD_STRIDE;
            if (state(tj) != IDLE) {
                return NOT_ISSUED; // woken when the microthread completes
            }
            pb[tj + TH_OP] = op;
            pb[tj + TH_POS] = 0;
            if (role.inQ0[op] >= 0) {
                pb[base + QBUSY] |= 1 << role.inQ0[op];
            }
            if (role.inQ1[op] >= 0) {
                pb[base + QBUSY] |= 1 << role.inQ1[op];
            }
            pb[tj + TH_SM] = BUSY | MODE_WAIT;
            pb[tj + TH_END] = (int) (t + 1); // steps from the next cycle
            advanceMain(base, role);
            return ISSUED;
        }
        if (role.kind[op] == Role.K_BULK) {
            int ti = (int) t;
            int bulkEnd = pb[base + BULK_END];
            long begin = bulkEnd - ti > 0 ? t + (bulkEnd - ti) : t;
            long dur = role.bulkCycles[op];
            pb[base + BULK_END] = (int) (begin + dur);
            pb[base + BULK_OWNER] = th;
            pb[tb + TH_SM] = BUSY | MODE_BULK;
            pb[tb + TH_END] = (int) (begin + dur - 1 + opLat);
            if (values != null) {
                values.bulk(pe, role, op, pb[base + WAVELET], invocation(pe, base));
            }
            return ISSUED;
        }
        return fabricStep(pe, base, th, tb, role, op, t);
    }

    private int fabricStep(int pe, int base, int th, int tb, Role role, int op, long t) {
        final int ti = (int) t;
        final int[] info = role.info;
        final int ib = op * Role.OPI;
        final int[] pbl = pb;
        final int flags = info[ib + Role.I_FLAGS];
        int q0 = info[ib + Role.I_IN0];
        int qb0 = -1;
        int qb1 = -1;
        if (q0 >= 0) {
            qb0 = pbl[base + in + 2 * q0] * qStride;
            boolean fusable = (flags & Role.F_FUSABLE) != 0 && fusion.possible;
            int sb = -1;
            if (fusable) {
                // Wavelets fused by the router advance the position (see ReceiveFusion).
                sb = qb[qb0 + PeQueues.SLOT] * rsStride;
                int done = fusion.take(sb);
                if (done != 0) {
                    pbl[tb + TH_POS] += done * info[ib + Role.I_E];
                }
            }
            if (!queues.headReady(qb0, ti)) {
                if (fusable && !observed) {
                    int e = info[ib + Role.I_E];
                    fusion.arm(sb, (info[ib + Role.I_LEN] - pbl[tb + TH_POS] + e - 1) / e, queues.held(qb0));
                }
                return NOT_ISSUED; // the router schedules this PE when the wavelet is ready
            }
            int q1 = info[ib + Role.I_IN1];
            if (q1 >= 0) {
                qb1 = pbl[base + in + 2 * q1] * qStride;
                if (!queues.headReady(qb1, ti)) {
                    return NOT_ISSUED;
                }
            }
        }
        int oq = info[ib + Role.I_OUT];
        int b = -1;
        if (oq >= 0) {
            b = pbl[base + out + 2 * oq] * rsStride;
            if (!slots.canInject(b, ti)) {
                slots.markWaiting(b, Fabric.RAMP);
                return NOT_ISSUED;
            }
        }
        int pos = pbl[tb + TH_POS];
        int len = info[ib + Role.I_LEN];
        int e = Math.min(info[ib + Role.I_E], len - pos);
        int in0 = 0;
        int in1 = 0;
        if (qb0 >= 0) {
            in0 = queues.pop(qb0, ti);
            if (qb1 >= 0) {
                in1 = queues.pop(qb1, ti);
            }
        }
        int outValue = 0;
        if (values != null) {
            outValue = values.step(pe, role, op, pos, e, in0, in1, pbl[base + WAVELET], invocation(pe, base));
        }
        if (b >= 0) {
            inject(b, outValue, t, false);
        }
        if ((flags & Role.F_WRITES_MEMORY) != 0) {
            stats.written(t + opLat);
        }
        stats.peSteps++;
        if (datapathShared && pbl[base + BULK_END] - ti > 0 && pbl[base + BULK_OWNER] != th) {
            // This step took a cycle from the memory-only operation in progress.
            pbl[base + BULK_END]++;
            pbl[base + THREADS + pbl[base + BULK_OWNER] * THREAD_STRIDE + TH_END]++;
        }
        pos += e;
        pbl[tb + TH_POS] = pos;
        if (pos >= len) {
            completeOp(base, th, role, t);
        } else if (info[ib + Role.I_CPS] > 1) {
            pbl[tb + TH_SM] = BUSY | MODE_WAIT;
            pbl[tb + TH_END] = ti + info[ib + Role.I_CPS];
        }
        return ISSUED;
    }

    /** Puts a wavelet produced at cycle t onto the ramp towards router slot block b. */
    private void inject(int b, int value, long t, boolean control) {
        slots.push(b, value, RouterSlots.stamp(t + opLat + ramp, control));
        clock.sched(opLat + ramp, FabricClock.router(slots.router(b)));
        stats.injected++;
        if (t < stats.firstInjection) {
            stats.firstInjection = t;
        }
    }

    /** Finishes thread th's operation. */
    private void completeOp(int base, int th, Role role, long t) {
        int tb = base + THREADS + th * THREAD_STRIDE;
        int op = pb[tb + TH_OP];
        int tg = role.tag[op];
        if (tg >= 0) {
            // Bulk operations complete at their end cycle (t here); fabric steps write opLat later.
            long end = role.kind[op] == Role.K_BULK ? t : t + opLat;
            if (end > stats.tagEnd[tg]) {
                stats.tagEnd[tg] = end;
            }
        }
        if (role.kind[op] == Role.K_BULK && role.writesMemory[op]) {
            stats.written(t + Math.max(0, pb[tb + TH_END] - (int) t));
        }
        completedThisVisit = true;
        if (th == 0) {
            advanceMain(base, role);
            return;
        }
        // A microthread's claim on its input queues ends (data tasks may use them again). The main
        // thread needs no claim: no data task runs while it is busy.
        if (role.inQ0[op] >= 0) {
            pb[base + QBUSY] &= ~(1 << role.inQ0[op]);
        }
        if (role.inQ1[op] >= 0) {
            pb[base + QBUSY] &= ~(1 << role.inQ1[op]);
        }
        pb[tb + TH_SM] = IDLE;
        pb[tb + TH_OP] = -1;
        if (role.onComplete[op] >= 0) {
            pb[base + ACTIVE] |= 1 << role.onComplete[op];
        }
    }

    private void advanceMain(int base, Role role) {
        int tb = base + THREADS;
        int next = pb[tb + TH_OP] + 1;
        pb[tb + TH_POS] = 0;
        if (role.kind[next] == Role.K_END) {
            pb[tb + TH_OP] = -1;
            pb[tb + TH_SM] = IDLE;
        } else {
            pb[tb + TH_OP] = next;
            pb[tb + TH_SM] = READY;
        }
    }

    /** Which invocation of the current data task this is (0 for the first, and for local tasks). */
    private int invocation(int pe, int base) {
        return invocations == null ? 0 : Math.max(0, invocations[pe * Program.MAX_TASKS + pb[base + TASK]] - 1);
    }

    // ---------------------------------------------------------------------------------------------
    // Receive fusion and the end of a run

    /** Adds the wavelets routers accounted by receive fusion to the receiving threads' positions. */
    void takeFusedSteps(ReceiveFusion f) {
        for (int q = 0; q < queues.count; q++) {
            int qbase = q * qStride;
            int done = f.takeAll(qb[qbase + PeQueues.SLOT] * rsStride);
            if (done != 0) {
                int base = peOf[qb[qbase + PeQueues.ROUTER]] * stride;
                Role role = roleArr[pb[base + ROLE]];
                int tb = base + THREADS;
                pb[tb + TH_POS] += done * role.elemsPerStep[pb[tb + TH_OP]];
            }
        }
    }

    /** Stops receive fusion for the rest of the run (a cycle observer must see every visit). */
    void disarmFusion(ReceiveFusion f) {
        if (queues != null) {
            for (int q = 0; q < queues.count; q++) {
                f.disarm(qb[q * qStride + PeQueues.SLOT] * rsStride);
            }
        }
    }

    /** True when some PE has a runnable or activated task or a thread that is not idle. */
    boolean hasWork() {
        for (int pe = 0; pe < count; pe++) {
            int base = pe * stride;
            if ((pb[base + ACTIVE] & ~pb[base + BLOCKED]) != 0) {
                return true;
            }
            for (int th = 0; th < threads; th++) {
                if (state(base + THREADS + th * THREAD_STRIDE) != IDLE) {
                    return true;
                }
            }
        }
        return false;
    }
}
