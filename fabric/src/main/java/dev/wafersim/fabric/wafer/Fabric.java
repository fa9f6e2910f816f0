package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.ActivityRing;
import dev.wafersim.core.event.ProgressMonitor;
import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.memory.sram.SramBankModel;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A cycle-level model of a wafer-scale engine's fabric: a 2D mesh of routers, one per processing
 * element (PE), moving 32-bit wavelets on colours, and the PEs that send, receive and compute.
 * Configure it (routes with {@link #setRoute}, programs with {@link #load}), optionally
 * {@link #prepare} and write memory, then {@link #run}; read the results from the accessors.
 *
 * <h2>Where the model lives</h2>
 * This class is the entry point and the cycle loop; each part of the model is its own class, with
 * the model, units and contracts in its Javadoc and its algorithm in a block comment:
 * <ul>
 *   <li>{@link RouterSlots}: router state (per colour an input buffer and a route of up to
 *       {@code fabric.routeConfigsPerColour} configurations), its layout, and the rules for routes;
 *   <li>{@link Routers}: what a router does in a cycle (moves, credits, multicast, round robin);
 *   <li>{@link PeQueues}: the PE input queues the ramp fills;
 *   <li>{@link PeEngine}: the PEs' tasks, threads and datapath; {@link Role}: a program compiled
 *       for the hardware parameters, with the timing of every instruction;
 *   <li>{@link ReceiveFusion}: receivers accounted by their router instead of visited per wavelet;
 *   <li>{@link StreamFastForward}: undisturbed streams accounted in one piece when their source
 *       starts; {@link VirtualActivity}: the active cycles of the visits those two replace;
 *   <li>{@link FunctionalValues}: the values computed in functional mode;
 *   <li>{@link StallReport}: what a deadlocked or over-budget run waits for;
 *   <li>{@link FabricStats}: the counters; {@link FabricClock}: the cycle and the activity ring.
 * </ul>
 *
 * <h2>Simulation</h2>
 * Only active parts cost time: routers and PEs are int handles (2r for router r, 2r + 1 for its PE)
 * in an {@link ActivityRing} and are visited only in cycles where something can happen to them, in
 * ascending handle order (deterministic); a sender refused for lack of credit is woken by the pop
 * that frees one, and a PE waiting for input by the wavelet's arrival. All state lives in primitive
 * arrays of blocks indexed by router slot, PE queue or PE, numbered in grid order. Within a cycle
 * what one part does (moves, pops, credits) is visible to others only from the next cycle, so the
 * visiting order cannot change a result. When nothing is scheduled but wavelets or operations are
 * still pending, the run fails with a message naming the stalled routers, colours and PEs (a
 * deadlock). Cycle conventions follow the model of Luczynski et al., "Near-Optimal Wafer-Scale
 * Reduce", HPDC 2024: chain reduce of B wavelets over P PEs takes B + (2 T_R + 2)(P - 1) cycles and
 * a flooding row broadcast B + P + 2 T_R.
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

    /** Options of a fabric simulation. */
    public record Options(boolean functional, boolean trackLinks) {
        /** Timing only, no per-link counters. */
        public static final Options TIMING = new Options(false, false);
        /** Values computed and stored (for checking programs), per-link counters on. */
        public static final Options FUNCTIONAL = new Options(true, true);
    }

    private final WseParams p;
    private final Options opts;
    private final Grid grid;
    private final FabricClock clock;
    private final FabricStats stats;
    private final RouterSlots slots;
    private final PeEngine pes;
    private final VirtualActivity activity;
    private final ReceiveFusion fusion;
    private StreamFastForward fastForward;
    private boolean fastForwardOn = true;
    private Routers routers;
    private FunctionalValues values;
    private StallReport report;
    private boolean prepared;
    private LongConsumer observer;

    /**
     * An empty fabric of the grid in {@code params}; configure routes, load programs, then run.
     *
     * @throws ConfigException when a parameter is outside what the model supports (naming the key,
     *                         the value and the allowed range)
     */
    public Fabric(WseParams params, Options options) {
        this.p = params;
        this.opts = options;
        if (params.rampLatencyCycles() < 1) {
            throw new ConfigException(WseParams.RAMP_LATENCY + "=" + params.rampLatencyCycles()
                    + " is not allowed; expected at least 1 cycle (a transfer between router and PE takes time)");
        }
        checkLimit(WseParams.COLOURS, params.colours(), WseParams.MAX_COLOURS, "colours");
        checkLimit(WseParams.ROUTE_CONFIGS, params.routeConfigsPerColour(), WseParams.MAX_ROUTE_CONFIGS, "configs");
        checkLimit(WseParams.ROUTER_BUFFER, params.routerBufferDepthWavelets(), WseParams.MAX_BUFFER_DEPTH_WAVELETS,
                "wavelets");
        checkLimit(WseParams.INPUT_QUEUE_DEPTH, params.peInputQueueDepthWavelets(),
                WseParams.MAX_BUFFER_DEPTH_WAVELETS, "wavelets");
        if (options.functional() && params.waveletPayloadBits() != 32) {
            throw new ConfigException("functional simulation (computing values) needs 32-bit wavelets; "
                    + WseParams.PAYLOAD_BITS + "=" + params.waveletPayloadBits() + " runs in timing mode only");
        }
        this.grid = new Grid(params.gridWidthPes(), params.gridHeightPes());
        this.clock = new FabricClock(grid.routers);
        this.stats = new FabricStats(grid.routers, options.trackLinks(), params.opLatencyCycles());
        this.slots = new RouterSlots(grid, params, options.functional());
        this.activity = new VirtualActivity(stats, clock);
        this.fusion = new ReceiveFusion(params, options.functional(), stats, clock, activity);
        this.pes = new PeEngine(grid, params, new SramBankModel(params.sram()), options.functional(), clock, stats,
                fusion);
    }

    private static void checkLimit(String key, int value, int max, String unit) {
        if (value < 1 || value > max) {
            throw new ConfigException(key + "=" + value + " is not allowed; expected an integer in [1, " + max + "] ("
                    + unit + ")");
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
        return grid.width;
    }

    /** Grid height in PEs. */
    public int height() {
        return grid.height;
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
        return Grid.DIR_NAMES[d];
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
        slots.addRoute(grid.router(x, y), colour, inMasks, outMasks);
    }

    /**
     * One route configuration: receives from the directions in {@code inMask}, sends to those in
     * {@code outMask} (see {@link #setRoute(int, int, int, int[], int[])}); allocates nothing per route.
     */
    public void setRoute(int x, int y, int colour, int inMask, int outMask) {
        checkOpen();
        slots.addRoute(grid.router(x, y), colour, inMask, outMask);
    }

    /**
     * True when the router of PE (x, y) has a route for {@code colour} (false for a colour the
     * fabric does not have).
     */
    public boolean hasRoute(int x, int y, int colour) {
        return colour >= 0 && colour < p.colours() && slots.routes(grid.router(x, y), colour);
    }

    /**
     * True when the route of {@code colour} at PE (x, y), which {@link #hasRoute} must report, has
     * exactly the configurations {@code inMasks[k]}, {@code outMasks[k]} (same count, same order).
     */
    public boolean sameRoute(int x, int y, int colour, int[] inMasks, int[] outMasks) {
        return slots.sameRoute(grid.router(x, y), colour, inMasks, outMasks);
    }

    /** {@link #sameRoute(int, int, int, int[], int[])} for a route of one configuration; allocates nothing. */
    public boolean sameRoute(int x, int y, int colour, int inMask, int outMask) {
        return slots.sameRoute(grid.router(x, y), colour, inMask, outMask);
    }

    /**
     * Loads {@code program} on PE (x, y). Programs are compiled once and shared by every PE that
     * loads the same instance.
     */
    public void load(int x, int y, Program program) {
        checkOpen();
        pes.load(grid.router(x, y), program);
    }

    /** Number of PEs with a program. */
    public int loadedPes() {
        return pes.count;
    }

    /** Number of router colour slots configured. */
    public int configuredRoutes() {
        return slots.count;
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
        slots.renumber();
        values = opts.functional() ? new FunctionalValues(pes.count, p) : null;
        pes.prepare(slots, values);
        slots.link(pes);
        fusion.bind(slots);
        routers = new Routers(grid, slots, pes.queues, p, clock, stats, fusion);
        report = new StallReport(grid, slots, pes, fusion);
        if (StreamFastForward.possible(p, opts.functional())) {
            fastForward = new StreamFastForward(grid, slots, pes, p, stats, clock, activity, fusion);
        }
        pes.fastForward = fastForwardOn ? fastForward : null;
        prepared = true;
        if (observer != null) {
            pes.observed = true;
        }
        pes.scheduleAll();
    }

    // ---------------------------------------------------------------------------------------------
    // Functional memory

    /** Writes values into PE (x, y)'s SRAM at byte {@code address} (functional mode). */
    public void writeMemory(int x, int y, int address, float[] values, DType type) {
        int pe = requirePe(x, y);
        requireFunctional();
        int bytes = type.destBytes();
        for (int i = 0; i < values.length; i++) {
            this.values.store(pe, address + i * bytes, bytes, values[i]);
        }
    }

    /** Reads {@code n} values of PE (x, y)'s SRAM at byte {@code address} (functional mode). */
    public float[] readMemory(int x, int y, int address, int n, DType type) {
        int pe = requirePe(x, y);
        requireFunctional();
        int bytes = type.destBytes();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = values.load(pe, address + i * bytes, bytes);
        }
        return v;
    }

    private int requirePe(int x, int y) {
        int r = grid.router(x, y);
        if (pes.peOf[r] < 0) {
            throw new IllegalArgumentException(grid.pe(r) + " runs no program");
        }
        if (!prepared) {
            prepare();
        }
        return pes.peOf[r];
    }

    private void requireFunctional() {
        if (values == null) {
            throw new IllegalStateException("memory values exist only in functional mode");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Running

    /**
     * Turns stream fast-forward on (the default) or off. With it, a stream that flows from its
     * source to its receivers at one wavelet per cycle with nothing else on its way is accounted in
     * one piece instead of visit by visit (see the package's performance notes); the results are the
     * same either way, cycle for cycle, which tests hold it to. Takes effect for streams that start
     * after the call.
     */
    public void setFastForward(boolean on) {
        fastForwardOn = on;
        if (prepared) {
            pes.fastForward = on ? fastForward : null;
        }
    }

    /** Calls {@code afterEachCycle} with the cycle number after every simulated cycle (tests). */
    public void setCycleObserver(LongConsumer afterEachCycle) {
        this.observer = afterEachCycle;
        pes.observed = afterEachCycle != null;
        if (afterEachCycle != null && prepared) {
            // Observed runs visit every PE itself: no new receive fusion from here on.
            pes.disarmFusion(fusion);
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
        fusion.limit = maxCycles;
        while (true) {
            long t = clock.ring.advance();
            if (t == Long.MAX_VALUE) {
                fusion.flush(pes);
                break;
            }
            if (t > maxCycles) {
                fusion.flush(pes);
                throw new SimulationStalledException(String.format(Locale.ROOT,
                        "watchdog: fabric cycle budget of %,d cycles exceeded with work pending:%s",
                        maxCycles, report.describe(12)));
            }
            processCycle(t);
        }
        if (hasPendingWork()) {
            throw new SimulationStalledException("deadlock: no part of the fabric can move at cycle " + clock.cycle
                    + " but work is pending:" + report.describe(12));
        }
        return stats.lastActiveCycle;
    }

    /** The earliest cycle with scheduled activity, or {@link Long#MAX_VALUE} (for event-driven hosts). */
    public long nextActiveCycle() {
        prepare();
        long t = clock.ring.advance();
        if (t == Long.MAX_VALUE) {
            fusion.flush(pes);
        }
        return t;
    }

    /**
     * Simulates cycle {@code t}, which must be {@link #nextActiveCycle()}: visits every router and PE
     * scheduled for it, in router order (handle 2r is router r, 2r + 1 its PE).
     */
    public void processCycle(long t) {
        if (activity.pending()) {
            activity.countBefore(t);
        }
        clock.cycle = t;
        final FabricStats st = stats;
        st.activeCycles++;
        st.lastActiveCycle = t;
        final Routers rtr = routers;
        final PeEngine pe = pes;
        final ActivityRing ring = clock.ring;
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
                        st.routerVisits++;
                        rtr.process(h >>> 1, t);
                    } else {
                        st.peVisits++;
                        pe.process(h >>> 1, t);
                    }
                }
            }
        }
        if (fastForward != null && fastForward.hasCandidates()) {
            fastForward.decide(t);
        }
        ring.finishCurrent();
        if (observer != null) {
            observer.accept(t);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Results and statistics (see FabricStats)

    /** Wavelet moves between neighbouring routers (link traversals). */
    public long waveletHops() {
        return stats.waveletHops;
    }

    /** Wavelets delivered from routers to PEs. */
    public long rampDeliveries() {
        return stats.rampDeliveries();
    }

    /** Wavelets put on the fabric by PEs (data and control). */
    public long injected() {
        return stats.injected;
    }

    /** Extra copies made by multicast routes (a wavelet sent to k outputs makes k - 1). */
    public long multicastCopies() {
        return stats.copies;
    }

    /** Wavelets taken off the fabric by PEs, plus control wavelets absorbed at their last router. */
    public long consumed() {
        return stats.consumed();
    }

    /** Control wavelets that ended at a ramp. */
    public long controlAbsorbed() {
        return stats.controlAbsorbed;
    }

    /** Router-colour-cycles in which a wavelet could not move for lack of a credit or acceptance. */
    public long creditStalls() {
        return stats.creditStalls;
    }

    /** Vector steps on fabric operands executed by PEs. */
    public long peFabricSteps() {
        return stats.peSteps();
    }

    /**
     * The last cycle (exclusive end) in which an instruction tagged {@code tag} completed, or 0 if
     * none did (see {@link Op#tagged}).
     */
    public long tagEndCycle(int tag) {
        return stats.tagEnd[tag];
    }

    /** Router visits by the scheduler (a router is visited in a cycle where it may move a wavelet). */
    public long routerVisits() {
        return stats.routerVisits;
    }

    /** PE visits by the scheduler. */
    public long peVisits() {
        return stats.peVisits;
    }

    /** Streams accounted in one piece by stream fast-forward (the simulator's cost, not a result). */
    public long fastForwardedStreams() {
        return fastForward == null ? 0 : fastForward.streams;
    }

    /** Wavelet-hops accounted by stream fast-forward rather than by router visits (the simulator's cost). */
    public long fastForwardedHops() {
        return fastForward == null ? 0 : fastForward.hops;
    }

    /** Wavelets currently in router buffers and PE input queues (arrived or in flight). */
    public long heldWavelets() {
        return slots.heldTotal() + (pes.queues == null ? 0 : pes.queues.heldTotal());
    }

    /** The cycle of the first vector step that put a wavelet on the fabric ({@code Long.MAX_VALUE} if none). */
    public long firstInjectionCycle() {
        return stats.firstInjection;
    }

    /** The end (exclusive) of the last cycle in which a result was written to SRAM. */
    public long lastWriteEndCycle() {
        return stats.lastWriteEnd();
    }

    /** The last cycle in which anything happened. */
    public long lastActiveCycle() {
        return stats.lastActiveCycle;
    }

    /** Cycles in which anything happened. */
    public long activeCycles() {
        return stats.activeCycles;
    }

    /**
     * Wavelets that crossed the link leaving PE (x, y)'s router in direction d (N, E, S, W), when
     * the fabric tracks links; otherwise 0.
     */
    public long linkWavelets(int x, int y, int d) {
        return stats.linkWavelets == null ? 0 : stats.linkWavelets[grid.router(x, y) * 4 + d];
    }

    /**
     * Checks conservation: every wavelet injected, and every multicast copy, is either held in a
     * buffer or consumed exactly once.
     *
     * @throws IllegalStateException when a wavelet was lost or duplicated
     */
    public void checkConservation() {
        stats.check(heldWavelets(), clock.cycle);
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
        return heldWavelets() > 0 || pes.hasWork();
    }

    @Override
    public String describePending() {
        return prepared ? report.describe(12) : "\n  (tasks activated but never run)";
    }
}
