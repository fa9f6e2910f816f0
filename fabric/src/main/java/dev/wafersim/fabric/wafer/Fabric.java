package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.ActivityRing;
import dev.wafersim.core.event.ProgressMonitor;
import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.memory.sram.SramBankModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A cycle-level model of a wafer-scale engine's fabric: a 2D mesh of routers, one per processing
 * element (PE), moving 32-bit wavelets on colours, and the PEs that send, receive and compute.
 *
 * <h2>Routers</h2>
 * Each router has five ports: north, east, south, west and the ramp to its own PE. Routing is
 * static per colour: a router holds, per colour, up to {@code routeConfigsPerColour} configurations,
 * each a set of input directions and a set of output directions (several outputs = multicast); a
 * control wavelet advances the configuration of every router it passes, after being forwarded.
 * Each colour has its own input buffer of {@code routerBufferDepthWavelets} in each router, shared by
 * that colour's inputs; a router accepts a wavelet only from a direction its current configuration
 * receives from (so a switch position selects which input may send). In a cycle, a colour's head wavelet moves when it has arrived, every output
 * link it needs is free this cycle (one wavelet per link per direction per cycle) and every
 * receiving buffer has a credit; a multicast wavelet moves to all its outputs at once or not at all
 * (lossless backpressure). Colours sharing an output link are served round-robin, and a colour that
 * cannot move never blocks another. A wavelet forwarded at cycle t is ready in the next router at
 * t + {@code hopLatencyCycles}, or in the PE's input queue at t + {@code rampLatencyCycles}.
 * Credits return with one cycle of delay: a place freed by a pop at cycle t is visible to senders
 * from t + 1, so what a sender sees never depends on the order parts are visited within a cycle.
 *
 * <h2>Processing elements</h2>
 * A PE runs a {@link Program} (its role): tasks of instructions, run to completion on the main
 * thread, with {@code taskActivationCycles} between picking a task and its first instruction; local
 * tasks run when activated, data tasks once per wavelet on their input queue. Vector operations run
 * on the main thread or, asynchronously, on microthreads. An operation with a fabric operand steps one
 * wavelet at a time: it needs the input wavelet to have arrived and a credit on the output; its result
 * reaches the router {@code opLatencyCycles + rampLatencyCycles} after the step. An operation on
 * memory only is costed in one piece by the SRAM bank model (SIMD width, port width, bank conflicts).
 * With the shared datapath (default) one instruction or vector step issues per cycle per PE; a fabric
 * step taken while a memory-only operation runs delays that operation by a cycle.
 *
 * <h2>Simulation</h2>
 * Only active parts cost time: routers and PEs are int handles (2r for router r, 2r + 1 for its PE)
 * in an {@link ActivityRing} and are visited only in cycles where something can happen to them, in
 * ascending handle order (deterministic); a sender refused for lack of credit is woken by the pop
 * that frees one, and a PE waiting for input by the wavelet's arrival. All state lives in primitive
 * arrays of packed blocks indexed by router slot, PE queue or PE. Within a cycle what one part does
 * (moves, pops, credits) is visible to others only from the next cycle. A PE that only receives into
 * memory is not visited per wavelet: the router that delivers accounts for its consumption (receive
 * fusion, see {@code fusedConsume}), with the same cycles, steps and statistics.
 * When nothing is scheduled but wavelets or operations are still pending, the run fails with a
 * message naming the stalled routers, colours and PEs (a deadlock). Cycle conventions follow the
 * model of Luczynski et al., "Near-Optimal Wafer-Scale Reduce", HPDC 2024: chain reduce of B
 * wavelets over P PEs takes B + (2 T_R + 2)(P - 1) cycles and a flooding row broadcast B + P + 2 T_R.
 */
public final class Fabric implements ProgressMonitor {

    /** North: y - 1. */
    public static final int N = 0;
    /** East: x + 1. */
    public static final int E = 1;
    /** South: y + 1. */
    public static final int S = 2;
    /** West: x - 1. */
    public static final int W = 3;
    /** The ramp between a router and its PE. */
    public static final int RAMP = 4;
    private static final String[] DIR_NAMES = {"north", "east", "south", "west", "ramp"};
    private static final int[] DX = {0, 1, 0, -1};
    private static final int[] DY = {-1, 0, 1, 0};

    /*
     * State layout. Hot state lives in int blocks so that what one decision needs shares a cache
     * line or two (measured: scattered per-field arrays gave 4.8 M wavelet-hops/s on a 256 x 256
     * 2D broadcast; halving the blocks to the sizes below took bench fabric from 18.6 M to 21.9 M). Cycles stored in blocks are the low
     * 32 bits of the cycle number, compared with wrap-around arithmetic ((a - b) <= 0), which is
     * exact while the cycles compared are less than 2^31 apart; they are at most a few thousand.
     *
     * Router colour slot (the input buffer of one colour in one router), stride rsStride ints (16,
     * one 64-byte block, for the presets in timing mode):
     *   STATE  count (bits 0-4) | head (5-8) | waiting senders by direction (9-13) | route
     *          position (14-16) | number of route configurations (17-20) | places freed by pops
     *          in cycle PCYC, visible to senders from the next cycle (21-25)
     *   PCYC   the cycle of those pops
     *   CUR    the current configuration (a copy of the CFG entry at the route position, inputs in
     *          bits 0-4, outputs in 5-9) | control flag per ring position << 16
     *   RAMP   the PE input queue the ramp output feeds (-1 if none)
     *   NEXT   the same colour's slot in the neighbour N, E, S, W (-1 where the route never sends)
     *   AUTO   receive fusion (see fusedConsume)
     *   ID     router << 5 | colour
     *   CFG    two words, three 10-bit configurations each
     *   then   ready cycle[depth], and payload[depth] in functional mode only (timing runs never
     *          look at values)
     * PE input queue, stride qStride ints (8 for the presets in timing mode): STATE count | head << 5
     *   | router-waiting << 9 | places freed in cycle PCYC << 10, PCYC, owner PE, the router slot
     *   that feeds it, then ready cycle[depth] and, in functional mode, payload[depth].
     * Router (rt, 4 ints): unused, round-robin pointer, first slot, configured colours mask.
     * PE, stride peStride ints (32 for the presets): role, memory-operation end and owner, router,
     *   task masks, the triggering wavelet, current task, round-robin pointer, then 4 words per
     *   thread (operation, position, end cycle, state | mode << 8), then per queue number q the
     *   input queue handle and the output router slot (interleaved, so a single-threaded PE
     *   streaming from queue 0 to queue 0 finds all it needs in its first 64 bytes).
     */
    private static final int RS_STATE = 0;
    private static final int RS_PCYC = 1;
    private static final int RS_CUR = 2;
    private static final int RS_RAMP = 3;
    private static final int RS_NEXT = 4;
    private static final int RS_AUTO = 8;
    private static final int RS_ID = 9;
    private static final int RS_CFG = 10;
    private static final int RS_HDR = 12;
    private static final int PEND_SHIFT = 21;
    private static final int PEND_ONE = 1 << PEND_SHIFT;
    private static final int PEND_MASK = 31 << PEND_SHIFT;
    private static final int MAX_CONFIGS = 6;

    private static final int Q_STATE = 0;
    private static final int Q_PCYC = 1;
    private static final int Q_PE = 2;
    private static final int Q_SLOT = 3;
    private static final int Q_HDR = 4;
    private static final int Q_ROUTER_WAITING = 1 << 9;
    private static final int Q_PEND_SHIFT = 10;
    private static final int Q_PEND_MASK = 31 << Q_PEND_SHIFT;

    private static final int P_ROLE = 0;
    private static final int P_BULKEND = 1;
    private static final int P_BULKOWNER = 2;
    private static final int P_ROUTER = 3;
    private static final int P_ACTIVE = 4;
    private static final int P_BLOCKED = 5;
    private static final int P_QBUSY = 6;
    private static final int P_WAVELET = 7;
    private static final int P_TASK = 8;
    private static final int P_RR = 9;
    private static final int P_THREADS = 10;

    private static final int TH_OP = 0;
    private static final int TH_POS = 1;
    private static final int TH_END = 2;
    private static final int TH_SM = 3;

    // Thread states (TH_SM low byte) and what a BUSY thread waits for (high byte).
    private static final int IDLE = 0;
    private static final int READY = 1;
    private static final int BUSY = 2;
    private static final int MODE_BULK = 1 << 8;
    private static final int MODE_WAIT = 2 << 8;
    // Outcomes of trying to issue.
    private static final int ISSUED = 0;
    private static final int BLOCKED = 1;

    /** Options of a fabric simulation. */
    public record Options(boolean functional, boolean trackLinks) {
        /** Timing only, no per-link counters. */
        public static final Options TIMING = new Options(false, false);
        /** Values computed and stored (for checking programs), per-link counters on. */
        public static final Options FUNCTIONAL = new Options(true, true);
    }

    private final WseParams p;
    private final Options opts;
    private final SramBankModel bank;
    private final int width;
    private final int height;
    private final int routers;
    private final int colours;
    private final int maxCfg;
    private final int hop;
    private final int ramp;
    private final int opLat;
    private final int depth;
    private final int rsStride;
    private final boolean storePayload;
    private final int qDepth;
    private final int qStride;

    // Router colour slots.
    private final int[] slotOf;
    private int[] rs;
    private int slots;
    private final int[] rt;

    // PEs.
    private final int[] peOf;
    private int peCount;
    private int[] peRouterTmp = new int[64];
    private short[] peRoleTmp = new short[64];
    private final List<Role> roles = new ArrayList<>();
    private final Map<Program, Role> roleOf = new IdentityHashMap<>();
    private Role[] roleArr;
    private int[] qb;
    private int queues;
    private int queuesPerPe;
    private int threadStride;
    private int pIn;
    private int pOut;
    private int th0;
    private boolean datapathShared;
    private int peStride;
    private int peThreads;
    private int[] pb;
    private int[] peInvocations;
    private short[][] mem;

    private final ActivityRing ring;
    private final long[] ringBits;
    private final int ringWords;
    private boolean prepared;
    private long cycle;
    private LongConsumer observer;
    private boolean completedThisVisit;
    // Receive fusion (see processRouter): cycles in (cycle, cycle + 63] in which a consumption
    // accounted by a router happens (bit c & 63), not yet counted as active.
    private long fusedActive;
    private boolean fusedPending;
    private final boolean fusionPossible;
    private long fuseLimit = Long.MAX_VALUE;

    // Statistics (plain counters).
    private long waveletHops;
    private long rampDeliveries;
    private long injected;
    private long copies;
    private long consumed;
    private long controlAbsorbed;
    private long creditStalls;
    private long peSteps;
    private long routerVisits;
    private long peVisits;
    private long firstInjection = Long.MAX_VALUE;
    private long lastWriteEnd;
    private long lastActiveCycle;
    private long activeCycles;
    private long[] linkWavelets;
    private final long[] tagEnd = new long[Op.MAX_TAG + 1];

    /** An empty fabric of the grid in {@code params}; configure routes, load programs, then run. */
    public Fabric(WseParams params, Options options) {
        this.p = params;
        this.opts = options;
        this.bank = new SramBankModel(params.sram());
        this.width = params.gridWidthPes();
        this.height = params.gridHeightPes();
        this.routers = width * height;
        this.colours = params.colours();
        this.maxCfg = params.routeConfigsPerColour();
        this.hop = params.hopLatencyCycles();
        this.ramp = params.rampLatencyCycles();
        this.opLat = params.opLatencyCycles();
        this.depth = params.routerBufferDepthWavelets();
        this.qDepth = params.peInputQueueDepthWavelets();
        if (params.rampLatencyCycles() < 1) {
            throw new ConfigException(WseParams.RAMP_LATENCY + "=" + params.rampLatencyCycles()
                    + " is not allowed; expected at least 1 cycle (a transfer between router and PE takes time)");
        }
        if (depth > 16 || qDepth > 16 || maxCfg > MAX_CONFIGS || colours > 32) {
            throw new ConfigException("buffer depths above 16 wavelets, more than " + MAX_CONFIGS
                    + " route configurations or more than 32 colours are not supported");
        }
        if (options.functional() && params.waveletPayloadBits() != 32) {
            throw new ConfigException("functional simulation (computing values) needs 32-bit wavelets; "
                    + WseParams.PAYLOAD_BITS + "=" + params.waveletPayloadBits() + " runs in timing mode only");
        }
        long slotCount = (long) routers * colours;
        if (slotCount > Integer.MAX_VALUE) {
            throw new ConfigException("grid " + width + " x " + height + " with " + colours + " colours is too large");
        }
        this.storePayload = options.functional();
        this.rsStride = (RS_HDR + (options.functional() ? 2 : 1) * depth + 15) & ~15;
        this.qStride = (Q_HDR + (options.functional() ? 2 : 1) * qDepth + 7) & ~7;
        this.slotOf = new int[(int) slotCount];
        Arrays.fill(slotOf, -1);
        this.rs = new int[64 * rsStride];
        this.rt = new int[routers * 4];
        this.peOf = new int[routers];
        Arrays.fill(peOf, -1);
        this.ring = new ActivityRing(2 * routers);
        this.ringBits = ring.bits();
        this.ringWords = ring.words();
        // Receive fusion needs the queue to have room for everything in flight on the ramp (see
        // fusedConsume) and the consumption cycles within the 64-cycle window of fusedActive.
        this.fusionPossible = !options.functional() && qDepth > ramp && ramp <= 62;
        if (options.trackLinks()) {
            linkWavelets = new long[routers * 4];
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Configuration

    /** The parameters. */
    public WseParams params() {
        return p;
    }

    /** Grid width in PEs. */
    public int width() {
        return width;
    }

    /** Grid height in PEs. */
    public int height() {
        return height;
    }

    /** A set of directions as a bit mask, e.g. {@code dirs(Fabric.W, Fabric.RAMP)}. */
    public static int dirs(int... ds) {
        int m = 0;
        for (int d : ds) {
            if (d < 0 || d > RAMP) {
                throw new IllegalArgumentException("direction must be 0..4, got " + d);
            }
            m |= 1 << d;
        }
        return m;
    }

    /** Name of a direction. */
    public static String dirName(int d) {
        return DIR_NAMES[d];
    }

    private String pe(int r) {
        return "PE (" + (r % width) + "," + (r / width) + ")";
    }

    /**
     * Sets the route of {@code colour} at the router of PE (x, y): configuration k receives from the
     * directions in {@code inMasks[k]} and sends to those in {@code outMasks[k]}. The first
     * configuration is active at start; each control wavelet forwarded on this colour advances to
     * the next (staying at the last).
     *
     * @throws ConfigException naming the PE, colour and rule when the hardware cannot hold the route
     */
    public void setRoute(int x, int y, int colour, int[] inMasks, int[] outMasks) {
        checkOpen();
        int r = router(x, y);
        if (colour < 0 || colour >= colours) {
            throw new ConfigException(pe(r) + ": colour " + colour + " does not exist; the fabric has " + colours
                    + " colours (0.." + (colours - 1) + ")");
        }
        if (inMasks.length != outMasks.length || inMasks.length == 0) {
            throw new IllegalArgumentException("need one output set per input set, and at least one configuration");
        }
        if (inMasks.length > maxCfg) {
            throw new ConfigException(pe(r) + ", colour " + colour + ": " + inMasks.length
                    + " route configurations, but a router holds " + maxCfg + " per colour ("
                    + WseParams.ROUTE_CONFIGS + ")");
        }
        int key = r * colours + colour;
        if (slotOf[key] >= 0) {
            throw new ConfigException(pe(r) + ", colour " + colour + ": the colour already has a route at this router;"
                    + " one colour holds one route per router (use another colour or a route configuration)");
        }
        for (int k = 0; k < inMasks.length; k++) {
            int in = inMasks[k];
            int out = outMasks[k];
            if (in <= 0 || in > 31 || out <= 0 || out > 31) {
                throw new ConfigException(pe(r) + ", colour " + colour + ", configuration " + k
                        + ": a route needs at least one input and one output direction");
            }
            for (int d = 0; d < 4; d++) {
                if ((out & (1 << d)) != 0 && neighbour(r, d) < 0) {
                    throw new ConfigException(pe(r) + ", colour " + colour + ", configuration " + k
                            + ": the route sends " + DIR_NAMES[d] + ", off the edge of the " + width + " x " + height
                            + " grid");
                }
                if ((in & (1 << d)) != 0 && neighbour(r, d) < 0) {
                    throw new ConfigException(pe(r) + ", colour " + colour + ", configuration " + k
                            + ": the route receives from the " + DIR_NAMES[d] + ", off the edge of the " + width
                            + " x " + height + " grid");
                }
            }
        }
        int s = slots++;
        if ((long) slots * rsStride > rs.length) {
            long cap = Math.max((long) slots * rsStride, (long) rs.length + (rs.length >> 1));
            if (cap > Integer.MAX_VALUE - 16) {
                throw new ConfigException("too many routes for one simulation (" + slots + " router colour slots)");
            }
            rs = Arrays.copyOf(rs, (int) cap);
        }
        slotOf[key] = s;
        int b = s * rsStride;
        rs[b + RS_STATE] = inMasks.length << 17;
        rs[b + RS_PCYC] = -1;
        rs[b + RS_ID] = r << 5 | colour;
        rs[b + RS_RAMP] = -1;
        for (int d = 0; d < 4; d++) {
            rs[b + RS_NEXT + d] = -1;
        }
        for (int k = 0; k < inMasks.length; k++) {
            rs[b + RS_CFG + k / 3] |= (inMasks[k] | (outMasks[k] << 5)) << (10 * (k % 3));
        }
        rs[b + RS_CUR] = inMasks[0] | (outMasks[0] << 5);
    }

    /** One route configuration: shorthand for {@link #setRoute(int, int, int, int[], int[])}. */
    public void setRoute(int x, int y, int colour, int inMask, int outMask) {
        setRoute(x, y, colour, new int[] {inMask}, new int[] {outMask});
    }

    private int cfg(int b, int k) {
        return (rs[b + RS_CFG + k / 3] >>> (10 * (k % 3))) & 0x3FF;
    }

    private int curCfg(int b) {
        return rs[b + RS_CUR] & 0x3FF;
    }

    private int ncfg(int b) {
        return (rs[b + RS_STATE] >>> 17) & 15;
    }

    /**
     * Loads {@code program} on PE (x, y). Programs are compiled once and shared by every PE that
     * loads the same instance.
     */
    public void load(int x, int y, Program program) {
        checkOpen();
        int r = router(x, y);
        if (peOf[r] >= 0) {
            throw new ConfigException(pe(r) + " already runs program " + roles.get(peRoleTmp[peOf[r]]).program.name()
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
        if (peCount == peRouterTmp.length) {
            peRouterTmp = Arrays.copyOf(peRouterTmp, peCount * 2);
            peRoleTmp = Arrays.copyOf(peRoleTmp, peCount * 2);
        }
        peOf[r] = peCount;
        peRouterTmp[peCount] = r;
        peRoleTmp[peCount] = (short) role.index;
        peCount++;
    }

    /** Number of PEs with a program. */
    public int loadedPes() {
        return peCount;
    }

    /** Number of router colour slots configured. */
    public int configuredRoutes() {
        return slots;
    }

    private int router(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new ConfigException("PE (" + x + "," + y + ") is outside the " + width + " x " + height + " grid");
        }
        return y * width + x;
    }

    private int neighbour(int r, int d) {
        int x = r % width + DX[d];
        int y = r / width + DY[d];
        if (x < 0 || x >= width || y < 0 || y >= height) {
            return -1;
        }
        return y * width + x;
    }

    private void checkOpen() {
        if (prepared) {
            throw new IllegalStateException("the fabric is prepared; routes and programs can no longer change");
        }
    }

    /**
     * Validates routes against each other and against the programs, allocates per-PE state and
     * activates the tasks that start active. Called by {@link #run} if not called before.
     *
     * @throws ConfigException naming the PE, colour and rule for every inconsistency found first
     */
    public void prepare() {
        if (prepared) {
            return;
        }
        renumberInRouterOrder();
        datapathShared = p.datapathShared();
        roleArr = roles.toArray(new Role[0]);
        int maxThreads = 1;
        for (Role role : roles) {
            maxThreads = Math.max(maxThreads, role.threadsUsed);
        }
        peThreads = maxThreads;
        queuesPerPe = p.peInputQueues();
        threadStride = 4;
        th0 = P_THREADS;
        pIn = th0 + threadStride * maxThreads;
        pOut = pIn + 1;
        peStride = (pIn + 2 * Math.max(queuesPerPe, p.peOutputQueues()) + 15) & ~15;
        long peInts = (long) peCount * peStride;
        if (peInts > Integer.MAX_VALUE - 16) {
            throw new ConfigException("too many PEs with programs for one simulation: " + peCount);
        }
        pb = new int[(int) peInts];
        boolean anyData = false;
        for (Role role : roles) {
            anyData |= role.dataTaskMask != 0;
        }
        if (anyData) {
            peInvocations = new int[peCount * Program.MAX_TASKS];
        }
        if (opts.functional()) {
            mem = new short[peCount][];
        }
        int totalQueues = 0;
        for (int pe = 0; pe < peCount; pe++) {
            for (int c : roleArr[peRoleTmp[pe]].program.inputColours()) {
                if (c >= 0) {
                    totalQueues++;
                }
            }
        }
        qb = new int[Math.max(1, totalQueues) * qStride];
        // PE state, input queues and the router slots that feed them.
        for (int pe = 0; pe < peCount; pe++) {
            Role role = roleArr[peRoleTmp[pe]];
            int r = peRouterTmp[pe];
            int base = pe * peStride;
            pb[base + P_ROUTER] = r;
            pb[base + P_ROLE] = role.index;
            pb[base + P_ACTIVE] = role.activeAtStartMask;
            pb[base + P_BLOCKED] = role.blockedAtStartMask;
            for (int q = 0; q < queuesPerPe; q++) {
                pb[base + pIn + 2 * q] = -1;
            }
            for (int th = 0; th < maxThreads; th++) {
                pb[base + threadBase(th) + TH_OP] = -1;
            }
            for (int q = 0; q < queuesPerPe; q++) {
                int c = role.program.inputColours()[q];
                if (c < 0) {
                    continue;
                }
                int qs = queues++;
                qb[qs * qStride + Q_PE] = pe;
                qb[qs * qStride + Q_PCYC] = -1;
                pb[base + pIn + 2 * q] = qs;
                int s = slotOf[r * colours + c];
                if (s < 0) {
                    throw new ConfigException(pe(r) + " [" + role.program.name() + "] binds input queue " + q
                            + " to colour " + c + ", but its router has no route for colour " + c);
                }
                if (rs[s * rsStride + RS_RAMP] >= 0) {
                    throw new ConfigException(pe(r) + " [" + role.program.name() + "] binds two input queues to colour "
                            + c + "; a colour is delivered to one queue");
                }
                rs[s * rsStride + RS_RAMP] = qs;
                qb[qs * qStride + Q_SLOT] = s;
            }
            for (int q = 0; q < 32; q++) {
                int c = role.program.outputColours()[q];
                if (c < 0) {
                    continue;
                }
                int s = slotOf[r * colours + c];
                if (s < 0 || !anyConfigAccepts(s, RAMP)) {
                    throw new ConfigException(pe(r) + " [" + role.program.name() + "] sends on colour " + c
                            + " (output queue " + q + "), but its router has no route for colour " + c
                            + " that receives from the ramp");
                }
                pb[base + pOut + 2 * q] = s;
            }
        }
        // Every route must lead somewhere that accepts it; remember the neighbour slots.
        for (int s = 0; s < slots; s++) {
            int b = s * rsStride;
            int r = rs[b + RS_ID] >>> 5;
            int c = rs[b + RS_ID] & 31;
            for (int k = 0; k < ncfg(b); k++) {
                int out = cfg(b, k) >>> 5;
                for (int d = 0; d < 4; d++) {
                    if ((out & (1 << d)) == 0) {
                        continue;
                    }
                    int r2 = neighbour(r, d);
                    int s2 = slotOf[r2 * colours + c];
                    if (s2 < 0 || !anyConfigAccepts(s2, (d + 2) & 3)) {
                        throw new ConfigException(pe(r) + ", colour " + c + ": the route sends " + DIR_NAMES[d]
                                + " to " + pe(r2) + ", which has no route for colour " + c + " receiving from the "
                                + DIR_NAMES[(d + 2) & 3]);
                    }
                    rs[b + RS_NEXT + d] = s2;
                }
                if ((out & (1 << RAMP)) != 0 && rs[b + RS_RAMP] < 0) {
                    int pe = peOf[r];
                    throw new ConfigException(pe(r) + ", colour " + c + ": the route delivers to the ramp, but "
                            + (pe < 0 ? "the PE runs no program" : "program " + roleArr[peRoleTmp[pe]].program.name()
                            + " binds no input queue to colour " + c));
                }
            }
        }
        peRouterTmp = null;
        peRoleTmp = null;
        prepared = true;
        for (int pe = 0; pe < peCount; pe++) {
            schedulePe(0, pe);
        }
    }

    /** Renumbers router slots by (router, colour) and PEs by router, so state follows the grid. */
    private void renumberInRouterOrder() {
        long[] keys = new long[slots];
        for (int sl = 0; sl < slots; sl++) {
            int b = sl * rsStride;
            keys[sl] = ((long) (rs[b + RS_ID] >>> 5) * colours + (rs[b + RS_ID] & 31)) << 32 | sl;
        }
        Arrays.sort(keys);
        int[] moved = new int[rs.length];
        for (int ns = 0; ns < slots; ns++) {
            int old = (int) keys[ns];
            System.arraycopy(rs, old * rsStride, moved, ns * rsStride, rsStride);
            slotOf[(int) (keys[ns] >>> 32)] = ns;
        }
        rs = moved;
        for (int ns = slots - 1; ns >= 0; ns--) {
            int r = rs[ns * rsStride + RS_ID] >>> 5;
            rt[(r << 2) + 2] = ns;
            rt[(r << 2) + 3] |= 1 << (rs[ns * rsStride + RS_ID] & 31);
        }
        long[] pk = new long[peCount];
        for (int pe = 0; pe < peCount; pe++) {
            pk[pe] = (long) peRouterTmp[pe] << 32 | pe;
        }
        Arrays.sort(pk);
        int[] routerOf = new int[peCount];
        short[] roleOfPe = new short[peCount];
        for (int np = 0; np < peCount; np++) {
            int old = (int) pk[np];
            routerOf[np] = peRouterTmp[old];
            roleOfPe[np] = peRoleTmp[old];
            peOf[routerOf[np]] = np;
        }
        peRouterTmp = routerOf;
        peRoleTmp = roleOfPe;
    }

    private int threadBase(int th) {
        return th0 + th * threadStride;
    }

    private boolean anyConfigAccepts(int s, int dir) {
        int b = s * rsStride;
        for (int k = 0; k < ncfg(b); k++) {
            if ((cfg(b, k) & (1 << dir)) != 0) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Functional memory

    /** Writes values into PE (x, y)'s SRAM at byte {@code address} (functional mode). */
    public void writeMemory(int x, int y, int address, float[] values, DType type) {
        int pe = requirePe(x, y);
        requireFunctional();
        int bytes = type.destBytes();
        for (int i = 0; i < values.length; i++) {
            storeElem(pe, address + i * bytes, bytes, values[i]);
        }
    }

    /** Reads {@code n} values of PE (x, y)'s SRAM at byte {@code address} (functional mode). */
    public float[] readMemory(int x, int y, int address, int n, DType type) {
        int pe = requirePe(x, y);
        requireFunctional();
        int bytes = type.destBytes();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = loadElem(pe, address + i * bytes, bytes);
        }
        return v;
    }

    private int requirePe(int x, int y) {
        int r = router(x, y);
        if (peOf[r] < 0) {
            throw new IllegalArgumentException(pe(r) + " runs no program");
        }
        if (!prepared) {
            prepare();
        }
        return peOf[r];
    }

    private void requireFunctional() {
        if (mem == null) {
            throw new IllegalStateException("memory values exist only in functional mode");
        }
    }

    private short[] memOf(int pe) {
        short[] m = mem[pe];
        if (m == null) {
            m = new short[(p.sram().dataBytesPerPe() + 1) / 2];
            mem[pe] = m;
        }
        return m;
    }

    private float loadElem(int pe, int addr, int bytes) {
        short[] m = memOf(pe);
        if (bytes == 2) {
            return Half.toFloat(m[addr >> 1] & 0xFFFF);
        }
        int lo = m[addr >> 1] & 0xFFFF;
        int hi = m[(addr >> 1) + 1] & 0xFFFF;
        return Float.intBitsToFloat((hi << 16) | lo);
    }

    private void storeElem(int pe, int addr, int bytes, float v) {
        short[] m = memOf(pe);
        if (bytes == 2) {
            m[addr >> 1] = (short) Half.fromFloat(v);
        } else {
            int b = Float.floatToRawIntBits(v);
            m[addr >> 1] = (short) b;
            m[(addr >> 1) + 1] = (short) (b >>> 16);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Running

    /** Calls {@code afterEachCycle} with the cycle number after every simulated cycle (tests). */
    public void setCycleObserver(LongConsumer afterEachCycle) {
        this.observer = afterEachCycle;
        if (afterEachCycle != null && qb != null) {
            // Observed runs visit every PE itself: no new receive fusion from here on.
            for (int q = 0; q < queues; q++) {
                rs[qb[q * qStride + Q_SLOT] * rsStride + RS_AUTO] &= ~0xFFFF;
            }
        }
    }

    /**
     * Runs until nothing is left to do.
     *
     * @param maxCycles the watchdog's budget: the run fails if work remains at this cycle
     * @return the last cycle in which anything happened
     * @throws SimulationStalledException on a deadlock or when the budget is exceeded
     */
    public long run(long maxCycles) {
        prepare();
        fuseLimit = maxCycles;
        while (true) {
            long t = ring.advance();
            if (t == Long.MAX_VALUE) {
                flushFusion();
                break;
            }
            if (t > maxCycles) {
                flushFusion();
                throw new SimulationStalledException(String.format(Locale.ROOT,
                        "watchdog: fabric cycle budget of %,d cycles exceeded with work pending:%s",
                        maxCycles, describeStalls(12)));
            }
            processCycle(t);
        }
        if (hasPendingWork()) {
            throw new SimulationStalledException("deadlock: no part of the fabric can move at cycle " + cycle
                    + " but work is pending:" + describeStalls(12));
        }
        return lastActiveCycle;
    }

    /** The earliest cycle with scheduled activity, or {@link Long#MAX_VALUE} (for event-driven hosts). */
    public long nextActiveCycle() {
        prepare();
        long t = ring.advance();
        if (t == Long.MAX_VALUE) {
            flushFusion();
        }
        return t;
    }

    /**
     * Simulates cycle {@code t}, which must be {@link #nextActiveCycle()}: visits every router and PE
     * scheduled for it, in router order (handle 2r is router r, 2r + 1 its PE).
     */
    public void processCycle(long t) {
        if (fusedActive != 0) {
            countFusedCycles(t);
        }
        cycle = t;
        activeCycles++;
        lastActiveCycle = t;
        final long[] bits = ring.bits();
        final long[] sum = ring.summary();
        final int bo = ring.currentBitsOffset();
        final int so = ring.currentSummaryOffset();
        final int sn = ring.summaryWords();
        for (int si = 0; si < sn; si++) {
            long sw = sum[so + si];
            if (sw == 0) {
                continue;
            }
            sum[so + si] = 0;
            while (sw != 0) {
                int wi = (si << 6) + Long.numberOfTrailingZeros(sw);
                sw &= sw - 1;
                long w = bits[bo + wi];
                bits[bo + wi] = 0;
                while (w != 0) {
                    int h = (wi << 6) + Long.numberOfTrailingZeros(w);
                    w &= w - 1;
                    if ((h & 1) == 0) {
                        routerVisits++;
                        processRouter(h >>> 1, t);
                    } else {
                        int pe = peOf[h >>> 1];
                        peVisits++;
                        processPe(h >>> 1, pe, pe * peStride, t);
                    }
                }
            }
        }
        ring.finishCurrent();
        if (observer != null) {
            observer.accept(t);
        }
    }

    private void schedulePe(long cycle, int pe) {
        ring.schedule(cycle, (pb[pe * peStride + P_ROUTER] << 1) | 1);
    }

    // ---------------------------------------------------------------------------------------------
    // Router colour buffers and PE input queues

    /** Places in router slot block b a sender sees at cycle t (int-truncated). */
    private int rsFree(int b, int ti) {
        int st = rs[b + RS_STATE];
        int used = st & 31;
        if (rs[b + RS_PCYC] == ti) {
            used += (st >>> PEND_SHIFT) & 31;
        }
        return depth - used;
    }

    private void rsPush(int b, int value, int readyCycle, boolean control) {
        int st = rs[b + RS_STATE];
        int n = st & 31;
        int slot = ((st >>> 5) & 15) + n;
        if (slot >= depth) {
            slot -= depth;
        }
        rs[b + RS_HDR + slot] = readyCycle;
        if (storePayload) {
            rs[b + RS_HDR + depth + slot] = value;
        }
        if (control) {
            rs[b + RS_CUR] |= 1 << (16 + slot);
        } else {
            rs[b + RS_CUR] &= ~(1 << (16 + slot));
        }
        rs[b + RS_STATE] = st + 1;
    }

    private int qFree(int qbase, int ti) {
        int st = qb[qbase + Q_STATE];
        int used = st & 31;
        if (qb[qbase + Q_PCYC] == ti) {
            used += (st >>> Q_PEND_SHIFT) & 31;
        }
        return qDepth - used;
    }

    private boolean qHeadReady(int qbase, int ti) {
        int st = qb[qbase + Q_STATE];
        return (st & 31) > 0 && qb[qbase + Q_HDR + ((st >>> 5) & 15)] - ti <= 0;
    }

    /** Pops the head of the PE queue in block qbase at cycle t and returns its payload. */
    private int qPop(int qbase, int ti) {
        int st = qb[qbase + Q_STATE];
        int h = (st >>> 5) & 15;
        int value = storePayload ? qb[qbase + Q_HDR + qDepth + h] : 0;
        int nh = h + 1 == qDepth ? 0 : h + 1;
        int ns = ((st & ~(15 << 5)) | (nh << 5)) - 1;
        if (qb[qbase + Q_PCYC] != ti) {
            qb[qbase + Q_PCYC] = ti;
            ns = (ns & ~Q_PEND_MASK) | (1 << Q_PEND_SHIFT);
        } else {
            ns += 1 << Q_PEND_SHIFT;
        }
        qb[qbase + Q_STATE] = ns & ~Q_ROUTER_WAITING;
        consumed++;
        if ((st & Q_ROUTER_WAITING) != 0) {
            sched(1, pb[qb[qbase + Q_PE] * peStride + P_ROUTER] << 1);
        }
        return value;
    }

    // ---------------------------------------------------------------------------------------------
    // Routers

    private void processRouter(int r, long t) {
        final int rb = r << 2;
        final int[] rtab = rt;
        final int configured = rtab[rb + 3];
        final int first = rtab[rb + 2];
        final int stride = rsStride;
        if ((configured & (configured - 1)) == 0) {
            // One colour: no round robin, no shared outputs.
            int next = (int) (moveHead(r, first * stride, t, 0) >>> 32);
            if (next != Integer.MAX_VALUE) {
                sched(next, r << 1);
            }
            return;
        }
        processRouterColours(r, t, rb, configured, first);
    }

    /** A router with several colours: round robin from its pointer, outputs shared per cycle. */
    private void processRouterColours(int r, long t, int rb, int configured, int first) {
        final int[] rtab = rt;
        final int stride = rsStride;
        final int nc = colours;
        final int rr = rtab[rb + 1];
        final int rest = configured & (configured - 1);
        if ((rest & (rest - 1)) == 0) {
            // Two colours c0 < c1 (slots first, first + 1): c1 goes first when the round robin
            // points past c0 up to c1, as the rotation below would order them.
            int c0 = Integer.numberOfTrailingZeros(configured);
            int c1 = Integer.numberOfTrailingZeros(rest);
            int b0 = first * stride;
            int b1 = b0 + stride;
            boolean c1First = rr > c0 && rr <= c1;
            long r0 = moveHead(r, c1First ? b1 : b0, t, 0);
            long r1 = moveHead(r, c1First ? b0 : b1, t, (int) r0 & 31);
            if (((r0 | r1) & SLOT_BUSY) != 0) {
                rtab[rb + 1] = rr + 1 == nc ? 0 : rr + 1;
            }
            int next = Math.min((int) (r0 >>> 32), (int) (r1 >>> 32));
            if (next != Integer.MAX_VALUE) {
                sched(next, r << 1);
            }
            return;
        }
        int usedOut = 0;
        int next = Integer.MAX_VALUE; // cycles after t of the next visit this router needs
        boolean any = false;
        // Colours with wavelets, round-robin from rr (the configured colours' slots are consecutive
        // from first, in colour order; a slot with no wavelet is skipped).
        int rotated = rr == 0 ? configured
                : ((configured >>> rr) | (configured << (nc - rr))) & (nc == 32 ? -1 : (1 << nc) - 1);
        while (rotated != 0) {
            int k = Integer.numberOfTrailingZeros(rotated);
            rotated &= rotated - 1;
            int c = k + rr;
            if (c >= nc) {
                c -= nc;
            }
            long res = moveHead(r, (first + Integer.bitCount(configured & ((1 << c) - 1))) * stride, t, usedOut);
            any |= (res & SLOT_BUSY) != 0;
            usedOut |= (int) res & 31;
            next = Math.min(next, (int) (res >>> 32));
        }
        if (any) {
            rtab[rb + 1] = rr + 1 == nc ? 0 : rr + 1;
        }
        if (next != Integer.MAX_VALUE) {
            sched(next, r << 1);
        }
    }

    private static final long NO_NEXT = (long) Integer.MAX_VALUE << 32;
    private static final long SLOT_BUSY = 1 << 5;

    /**
     * Moves the head wavelet of router r's slot block b at cycle t if it is ready, its outputs are
     * not among {@code usedOut} (taken by another colour this cycle) and every output has a credit
     * and accepts it. Returns the cycles after t at which the slot needs the router again
     * (Integer.MAX_VALUE for none) << 32 | SLOT_BUSY when the slot holds wavelets | the outputs
     * used.
     */
    private long moveHead(int r, int b, long t, int usedOut) {
        final int[] s0 = rs;
        final int stride = rsStride;
        final int dep = depth;
        final int ti = (int) t;
        int st = s0[b + RS_STATE];
        if ((st & 31) == 0) {
            return NO_NEXT;
        }
        int head = (st >>> 5) & 15;
        int readyRel = s0[b + RS_HDR + head] - ti;
        if (readyRel > 0) {
            return (long) readyRel << 32 | SLOT_BUSY;
        }
        int cur = s0[b + RS_CUR];
        int out = (cur >>> 5) & 31;
        if ((out & usedOut) != 0) {
            return 1L << 32 | SLOT_BUSY;
        }
        boolean control = (cur & (1 << (16 + head))) != 0;
        // Every output must have a credit and accept this direction (lossless multicast). A
        // PE queue armed for receive fusion always has room (see fusedConsume).
        final boolean toRamp = (out & (1 << RAMP)) != 0;
        final int links = out & 15;
        boolean fused = toRamp && !control && (s0[b + RS_AUTO] & 0xFFFF) != 0;
        boolean ok = true;
        if (toRamp && !control && !fused) {
            int qbase = s0[b + RS_RAMP] * qStride;
            if (qFree(qbase, ti) <= 0) {
                qb[qbase + Q_STATE] |= Q_ROUTER_WAITING;
                ok = false;
            }
        }
        for (int m = links; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            int b2 = s0[b + RS_NEXT + d] * stride;
            int from = (d + 2) & 3;
            int st2 = s0[b2 + RS_STATE];
            int used = st2 & 31;
            if (s0[b2 + RS_PCYC] == ti) {
                used += (st2 >>> PEND_SHIFT) & 31;
            }
            if (used >= dep || (s0[b2 + RS_CUR] & (1 << from)) == 0) {
                s0[b2 + RS_STATE] = st2 | (1 << (9 + from));
                ok = false;
            }
        }
        if (!ok) {
            creditStalls++;
            return NO_NEXT | SLOT_BUSY;
        }
        int value = storePayload ? s0[b + RS_HDR + dep + head] : 0;
        // Pop (credit visible next cycle) and wake the senders that found this buffer full.
        int nh = head + 1 == dep ? 0 : head + 1;
        int waiting = (st >>> 9) & 31;
        st = ((st & ~((15 << 5) | (31 << 9))) | (nh << 5)) - 1;
        if (s0[b + RS_PCYC] != ti) {
            s0[b + RS_PCYC] = ti;
            st = (st & ~PEND_MASK) | PEND_ONE;
        } else {
            st += PEND_ONE;
        }
        s0[b + RS_STATE] = st;
        if (waiting != 0) {
            wake(waiting, r, t);
        }
        if (toRamp) {
            if (control) {
                controlAbsorbed++;
                consumed++;
            } else if (fused && t + ramp < fuseLimit) {
                s0[b + RS_AUTO] += (1 << 16) - 1;
                rampDeliveries++;
                fusedConsume(t + ramp);
            } else {
                deliverToQueue(s0[b + RS_RAMP] * qStride, value, r, ti);
            }
        }
        for (int m = links; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            {
                int b2 = s0[b + RS_NEXT + d] * stride;
                int st2 = s0[b2 + RS_STATE];
                int slot = ((st2 >>> 5) & 15) + (st2 & 31);
                if (slot >= dep) {
                    slot -= dep;
                }
                s0[b2 + RS_HDR + slot] = ti + hop;
                if (storePayload) {
                    s0[b2 + RS_HDR + dep + slot] = value;
                }
                int cb = s0[b2 + RS_CUR];
                if (control) {
                    s0[b2 + RS_CUR] = cb | (1 << (16 + slot));
                } else if ((cb >>> 16) != 0) {
                    s0[b2 + RS_CUR] = cb & ~(1 << (16 + slot));
                }
                s0[b2 + RS_STATE] = st2 + 1;
                sched(hop, neighbourFast(r, d) << 1);
                waveletHops++;
                if (linkWavelets != null) {
                    linkWavelets[r * 4 + d]++;
                }
            }
        }
        copies += Integer.bitCount(out) - 1;
        if (control) {
            int pos = (st >>> 14) & 7;
            if (pos < ncfg(b) - 1) {
                s0[b + RS_STATE] = st + (1 << 14);
                s0[b + RS_CUR] = (s0[b + RS_CUR] & ~0x3FF) | cfg(b, pos + 1);
                // The new configuration may accept senders the old one refused.
                int w2 = (s0[b + RS_STATE] >>> 9) & 31;
                if (w2 != 0) {
                    s0[b + RS_STATE] &= ~(31 << 9);
                    wake(w2, r, t);
                }
            }
        }
        long next = NO_NEXT;
        if ((st & 31) > 0) {
            int rel = s0[b + RS_HDR + nh] - ti;
            next = (long) Math.max(1, rel) << 32;
        }
        return next | SLOT_BUSY | out;
    }

    /** Puts a wavelet into the PE queue in block qbase at cycle ti; it is ready rampLatency later. */
    private void deliverToQueue(int qbase, int value, int r, int ti) {
        int qst = qb[qbase + Q_STATE];
        int slot = ((qst >>> 5) & 15) + (qst & 31);
        if (slot >= qDepth) {
            slot -= qDepth;
        }
        qb[qbase + Q_HDR + slot] = ti + ramp;
        if (storePayload) {
            qb[qbase + Q_HDR + qDepth + slot] = value;
        }
        qb[qbase + Q_STATE] = qst + 1;
        rampDeliveries++;
        sched(ramp, (r << 1) | 1);
    }

    /**
     * Schedules handle h for {@code rel} cycles after the cycle being processed ({@link #cycle}). A
     * handle already scheduled for that cycle costs one load, and the summary is marked only for a
     * word that was empty: in a busy fabric most schedules repeat one already made (a router by
     * itself and by its upstream neighbour) or land in a word with other handles (measured, the
     * empty-word test alone: reduce-2d 64 x 64 13.5 -> 14.3 M wavelet-hops/s).
     */
    private void sched(int rel, int h) {
        if (rel < ActivityRing.SPAN) {
            int slot = ((int) cycle + rel) & (ActivityRing.SPAN - 1);
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
            ring.schedule(cycle + rel, h);
        }
    }

    /**
     * Receive fusion. A PE whose only thread waits for input on a receive into memory (a fabric
     * operation with one input queue, no output queue, one cycle per step) consumes every further
     * wavelet of that operation exactly at its ready cycle: one step per cycle keeps up with one
     * arrival per cycle, and nothing else can run on it. Such a PE arms the router slot that feeds
     * its queue (RS_AUTO: wavelets the router may account for | accounted << 16), and the router then
     * accounts each delivery but the operation's last (left to a real visit, which completes the
     * operation) as consumed at its ready cycle tc: one step, a memory write ending at
     * tc + opLatency, and PE visits at tc and tc + 1 (the second finds nothing to do), which count as
     * active cycles; the PE's position catches up at its next visit. The wavelet is not put into the
     * queue: while the PE keeps up, everything in its queue at a cycle t arrived in the last
     * rampLatency cycles, so with a queue deeper than rampLatency a fused wavelet can never have made
     * the router find the queue full, and the queue holds exactly the wavelets that are not fused.
     * Only in timing mode (functional runs compute values at the PE's visit).
     */
    private void fusedConsume(long tc) {
        consumed++;
        peSteps++;
        long end = tc + opLat;
        if (end > lastWriteEnd) {
            lastWriteEnd = end;
        }
        fusedActive |= (1L << tc) | (1L << (tc + 1));
        fusedPending = true;
    }

    /** Counts the fused consumption cycles before t as active (t itself is being processed). */
    private void countFusedCycles(long t) {
        long prev = cycle;
        long m = fusedActive;
        while (m != 0) {
            int i = Long.numberOfTrailingZeros(m);
            m &= m - 1;
            long c = prev + ((i - (int) prev) & 63);
            if (c < t) {
                activeCycles++;
                fusedActive &= ~(1L << i);
            } else if (c == t) {
                fusedActive &= ~(1L << i);
            }
        }
    }

    /**
     * At the end of a run: counts the remaining fused consumption cycles as active, the last of them
     * as the last active cycle, and brings the PEs' positions up to date.
     */
    private void flushFusion() {
        if (!fusedPending) {
            return;
        }
        long prev = cycle;
        long m = fusedActive;
        while (m != 0) {
            int i = Long.numberOfTrailingZeros(m);
            m &= m - 1;
            long c = prev + ((i - (int) prev) & 63);
            activeCycles++;
            if (c > lastActiveCycle) {
                lastActiveCycle = c;
            }
        }
        fusedActive = 0;
        cycle = Math.max(cycle, lastActiveCycle);
        for (int q = 0; q < queues; q++) {
            int qbase = q * qStride;
            int sb = qb[qbase + Q_SLOT] * rsStride;
            int done = rs[sb + RS_AUTO] >>> 16;
            rs[sb + RS_AUTO] = 0;
            if (done != 0) {
                int base = qb[qbase + Q_PE] * peStride;
                Role role = roleArr[pb[base + P_ROLE]];
                int tb = base + threadBase(0);
                pb[tb + TH_POS] += done * role.elemsPerStep[pb[tb + TH_OP]];
            }
        }
        fusedPending = false;
    }

    /** Wakes, at t + 1, the senders in directions {@code waiting} of router r (bit 4: its PE). */
    private void wake(int waiting, int r, long t) {
        for (int m = waiting; m != 0; m &= m - 1) {
            int d = Integer.numberOfTrailingZeros(m);
            if (d == RAMP) {
                sched(1, (r << 1) | 1);
            } else {
                sched(1, neighbourFast(r, d) << 1);
            }
        }
    }

    private int neighbourFast(int r, int d) {
        switch (d) {
            case N:
                return r - width;
            case E:
                return r + 1;
            case S:
                return r + width;
            default:
                return r - 1;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Processing elements

    private int state(int tb) {
        return pb[tb + TH_SM] & 0xFF;
    }

    private void processPe(int r, int pe, int base, long t) {
        final Role role = roleArr[pb[base + P_ROLE]];
        final int nt = role.threadsUsed;
        final int ti = (int) t;
        final int tb0 = base + th0;
        if (nt == 1 && (pb[tb0 + TH_SM] & 0xFF) == READY && !storePayload) {
            final int[] info = role.info;
            final int ib = pb[tb0 + TH_OP] * Role.OPI;
            if ((info[ib + Role.I_FLAGS] & Role.F_STREAM) != 0) {
                streamStep(r, base, tb0, info, ib, t);
                return;
            }
        }
        if (nt == 1 && (pb[tb0 + TH_SM] & 0xFF) == READY && role.kind[pb[tb0 + TH_OP]] == Role.K_FABRIC) {
            // Fast path: a single-threaded PE streaming a fabric operation (the common case in
            // collectives). Same outcome as the general path below.
            completedThisVisit = false;
            if (fabricStep(pe, base, 0, tb0, role, pb[tb0 + TH_OP], t) == BLOCKED) {
                return; // the arrival or the credit wakes it
            }
            int sm = pb[tb0 + TH_SM] & 0xFF;
            if (sm == BUSY) {
                sched(Math.max(1, pb[tb0 + TH_END] - ti), (r << 1) | 1);
            } else {
                sched(1, (r << 1) | 1);
            }
            return;
        }
        boolean wakeNext = false;
        completedThisVisit = false;
        // Timed transitions: finished memory operations, activations and multi-cycle steps.
        for (int th = 0; th < nt; th++) {
            int tb = tb0 + th * threadStride;
            int sm = pb[tb + TH_SM];
            if ((sm & 0xFF) == BUSY && pb[tb + TH_END] - ti <= 0) {
                if ((sm & 0xFF00) == MODE_BULK) {
                    completeOp(pe, base, th, role, t);
                } else {
                    pb[tb + TH_SM] = READY;
                }
            }
        }
        if (state(tb0) == IDLE) {
            pickTask(pe, base, role, t);
        }
        boolean issued = false;
        final boolean shared = datapathShared;
        int start = pb[base + P_RR];
        for (int k = 0; k < nt; k++) {
            int th = start + k;
            if (th >= nt) {
                th -= nt;
            }
            int tb = tb0 + th * threadStride;
            if (state(tb) != READY) {
                continue;
            }
            if (issued && (shared || th == 0)) {
                wakeNext = true;
                continue;
            }
            if (tryIssue(pe, base, th, tb, role, t) == ISSUED) {
                issued = true;
                pb[base + P_RR] = th + 1 >= nt ? 0 : th + 1;
                if (state(tb) == READY) {
                    wakeNext = true;
                }
            }
        }
        if (completedThisVisit || (state(tb0) == IDLE && runnableTask(pe, base, role, t) >= 0)) {
            // An operation finished: a blocked issuer or a newly activated task may go next cycle.
            wakeNext = true;
        }
        long next = wakeNext ? t + 1 : Long.MAX_VALUE;
        for (int th = 0; th < nt; th++) {
            int tb = tb0 + th * threadStride;
            if (state(tb) == BUSY) {
                long end = t + Math.max(1, pb[tb + TH_END] - ti);
                if (end < next) {
                    next = end;
                }
            }
        }
        if (next != Long.MAX_VALUE) {
            sched((int) (next - t), (r << 1) | 1);
        }
    }

    /**
     * Fast path of a single-threaded PE in timing mode whose main thread streams one input queue to
     * one output queue (the chain stages of reductions): {@link #fabricStep} and the fast path of
     * {@link #processPe} specialised, same outcome (measured with the router's output split of the
     * same commit: reduce-2d 512 x 512 simulate 4.90 s -> 4.53 s, bench median of 3).
     */
    private void streamStep(int r, int base, int tb0, int[] info, int ib, long t) {
        final int ti = (int) t;
        final int[] pbl = pb;
        final int[] qbl = qb;
        final int[] s0 = rs;
        int qbase = pbl[base + pIn + 2 * info[ib + Role.I_IN0]] * qStride;
        int qst = qbl[qbase + Q_STATE];
        if ((qst & 31) == 0 || qbl[qbase + Q_HDR + ((qst >>> 5) & 15)] - ti > 0) {
            return; // the router schedules this PE when the wavelet is ready
        }
        int b = pbl[base + pOut + 2 * info[ib + Role.I_OUT]] * rsStride;
        int st = s0[b + RS_STATE];
        int used = st & 31;
        if (s0[b + RS_PCYC] == ti) {
            used += (st >>> PEND_SHIFT) & 31;
        }
        if (used >= depth || (s0[b + RS_CUR] & (1 << RAMP)) == 0) {
            s0[b + RS_STATE] = st | (1 << (9 + RAMP));
            return; // the pop that frees a place wakes it
        }
        qPop(qbase, ti);
        inject(b, 0, t, false);
        peSteps++;
        if (datapathShared && pbl[base + P_BULKEND] - ti > 0 && pbl[base + P_BULKOWNER] != 0) {
            pbl[base + P_BULKEND]++;
            pbl[base + threadBase(pbl[base + P_BULKOWNER]) + TH_END]++;
        }
        int pos = pbl[tb0 + TH_POS];
        int len = info[ib + Role.I_LEN];
        pos += Math.min(info[ib + Role.I_E], len - pos);
        pbl[tb0 + TH_POS] = pos;
        if (pos >= len) {
            completeOp(peOf[r], base, 0, roleArr[pbl[base + P_ROLE]], t);
        }
        sched(1, (r << 1) | 1);
    }

    /** The id of the task the main thread would pick now, or -1. */
    private int runnableTask(int pe, int base, Role role, long t) {
        int blocked = pb[base + P_BLOCKED];
        int cand = pb[base + P_ACTIVE] & ~blocked;
        int data = role.dataTaskMask & ~blocked;
        int ti = (int) t;
        while (data != 0) {
            int id = Integer.numberOfTrailingZeros(data);
            data &= data - 1;
            int qid = role.taskQueue[id];
            if ((pb[base + P_QBUSY] & (1 << qid)) == 0 && qHeadReady(pb[base + pIn + 2 * qid] * qStride, ti)) {
                cand |= 1 << id;
            }
        }
        return cand == 0 ? -1 : Integer.numberOfTrailingZeros(cand);
    }

    private void pickTask(int pe, int base, Role role, long t) {
        int id = runnableTask(pe, base, role, t);
        if (id < 0) {
            return;
        }
        int tb = base + threadBase(0);
        if ((role.dataTaskMask & (1 << id)) != 0) {
            pb[base + P_WAVELET] = qPop(pb[base + pIn + 2 * role.taskQueue[id]] * qStride, (int) t);
            peInvocations[pe * Program.MAX_TASKS + id]++;
        } else {
            pb[base + P_ACTIVE] &= ~(1 << id);
        }
        pb[base + P_TASK] = id;
        pb[tb + TH_OP] = role.entry[id];
        pb[tb + TH_POS] = 0;
        int act = p.taskActivationCycles();
        if (act > 0) {
            pb[tb + TH_SM] = BUSY | MODE_WAIT;
            pb[tb + TH_END] = (int) (t + act);
        } else {
            pb[tb + TH_SM] = READY;
        }
    }

    private int tryIssue(int pe, int base, int th, int tb, Role role, long t) {
        final int op = pb[tb + TH_OP];
        switch (role.kind[op]) {
            case Role.K_ACTIVATE -> {
                pb[base + P_ACTIVE] |= 1 << role.target[op];
                advanceMain(base, role);
                return ISSUED;
            }
            case Role.K_BLOCK -> {
                pb[base + P_BLOCKED] |= 1 << role.target[op];
                advanceMain(base, role);
                return ISSUED;
            }
            case Role.K_UNBLOCK -> {
                pb[base + P_BLOCKED] &= ~(1 << role.target[op]);
                advanceMain(base, role);
                return ISSUED;
            }
            case Role.K_CONTROL -> {
                int b = outSlot(base, role, role.outQ[op]) * rsStride;
                if (!canInject(b, (int) t)) {
                    rs[b + RS_STATE] |= 1 << (9 + RAMP);
                    return BLOCKED;
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
            int tj = base + threadBase(mt);
            if (state(tj) != IDLE) {
                return BLOCKED; // woken when the microthread completes
            }
            pb[tj + TH_OP] = op;
            pb[tj + TH_POS] = 0;
            if (role.inQ0[op] >= 0) {
                pb[base + P_QBUSY] |= 1 << role.inQ0[op];
            }
            if (role.inQ1[op] >= 0) {
                pb[base + P_QBUSY] |= 1 << role.inQ1[op];
            }
            pb[tj + TH_SM] = BUSY | MODE_WAIT;
            pb[tj + TH_END] = (int) (t + 1); // steps from the next cycle
            advanceMain(base, role);
            return ISSUED;
        }
        if (role.kind[op] == Role.K_BULK) {
            int ti = (int) t;
            int bulkEnd = pb[base + P_BULKEND];
            long begin = bulkEnd - ti > 0 ? t + (bulkEnd - ti) : t;
            long dur = role.bulkCycles[op];
            pb[base + P_BULKEND] = (int) (begin + dur);
            pb[base + P_BULKOWNER] = th;
            pb[tb + TH_SM] = BUSY | MODE_BULK;
            pb[tb + TH_END] = (int) (begin + dur - 1 + opLat);
            if (mem != null) {
                computeBulk(pe, base, role, op);
            }
            return ISSUED;
        }
        return fabricStep(pe, base, th, tb, role, op, t);
    }

    private int outSlot(int base, Role role, int outQueue) {
        return pb[base + pOut + 2 * outQueue];
    }

    private int fabricStep(int pe, int base, int th, int tb, Role role, int op, long t) {
        final int ti = (int) t;
        final int[] info = role.info;
        final int ib = op * Role.OPI;
        final int[] pbl = pb;
        final int[] qbl = qb;
        final int flags = info[ib + Role.I_FLAGS];
        int q0 = info[ib + Role.I_IN0];
        int qb0 = -1;
        int qb1 = -1;
        if (q0 >= 0) {
            qb0 = pbl[base + pIn + 2 * q0] * qStride;
            boolean fusable = (flags & Role.F_FUSABLE) != 0 && fusionPossible;
            if (fusable) {
                // Wavelets fused by the router advance the position (see fusedConsume).
                int sb = qbl[qb0 + Q_SLOT] * rsStride;
                int done = rs[sb + RS_AUTO] >>> 16;
                if (done != 0) {
                    pbl[tb + TH_POS] += done * info[ib + Role.I_E];
                    rs[sb + RS_AUTO] &= 0xFFFF;
                }
            }
            int st0 = qbl[qb0 + Q_STATE];
            if ((st0 & 31) == 0 || qbl[qb0 + Q_HDR + ((st0 >>> 5) & 15)] - ti > 0) {
                if (fusable && observer == null) {
                    arm(qb0, role, op, pbl[tb + TH_POS]);
                }
                return BLOCKED; // the router schedules this PE when the wavelet is ready
            }
            int q1 = info[ib + Role.I_IN1];
            if (q1 >= 0) {
                qb1 = pbl[base + pIn + 2 * q1] * qStride;
                if (!qHeadReady(qb1, ti)) {
                    return BLOCKED;
                }
            }
        }
        int oq = info[ib + Role.I_OUT];
        int b = -1;
        if (oq >= 0) {
            b = pbl[base + pOut + 2 * oq] * rsStride;
            if (!canInject(b, ti)) {
                rs[b + RS_STATE] |= 1 << (9 + RAMP);
                return BLOCKED;
            }
        }
        int pos = pbl[tb + TH_POS];
        int len = info[ib + Role.I_LEN];
        int e = Math.min(info[ib + Role.I_E], len - pos);
        int in0 = 0;
        int in1 = 0;
        if (qb0 >= 0) {
            in0 = qPop(qb0, ti);
            if (qb1 >= 0) {
                in1 = qPop(qb1, ti);
            }
        }
        int outValue = 0;
        if (mem != null) {
            outValue = computeStep(pe, base, role, op, pos, e, in0, in1);
        }
        if (b >= 0) {
            inject(b, outValue, t, false);
        }
        if ((flags & Role.F_WRITES_MEMORY) != 0) {
            long end = t + opLat;
            if (end > lastWriteEnd) {
                lastWriteEnd = end;
            }
        }
        peSteps++;
        if (datapathShared && pbl[base + P_BULKEND] - ti > 0 && pbl[base + P_BULKOWNER] != th) {
            // This step took a cycle from the memory-only operation in progress.
            pbl[base + P_BULKEND]++;
            pbl[base + threadBase(pbl[base + P_BULKOWNER]) + TH_END]++;
        }
        pos += e;
        pbl[tb + TH_POS] = pos;
        if (pos >= len) {
            completeOp(pe, base, th, role, t);
        } else if (info[ib + Role.I_CPS] > 1) {
            pbl[tb + TH_SM] = BUSY | MODE_WAIT;
            pbl[tb + TH_END] = ti + info[ib + Role.I_CPS];
        }
        return ISSUED;
    }

    /**
     * Arms receive fusion (see fusedConsume) for the queue in block qbase: the PE waits for input on
     * a fusable operation at element pos (counting the wavelets fused so far). The router may account
     * for every further wavelet of the operation but the last; those already in the queue are
     * consumed by the PE's own visits.
     */
    private void arm(int qbase, Role role, int op, int pos) {
        int e = role.elemsPerStep[op];
        int remaining = (role.len[op] - pos + e - 1) / e;
        int left = Math.min(0xFFFF, Math.max(0, remaining - (qb[qbase + Q_STATE] & 31) - 1));
        int sb = qb[qbase + Q_SLOT] * rsStride;
        rs[sb + RS_AUTO] = (rs[sb + RS_AUTO] & ~0xFFFF) | left;
    }

    /** True when router slot block b has a credit and its current configuration receives from the ramp. */
    private boolean canInject(int b, int ti) {
        return rsFree(b, ti) > 0 && (curCfg(b) & (1 << RAMP)) != 0;
    }

    /** Puts a wavelet produced at cycle t onto the ramp towards router slot block b. */
    private void inject(int b, int value, long t, boolean control) {
        long ready = t + opLat + ramp;
        rsPush(b, value, (int) ready, control);
        sched(opLat + ramp, (rs[b + RS_ID] >>> 5) << 1);
        injected++;
        if (t < firstInjection) {
            firstInjection = t;
        }
    }

    /** Finishes thread th's operation. */
    private void completeOp(int pe, int base, int th, Role role, long t) {
        int tb = base + threadBase(th);
        int op = pb[tb + TH_OP];
        int tg = role.tag[op];
        if (tg >= 0) {
            // Bulk operations complete at their end cycle (t here); fabric steps write opLat later.
            long end = role.kind[op] == Role.K_BULK ? t : t + opLat;
            if (end > tagEnd[tg]) {
                tagEnd[tg] = end;
            }
        }
        if (role.kind[op] == Role.K_BULK && role.writesMemory[op]) {
            long end = t + Math.max(0, pb[tb + TH_END] - (int) t);
            if (end > lastWriteEnd) {
                lastWriteEnd = end;
            }
        }
        completedThisVisit = true;
        if (th == 0) {
            advanceMain(base, role);
            return;
        }
        // A microthread's claim on its input queues ends (data tasks may use them again). The main
        // thread needs no claim: no data task runs while it is busy.
        if (role.inQ0[op] >= 0) {
            pb[base + P_QBUSY] &= ~(1 << role.inQ0[op]);
        }
        if (role.inQ1[op] >= 0) {
            pb[base + P_QBUSY] &= ~(1 << role.inQ1[op]);
        }
        pb[tb + TH_SM] = IDLE;
        pb[tb + TH_OP] = -1;
        if (role.onComplete[op] >= 0) {
            pb[base + P_ACTIVE] |= 1 << role.onComplete[op];
        }
    }

    private void advanceMain(int base, Role role) {
        int tb = base + threadBase(0);
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

    // ---------------------------------------------------------------------------------------------
    // Functional values

    private int invocation(int pe, int base) {
        return peInvocations == null ? 0
                : Math.max(0, peInvocations[pe * Program.MAX_TASKS + pb[base + P_TASK]] - 1);
    }

    private float source(int pe, int base, Op o, int which, int elem, int j, int payload) {
        Operand src = o.source(which);
        DType type = o.type();
        switch (src.kind()) {
            case MEM: {
                int bytes = (which == 0 && type == DType.MIXED) ? 4 : type.sourceBytes();
                int idx = src.advance() * invocation(pe, base) + elem * src.stride();
                return loadElem(pe, src.address() + idx * bytes, bytes);
            }
            case FABRIC_IN:
                return unpack(payload, j, type);
            case WAVELET:
                return unpack(pb[base + P_WAVELET], j, type);
            case SCALAR:
                return src.scalar();
            default:
                throw new IllegalStateException();
        }
    }

    private static float unpack(int payload, int j, DType type) {
        if (type.sourceBytes() == 4) {
            return Float.intBitsToFloat(payload);
        }
        return Half.toFloat((payload >>> (16 * j)) & 0xFFFF);
    }

    private static float apply(Op o, float a, float b, float c) {
        return switch (o.code()) {
            case MOV -> a;
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case FMA -> a + b * c;
            case MAX -> Math.max(a, b);
            case EXP -> (float) Math.exp(a);
            case RSQRT -> (float) (1.0 / Math.sqrt(a));
            case RECIP -> 1.0f / a;
            case SILU -> (float) (a / (1.0 + Math.exp(-a)));
        };
    }

    private int computeStep(int pe, int base, Role role, int op, int pos, int e, int in0, int in1) {
        Op o = role.ops[op];
        int sources = o.code().sources();
        int out = 0;
        for (int j = 0; j < e; j++) {
            int elem = pos + j;
            float a = source(pe, base, o, 0, elem, j, payloadFor(o, 0, in0, in1, role, op));
            float b = sources > 1 ? source(pe, base, o, 1, elem, j, payloadFor(o, 1, in0, in1, role, op)) : 0;
            float c = sources > 2 ? source(pe, base, o, 2, elem, j, payloadFor(o, 2, in0, in1, role, op)) : 0;
            float v = apply(o, a, b, c);
            if (o.dst().kind() == Operand.Kind.FABRIC_OUT) {
                if (o.type().destBytes() == 4) {
                    out = Float.floatToRawIntBits(v);
                } else {
                    out |= (Half.fromFloat(v) & 0xFFFF) << (16 * j);
                }
            } else {
                storeDst(pe, base, o, elem, v);
            }
        }
        return out;
    }

    private static int payloadFor(Op o, int which, int in0, int in1, Role role, int op) {
        Operand src = o.source(which);
        if (src.kind() != Operand.Kind.FABRIC_IN) {
            return 0;
        }
        return src.queue() == role.inQ0[op] ? in0 : in1;
    }

    private void storeDst(int pe, int base, Op o, int elem, float v) {
        Operand d = o.dst();
        int bytes = o.type().destBytes();
        int idx = d.advance() * invocation(pe, base) + elem * d.stride();
        storeElem(pe, d.address() + idx * bytes, bytes, v);
    }

    private void computeBulk(int pe, int base, Role role, int op) {
        Op o = role.ops[op];
        int sources = o.code().sources();
        for (int elem = 0; elem < o.length(); elem++) {
            float a = source(pe, base, o, 0, elem, elem & 1, 0);
            float b = sources > 1 ? source(pe, base, o, 1, elem, elem & 1, 0) : 0;
            float c = sources > 2 ? source(pe, base, o, 2, elem, elem & 1, 0) : 0;
            storeDst(pe, base, o, elem, apply(o, a, b, c));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Results, statistics and the watchdog

    /** Wavelet moves between neighbouring routers (link traversals). */
    public long waveletHops() {
        return waveletHops;
    }

    /** Wavelets delivered from routers to PEs. */
    public long rampDeliveries() {
        return rampDeliveries;
    }

    /** Wavelets put on the fabric by PEs (data and control). */
    public long injected() {
        return injected;
    }

    /** Extra copies made by multicast routes (a wavelet sent to k outputs makes k - 1). */
    public long multicastCopies() {
        return copies;
    }

    /** Wavelets taken off the fabric by PEs, plus control wavelets absorbed at their last router. */
    public long consumed() {
        return consumed;
    }

    /** Control wavelets that ended at a ramp. */
    public long controlAbsorbed() {
        return controlAbsorbed;
    }

    /** Router-colour-cycles in which a wavelet could not move for lack of a credit or acceptance. */
    public long creditStalls() {
        return creditStalls;
    }

    /** Vector steps on fabric operands executed by PEs. */
    public long peFabricSteps() {
        return peSteps;
    }

    /**
     * The last cycle (exclusive end) in which an instruction tagged {@code tag} completed, or 0 if
     * none did (see {@link Op#tagged}).
     */
    public long tagEndCycle(int tag) {
        return tagEnd[tag];
    }

    /** Router visits by the scheduler (a router is visited in a cycle where it may move a wavelet). */
    public long routerVisits() {
        return routerVisits;
    }

    /** PE visits by the scheduler. */
    public long peVisits() {
        return peVisits;
    }

    /** Wavelets currently in router buffers and PE input queues (arrived or in flight). */
    public long heldWavelets() {
        long held = 0;
        for (int s = 0; s < slots; s++) {
            held += rs[s * rsStride + RS_STATE] & 31;
        }
        for (int q = 0; q < queues; q++) {
            held += qb[q * qStride + Q_STATE] & 31;
        }
        return held;
    }

    /** The cycle of the first vector step that put a wavelet on the fabric ({@code Long.MAX_VALUE} if none). */
    public long firstInjectionCycle() {
        return firstInjection;
    }

    /** The end (exclusive) of the last cycle in which a result was written to SRAM. */
    public long lastWriteEndCycle() {
        return lastWriteEnd;
    }

    /** The last cycle in which anything happened. */
    public long lastActiveCycle() {
        return lastActiveCycle;
    }

    /** Cycles in which anything happened. */
    public long activeCycles() {
        return activeCycles;
    }

    /**
     * Wavelets that crossed the link leaving PE (x, y)'s router in direction d (N, E, S, W), when
     * the fabric tracks links; otherwise 0.
     */
    public long linkWavelets(int x, int y, int d) {
        return linkWavelets == null ? 0 : linkWavelets[router(x, y) * 4 + d];
    }

    /**
     * Checks conservation: every wavelet injected, and every multicast copy, is either held in a
     * buffer or consumed exactly once.
     *
     * @throws IllegalStateException when a wavelet was lost or duplicated
     */
    public void checkConservation() {
        long held = heldWavelets();
        if (injected + copies != consumed + held) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "conservation violated at cycle %d: injected %d + copies %d != consumed %d + held %d",
                    cycle, injected, copies, consumed, held));
        }
    }

    @Override
    public String name() {
        return "fabric";
    }

    @Override
    public boolean hasPendingWork() {
        if (!prepared) {
            return false;
        }
        if (heldWavelets() > 0) {
            return true;
        }
        for (int pe = 0; pe < peCount; pe++) {
            int base = pe * peStride;
            if ((pb[base + P_ACTIVE] & ~pb[base + P_BLOCKED]) != 0) {
                return true;
            }
            for (int th = 0; th < peThreads; th++) {
                if (state(base + threadBase(th)) != IDLE) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String describePending() {
        return describeStalls(12);
    }

    private String describeStalls(int limit) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        int more = 0;
        for (int s = 0; s < slots; s++) {
            int b = s * rsStride;
            int count = rs[b + RS_STATE] & 31;
            if (count == 0) {
                continue;
            }
            if (shown >= limit) {
                more++;
                continue;
            }
            shown++;
            int r = rs[b + RS_ID] >>> 5;
            int c = rs[b + RS_ID] & 31;
            int out = curCfg(b) >>> 5;
            sb.append("\n  router of ").append(pe(r)).append(", colour ").append(c).append(": ")
                    .append(count).append(" wavelet(s) held; head waits for");
            for (int m = out; m != 0; m &= m - 1) {
                int d = Integer.numberOfTrailingZeros(m);
                if (d == RAMP) {
                    sb.append(" a place in the PE's input queue");
                } else {
                    sb.append(" a credit from ").append(pe(neighbour(r, d))).append(" (").append(DIR_NAMES[d])
                            .append(')');
                }
            }
        }
        for (int pe = 0; pe < peCount; pe++) {
            int base = pe * peStride;
            Role role = roleArr[pb[base + P_ROLE]];
            for (int th = 0; th < role.threadsUsed; th++) {
                int tb = base + threadBase(th);
                int op = pb[tb + TH_OP];
                if (state(tb) == IDLE || op < 0) {
                    continue;
                }
                if (shown >= limit) {
                    more++;
                    continue;
                }
                shown++;
                sb.append("\n  ").append(pe(pb[base + P_ROUTER])).append(" [").append(role.program.name()).append("] ")
                        .append(th == 0 ? "main thread" : "microthread " + th).append(": ");
                if (role.inQ0[op] >= 0) {
                    int q = role.inQ0[op];
                    int pos = pb[tb + TH_POS];
                    if (role.fusable[op]) {
                        // Wavelets fused since the PE's last visit (see fusedConsume).
                        int sb0 = qb[pb[base + pIn + 2 * q] * qStride + Q_SLOT] * rsStride;
                        pos += (rs[sb0 + RS_AUTO] >>> 16) * role.elemsPerStep[op];
                    }
                    sb.append(String.format(Locale.ROOT, "%s of %d elements at element %d waits for input queue %d"
                                    + " (colour %d)", role.ops[op].code(), role.len[op], pos, q,
                            role.program.inputColours()[q]));
                } else if (role.outQ[op] >= 0) {
                    int q = role.outQ[op];
                    sb.append(String.format(Locale.ROOT, "waits for a credit to send on colour %d",
                            role.program.outputColours()[q]));
                } else {
                    sb.append("busy");
                }
            }
        }
        if (more > 0) {
            sb.append("\n  ... and ").append(more).append(" more");
        }
        if (shown == 0) {
            sb.append("\n  (tasks activated but never run)");
        }
        return sb.toString();
    }
}
