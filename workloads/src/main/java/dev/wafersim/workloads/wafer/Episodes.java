package dev.wafersim.workloads.wafer;

import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.Collectives;
import dev.wafersim.fabric.wafer.collective.Line;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Cycle-level simulations of the pieces of a decode step, each on a fabric of its own (an
 * episode): a layer on its region, the LM head on its region, and hand-offs between regions. An
 * episode starts when its input is in place everywhere and ends when its last result is written;
 * episodes of one token run one after the other.
 *
 * <p>Time attribution: instructions carry their {@link Phase} as a tag and the fabric records when
 * each tag last completed; walking those end times in order, each interval is booked to the phase
 * that ended it (the phase on the critical path at that point).
 */
final class Episodes {
    /** Watchdog budget of one episode, in cycles. */
    static final long MAX_CYCLES = 200_000_000L;

    private Episodes() {
    }

    static {
        if (Phase.values().length > LayerProgram.PASS_TAG_BASE) {
            throw new IllegalStateException("phase tags reach the pass tags (" + LayerProgram.PASS_TAG_BASE + ")");
        }
    }

    private static final long[] NO_PASSES = new long[0];
    private static final int[] NO_RUN_PHASES = new int[0];

    /**
     * What one episode took.
     *
     * @param cycles     from the start (after the first task activation) to the last result
     * @param byCategory those cycles split by breakdown category (sums to {@code cycles})
     * @param passEnds   for a layer or head whose batch runs in passes, when each pass was done
     *                   (cycles from the start, ascending); empty otherwise
     * @param runPhases  the critical path's runs in time order: run i is {@link Phase} ordinal
     *                   {@code runPhases[i]} (the phase whose tag ended that stretch, consecutive equal phases
     *                   merged); empty when not recorded (a result built by hand)
     * @param runEnds    cycle (from the start) at which run i ends, ascending; run i starts where run i - 1
     *                   ended (run 0 at 0) and the last ends at {@code cycles}: the runs tile the episode and
     *                   each phase's runs sum to its category's share of {@code byCategory}
     */
    record Result(long cycles, long[] byCategory, long[] passEnds, long waveletHops, long routerVisits,
                  long peVisits, int[] runPhases, long[] runEnds) {
        Result {
            long sum = Arrays.stream(byCategory).sum();
            if (sum != cycles) {
                throw new IllegalStateException("episode attribution " + sum + " != " + cycles + " cycles");
            }
            if (runPhases.length != runEnds.length || (runEnds.length > 0 && runEnds[runEnds.length - 1] != cycles)) {
                throw new IllegalStateException("episode runs: " + runPhases.length + " phases, " + runEnds.length
                        + " ends, the last at " + (runEnds.length > 0 ? runEnds[runEnds.length - 1] : -1) + " of "
                        + cycles + " cycles");
            }
        }

        Result(long cycles, long[] byCategory, long[] passEnds, long waveletHops, long routerVisits, long peVisits) {
            this(cycles, byCategory, passEnds, waveletHops, routerVisits, peVisits, NO_RUN_PHASES, NO_PASSES);
        }

        Result(long cycles, long[] byCategory, long waveletHops, long routerVisits, long peVisits) {
            this(cycles, byCategory, NO_PASSES, waveletHops, routerVisits, peVisits);
        }

        static Result zero() {
            return new Result(0, new long[Phase.Category.values().length], 0, 0, 0);
        }

        /** This result's cycles in category {@code c}. */
        long categoryCycles(Phase.Category c) {
            return byCategory[c.ordinal()];
        }

        /** This result with its pass ends replaced by {@code ends}. */
        Result withPassEnds(long[] ends) {
            return new Result(cycles, byCategory, ends, waveletHops, routerVisits, peVisits, runPhases, runEnds);
        }

        /**
         * Runs between two results of the same program at two contexts, at fraction {@code f} of the way from
         * {@code a} to {@code b}, ending at {@code cycles}: when both have the same phases in the same order each
         * run end is interpolated (rounded, kept ascending); otherwise {@code a}'s ends are scaled to
         * {@code cycles}. Returns {@code {phases, ends}} as {@code Object[]}-free pair via the out arrays.
         */
        static long[] interpolatedRunEnds(Result a, Result b, double f, long cycles) {
            int n = a.runEnds.length;
            long[] ends = new long[n];
            boolean same = Arrays.equals(a.runPhases, b.runPhases);
            for (int i = 0; i < n; i++) {
                double e = same ? a.runEnds[i] + f * (b.runEnds[i] - a.runEnds[i])
                        : a.cycles == 0 ? 0 : (double) a.runEnds[i] * cycles / a.cycles;
                ends[i] = Math.min(cycles, Math.max(i > 0 ? ends[i - 1] : 0, Math.round(e)));
            }
            if (n > 0) {
                ends[n - 1] = cycles;
            }
            return ends;
        }
    }

    /** A decode step of one layer at {@code positions} attended tokens. */
    static Result layer(LayerPlan plan, WaferDecodeConfig cfg, long positions, int expertPasses) {
        return layer(plan, cfg, positions, expertPasses, Integer.MAX_VALUE);
    }

    /** A layer's step, of its first {@code passLimit} passes. */
    static Result layer(LayerPlan plan, WaferDecodeConfig cfg, long positions, int expertPasses, int passLimit) {
        return layer(plan, cfg, positions, expertPasses, passLimit, null);
    }

    /**
     * A layer's step; while {@code setUp} (if not null) is held, its program is built and loaded.
     * Built, a layer's program holds every PE's instruction list (at batch 64 on 2 wafers, about
     * 50k PEs x 16k instructions); once loaded the fabric keeps only the distinct programs, so the
     * lists are dropped before the simulation runs. A run simulating episodes on several threads
     * passes one lock to all of them: the set-ups, and their memory, come one at a time while the
     * simulations overlap.
     */
    static Result layer(LayerPlan plan, WaferDecodeConfig cfg, long positions, int expertPasses,
                        int passLimit, java.util.concurrent.locks.Lock setUp) {
        Fabric f = new Fabric(cfg.wse().withGrid(plan.cols, plan.rows), Fabric.Options.TIMING);
        List<Phase> steps;
        lock(setUp);
        try {
            steps = setUpLayer(f, plan, cfg, positions, expertPasses, passLimit);
        } finally {
            unlock(setUp);
        }
        return runInstalled(f, cfg.wse(), steps, Phase.ELEMENTWISE);
    }

    /** Builds and loads a layer's program; the instruction lists die with this frame. */
    private static List<Phase> setUpLayer(Fabric f, LayerPlan plan, WaferDecodeConfig cfg, long positions,
                                          int expertPasses, int passLimit) {
        CodeMap code = new CodeMap("layer" + plan.layer, cfg.wse().sram());
        List<Phase> steps = LayerProgram.build(plan, new Region(0, 0, plan.cols, plan.rows, false), new RouteBook(f),
                code, cfg, positions, expertPasses, passLimit);
        code.install(f);
        return steps;
    }

    /** Builds and loads the LM head's program. */
    private static List<Phase> setUpHead(Fabric f, LayerPlan plan, WaferDecodeConfig cfg, int passLimit) {
        CodeMap code = new CodeMap("head", cfg.wse().sram());
        List<Phase> steps = LayerProgram.buildHead(plan, new Region(0, 0, plan.cols, plan.rows, false),
                new RouteBook(f), code, cfg, passLimit);
        code.install(f);
        return steps;
    }

    private static void lock(java.util.concurrent.locks.Lock l) {
        if (l != null) {
            l.lock();
        }
    }

    private static void unlock(java.util.concurrent.locks.Lock l) {
        if (l != null) {
            l.unlock();
        }
    }

    /**
     * Link utilization of one layer's decode step: for each PE of the region, the busiest of the
     * four links leaving its router, as wavelets carried / cycles of the step (0..1), row-major.
     */
    static double[] layerLinkUtilization(LayerPlan plan, WaferDecodeConfig cfg, long positions, int expertPasses) {
        Fabric f = new Fabric(cfg.wse().withGrid(plan.cols, plan.rows), new Fabric.Options(false, true));
        RouteBook routes = new RouteBook(f);
        CodeMap code = new CodeMap("layer" + plan.layer, cfg.wse().sram());
        List<Phase> steps = LayerProgram.build(plan, new Region(0, 0, plan.cols, plan.rows, false), routes, code, cfg,
                positions, expertPasses);
        Result r = run(f, code, cfg.wse(), steps, Phase.ELEMENTWISE);
        double[] u = new double[plan.cols * plan.rows];
        double cycles = Math.max(1, r.cycles());
        for (int y = 0; y < plan.rows; y++) {
            for (int x = 0; x < plan.cols; x++) {
                long busiest = 0;
                for (int d = 0; d < 4; d++) {
                    busiest = Math.max(busiest, f.linkWavelets(x, y, d));
                }
                u[y * plan.cols + x] = Math.min(1.0, busiest / cycles);
            }
        }
        return u;
    }

    /** The LM head's step (final norm, vocabulary projection, argmax). */
    static Result head(LayerPlan plan, WaferDecodeConfig cfg) {
        return head(plan, cfg, Integer.MAX_VALUE);
    }

    /** The LM head's step, of its first {@code passLimit} passes. */
    static Result head(LayerPlan plan, WaferDecodeConfig cfg, int passLimit) {
        return head(plan, cfg, passLimit, null);
    }

    /** The LM head's step; set up while holding {@code setUp}, as {@link #layer} does. */
    static Result head(LayerPlan plan, WaferDecodeConfig cfg, int passLimit, java.util.concurrent.locks.Lock setUp) {
        Fabric f = new Fabric(cfg.wse().withGrid(plan.cols, plan.rows), Fabric.Options.TIMING);
        List<Phase> steps;
        lock(setUp);
        try {
            steps = setUpHead(f, plan, cfg, passLimit);
        } finally {
            unlock(setUp);
        }
        return runInstalled(f, cfg.wse(), steps, Phase.ARGMAX);
    }

    /**
     * {@code streams} parallel transfers over {@code distance} hops, stream s carrying
     * {@code slice.applyAsInt(s)} fp16 values per sequence: a hand-off of a vector split across the
     * output edge of one region to the input edge of another region of the same width. Staircase
     * paths (each stream turns on its own row) keep the streams on disjoint links, so a fabric of
     * {@code streams} columns of {@code distance + 1} PEs has the same timing as the real paths.
     */
    static Result parallelTransfer(int streams, IntUnaryOperator slice, int batch, int distance, WaferDecodeConfig cfg,
                                   Phase phase) {
        if (distance < 1) {
            return Result.zero();
        }
        WseParams p = cfg.wse().withGrid(streams, distance + 1);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        RouteBook routes = new RouteBook(f);
        CodeMap code = new CodeMap("transfer", cfg.wse().sram());
        code.tag(phase.tag());
        for (int s = 0; s < streams; s++) {
            int n = batch * slice.applyAsInt(s);
            if (n == 0) {
                continue;
            }
            Line col = Line.column(s, 0, distance + 1);
            Collectives.path(routes, col, 0, distance, 0);
            CodeMap.PeCode src = code.at(s, 0);
            CodeMap.PeCode dst = code.at(s, distance);
            src.op(Op.vec(VecOpCode.MOV, DType.FP16, n, Operand.fabricOut(src.out(0)), Operand.mem(0)));
            dst.op(Op.vec(VecOpCode.MOV, DType.FP16, n, Operand.mem(0), Operand.fabricIn(dst.in(0))));
        }
        return run(f, code, cfg.wse(), null, null);
    }

    /**
     * A few values (token ids) from one PE to the PEs of a row of {@code fanout} PEs {@code distance}
     * hops away: a path, then a flooding broadcast along the row.
     */
    static Result tokenToRow(int values, int distance, int fanout, WaferDecodeConfig cfg) {
        int len = distance + fanout;
        if (len < 2) {
            return Result.zero();
        }
        WseParams p = cfg.wse().withGrid(len, 1);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        RouteBook routes = new RouteBook(f);
        CodeMap code = new CodeMap("token", cfg.wse().sram());
        code.tag(Phase.EMBEDDING.tag());
        Line line = Line.row(0, 0, len);
        // Route: the source's ramp, then every router east; the last `fanout` routers also deliver.
        for (int k = 0; k < len; k++) {
            int in = k == 0 ? Fabric.RAMP : Fabric.W;
            int out = (k < len - 1 ? 1 << Fabric.E : 0) | (k >= distance && k > 0 ? 1 << Fabric.RAMP : 0);
            routes.setRoute(line.x(k), 0, 0, 1 << in, out);
        }
        CodeMap.PeCode src = code.at(0, 0);
        src.op(Op.vec(VecOpCode.MOV, DType.FP16, even(values), Operand.fabricOut(src.out(0)), Operand.mem(0)));
        for (int k = Math.max(1, distance); k < len; k++) {
            CodeMap.PeCode dst = code.at(k, 0);
            dst.op(Op.vec(VecOpCode.MOV, DType.FP16, even(values), Operand.mem(0), Operand.fabricIn(dst.in(0))));
        }
        return run(f, code, cfg.wse(), null, null);
    }

    private static int even(int n) {
        return (n + 1) & ~1;
    }

    /**
     * Runs an episode and books its cycles: walking the tags' end cycles in order, each interval
     * goes to the category of the tag that ended it. Tags are the program's steps ({@code steps},
     * tag i = step i) or, for programs without steps, phases (tag = phase ordinal); pass-end tags
     * (the last step of each pass) go to {@code passPhase}.
     */
    private static Result run(Fabric f, CodeMap code, WseParams wp, List<Phase> steps, Phase passPhase) {
        code.install(f);
        return runInstalled(f, wp, steps, passPhase);
    }

    private static Result runInstalled(Fabric f, WseParams wp, List<Phase> steps, Phase passPhase) {
        try {
            f.run(MAX_CYCLES);
        } catch (SimulationStalledException e) {
            throw new IllegalStateException("the decode program stalled on the fabric (a mapping bug): "
                    + e.getMessage(), e);
        }
        long start = wp.taskActivationCycles();
        long[] by = new long[Phase.Category.values().length];
        List<Phase> tags = steps != null ? steps : List.of(Phase.values());
        long[][] ends = new long[tags.size()][];
        int n = 0;
        long last = start;
        for (int tag = 0; tag < tags.size(); tag++) {
            long end = f.tagEndCycle(tag);
            if (end > 0) {
                ends[n++] = new long[] {end, tags.get(tag).ordinal()};
                last = Math.max(last, end);
            }
        }
        long[] passEnds = NO_PASSES;
        if (passPhase != null) {
            int passes = 0;
            while (passes < LayerProgram.MAX_TAGGED_PASSES && f.tagEndCycle(LayerProgram.PASS_TAG_BASE + passes) > 0) {
                passes++;
            }
            passEnds = new long[passes];
            ends = Arrays.copyOf(ends, n + passes);
            for (int i = 0; i < passes; i++) {
                long end = f.tagEndCycle(LayerProgram.PASS_TAG_BASE + i);
                ends[n++] = new long[] {end, passPhase.ordinal()};
                last = Math.max(last, end);
                passEnds[i] = Math.max(i > 0 ? passEnds[i - 1] : 0, end - start);
            }
        }
        long[][] sorted = Arrays.copyOf(ends, n);
        Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
        long prev = start;
        Phase[] phases = Phase.values();
        int[] runPhases = new int[sorted.length];
        long[] runEnds = new long[sorted.length];
        int runs = 0;
        for (long[] e : sorted) {
            if (e[0] > prev) {
                int phase = (int) e[1];
                by[phases[phase].category().ordinal()] += e[0] - prev;
                if (runs > 0 && runPhases[runs - 1] == phase) {
                    runEnds[runs - 1] = e[0] - start;
                } else {
                    runPhases[runs] = phase;
                    runEnds[runs++] = e[0] - start;
                }
                prev = e[0];
            }
        }
        return new Result(last - start, by, passEnds, f.waveletHops(), f.routerVisits(), f.peVisits(),
                Arrays.copyOf(runPhases, runs), Arrays.copyOf(runEnds, runs));
    }

    /**
     * The value of {@code f}, waiting for it; the failure of the task it ran rethrown as it was (a
     * {@link RuntimeException} or {@link Error}, such as the ConfigException of a layer that does not fit),
     * anything else wrapped. Shared by the decode simulator's and the step model's parallel episodes.
     *
     * @param what what was awaited, for the message when the thread is interrupted
     */
    static <T> T await(java.util.concurrent.Future<T> f, String what) {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while simulating " + what, e);
        }
    }
}
