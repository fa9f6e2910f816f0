package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.N;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.S;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.fabric.wafer.collective.Algorithm;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.Collectives;
import dev.wafersim.fabric.wafer.collective.Line;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Stream fast-forward must not change any result: every run here is made twice, fast-forwarded
 * (the default) and stepped visit by visit ({@link Fabric#setFastForward}(false)), and the two must
 * agree on every count, the active cycles, the last cycle, every link's wavelets, every phase tag's
 * end, the conservation of wavelets and, for runs that stall, the message. Each test also checks that
 * fast-forward did happen where it should (so that the comparison tests something).
 */
class StreamFastForwardTest {

    /** The outcome of a run, everything a user or a test can read. */
    private static String outcome(Fabric f, long budget) {
        String end;
        try {
            end = "ok last=" + f.run(budget);
        } catch (SimulationStalledException ex) {
            end = "stalled: " + ex.getMessage();
        }
        f.checkConservation();
        long links = 17;
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                for (int d = 0; d < 4; d++) {
                    links = links * 1_000_003L + f.linkWavelets(x, y, d);
                }
            }
        }
        StringBuilder tags = new StringBuilder();
        for (int t = 0; t < 4; t++) {
            tags.append(f.tagEndCycle(t)).append(',');
        }
        return String.format(Locale.ROOT, "%s first=%d writeEnd=%d lastActive=%d active=%d hops=%d ramp=%d"
                        + " injected=%d copies=%d consumed=%d ctrl=%d stalls=%d steps=%d held=%d pending=%b links=%x"
                        + " tags=%s", end, f.firstInjectionCycle(), f.lastWriteEndCycle(), f.lastActiveCycle(),
                f.activeCycles(), f.waveletHops(), f.rampDeliveries(), f.injected(), f.multicastCopies(), f.consumed(),
                f.controlAbsorbed(), f.creditStalls(), f.peFabricSteps(), f.heldWavelets(), f.hasPendingWork(), links,
                tags);
    }

    /** Runs {@code build} fast-forwarded and stepped, asserts equal outcomes, returns the streams fast-forwarded. */
    private static long compare(String what, Function<Boolean, Fabric> build, long budget) {
        Fabric fast = build.apply(true);
        String fastOutcome = outcome(fast, budget);
        Fabric stepped = build.apply(false);
        String steppedOutcome = outcome(stepped, budget);
        assertEquals(steppedOutcome, fastOutcome, what);
        assertEquals(0, stepped.fastForwardedStreams(), what);
        return fast.fastForwardedStreams();
    }

    private static final String[][] VARIANTS = {
        {},
        {WseParams.RAMP_LATENCY, "1"},
        {WseParams.HOP_LATENCY, "2"},
        {WseParams.RAMP_LATENCY, "3", WseParams.ROUTER_BUFFER, "16", WseParams.INPUT_QUEUE_DEPTH, "16"},
        {WseParams.DATAPATH, "independent"},
        {WseParams.TASK_ACTIVATION, "0"},
    };

    // ---------------------------------------------------------------------------------------------
    // Collectives

    private static Fabric collective(WseParams params, Algorithm alg, int rows, int cols, int b, DType type,
                                     boolean fastForward) {
        Fabric f = new Fabric(params.withGrid(cols, rows), new Fabric.Options(false, true));
        f.setFastForward(fastForward);
        int need = alg.colours(rows, cols);
        int[] colours = new int[need];
        for (int i = 0; i < need; i++) {
            colours[i] = i;
        }
        int perWavelet = params.waveletPayloadBits() / (type.sourceBytes() * 8);
        int elems = b * perWavelet - (type == DType.FP16 && b > 2 ? 1 : 0);
        CodeMap code = new CodeMap(alg.cliName(), params.sram());
        code.tag(1);
        int addr = code.buffer("vector", (long) elems * type.sourceBytes());
        boolean column = alg == Algorithm.BROADCAST_COL;
        Line line = column ? Line.column(0, 0, rows) : Line.row(0, 0, cols);
        RouteBook rb = new RouteBook(f);
        int n = Math.max(rows, cols);
        switch (alg) {
            case BROADCAST_ROW, BROADCAST_COL -> Collectives.broadcast(rb, code, line, colours[0], addr, elems, type);
            case BROADCAST_2D -> Collectives.broadcast2d(rb, code, 0, 0, cols, rows, colours[0], addr, elems, type);
            case REDUCE_CHAIN -> Collectives.reduceChain(rb, code, line, colours, addr, elems, type);
            case REDUCE_STAR -> Collectives.reduceStar(rb, code, line, colours[0], addr, elems, type);
            case REDUCE_TREE -> Collectives.reduceTree(rb, code, line, colours, addr, elems, type);
            case REDUCE_TWO_PHASE -> Collectives.reduceTwoPhase(rb, code, line, colours,
                    Collectives.twoPhaseGroup(n), addr, elems, type);
            case ALLREDUCE_RING -> Collectives.allreduceRing(rb, code, line, colours, addr, b, perWavelet, type);
            case REDUCE_2D -> Collectives.reduce2d(rb, code, 0, 0, cols, rows, colours, addr, elems, type);
        }
        code.install(f);
        return f;
    }

    @Test
    void everyCollective_fastForwardedAndStepped_identicalResults() {
        long streams = 0;
        for (String[] v : VARIANTS) {
            WseParams p = FabricTestSupport.wse3(64, 64, v);
            for (Algorithm alg : Algorithm.values()) {
                for (int b : new int[] {1, 2, 3, 17, 64}) {
                    for (DType type : new DType[] {DType.FP32, DType.FP16}) {
                        int[][] shapes = alg.twoDimensional() ? new int[][] {{2, 2}, {5, 7}, {12, 9}}
                                : alg == Algorithm.BROADCAST_COL ? new int[][] {{2, 1}, {9, 1}, {30, 1}}
                                : new int[][] {{1, 2}, {1, 9}, {1, 30}};
                        for (int[] rc : shapes) {
                            if (alg == Algorithm.ALLREDUCE_RING && b < Math.max(rc[0], rc[1])) {
                                continue; // needs a chunk per PE
                            }
                            String what = String.format(Locale.ROOT, "%s %s %dx%d B=%d %s", String.join(",", v),
                                    alg.cliName(), rc[0], rc[1], b, type);
                            streams += compare(what, ff -> collective(p, alg, rc[0], rc[1], b, type, ff), 1_000_000);
                        }
                    }
                }
            }
        }
        assertTrue(streams > 1000, "streams fast-forwarded: " + streams);
    }

    @Test
    void wse2Collectives_fastForwardedAndStepped_identicalResults() {
        WseParams p = FabricTestSupport.wse2(64, 64);
        long streams = 0;
        for (Algorithm alg : Algorithm.values()) {
            for (int b : new int[] {2, 33}) {
                if (alg == Algorithm.ALLREDUCE_RING && b < 13) {
                    continue; // needs a chunk per PE
                }
                int rows = alg.twoDimensional() ? 6 : alg == Algorithm.BROADCAST_COL ? 13 : 1;
                int cols = alg.twoDimensional() ? 11 : alg == Algorithm.BROADCAST_COL ? 1 : 13;
                streams += compare(alg.cliName() + " B=" + b,
                        ff -> collective(p, alg, rows, cols, b, DType.FP32, ff), 1_000_000);
            }
        }
        assertTrue(streams > 10, "streams fast-forwarded: " + streams);
    }

    /**
     * A chain reduce fast-forwarded keeps the closed form of Luczynski et al. (HPDC 2024),
     * B + (2 T_R + 2)(P - 1) cycles, and costs a few visits per PE instead of a few per wavelet.
     */
    @Test
    void reduceChain_fastForwarded_closedFormCyclesAndFewVisits() {
        WseParams p = FabricTestSupport.wse2(64, 1);
        int b = 256;
        int pes = 64;
        Fabric f = collective(p, Algorithm.REDUCE_CHAIN, 1, pes, b, DType.FP32, true);
        f.run(1_000_000);
        int tr = p.rampLatencyCycles();
        assertEquals(b + (2L * tr + 2) * (pes - 1), f.lastWriteEndCycle() - f.firstInjectionCycle());
        assertEquals(1, f.fastForwardedStreams());
        assertEquals((long) b * (pes - 1), f.waveletHops());
        assertEquals((long) (b - 1) * (pes - 1), f.fastForwardedHops());
        assertTrue(f.routerVisits() + f.peVisits() < 10L * pes, "visits " + f.routerVisits() + " + " + f.peVisits());
    }

    /** The 2D reduce of the benchmark: every row and the first column are streams. */
    @Test
    void reduce2d_fastForwarded_everyRowAndTheColumnAreStreams() {
        WseParams p = FabricTestSupport.wse3(64, 64);
        Fabric f = collective(p, Algorithm.REDUCE_2D, 16, 16, 32, DType.FP32, true);
        f.run(1_000_000);
        assertEquals(17, f.fastForwardedStreams());
        assertEquals(31L * (15 * 16 + 15), f.fastForwardedHops());
    }

    // ---------------------------------------------------------------------------------------------
    // Hand-built cases

    private static Program sender(WseParams p, int colour, int n, int delayElems) {
        ProgramBuilder b = new ProgramBuilder("send", p.sram(), "s").output(0, colour);
        int v = b.buffer("v", n * 4L);
        int d = b.buffer("d", Math.max(1, delayElems) * 4L);
        ProgramBuilder.TaskBuilder t = b.task(0, "send").activeAtStart();
        if (delayElems > 0) {
            t.op(Op.vec(VecOpCode.ADD, DType.FP32, delayElems, Operand.mem(d), Operand.mem(d), Operand.scalar(1f)));
        }
        return t.op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(0), Operand.mem(v))).done().build();
    }

    private static Program receiver(WseParams p, int colour, int n) {
        ProgramBuilder b = new ProgramBuilder("recv", p.sram(), "r").input(0, colour);
        int v = b.buffer("v", n * 4L);
        return b.task(0, "recv").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(v), Operand.fabricIn(0))).done().build();
    }

    /**
     * A stream crosses a router whose two other colours later compete for one output: which goes
     * first depends on the router's round-robin pointer, which the stream's visits advanced. The
     * fast-forward must leave the pointer where stepping leaves it, for every delay of the competitors.
     */
    @Test
    void roundRobin_competitionAfterStream_sameOrderAsStepped() {
        WseParams p = FabricTestSupport.wse3(8, 8);
        long streams = 0;
        // Stream lengths over every residue of the round-robin pointer (modulo the 24 colours).
        for (int len = 2; len <= 26; len++) {
            // Memory work of 4 elements per cycle: the competitors start from before the stream ends
            // to well after, one element (a quarter cycle) at a time, so that they start in every
            // cycle of that range.
            for (int delay = Math.max(0, 4 * len - 16); delay <= 4 * len + 60; delay++) {
                for (int offset = 0; offset <= 2; offset++) {
                    int d = delay;
                    int o = 4 * offset;
                    int n = len;
                    streams += compare("n=" + n + " delay=" + d + " offset=" + o,
                            ff -> roundRobinCase(p, n, d, o, ff), 100_000);
                }
            }
        }
        assertTrue(streams > 100, "streams fast-forwarded: " + streams);
    }

    /**
     * The stream: colour 5 from (0,3) east to (4,3). Colour 6 from (2,5) north and colour 7 from
     * (3,3) west meet in router (2,3), which sends both north to (2,2)'s PE; their sources wait
     * {@code delayElems} (and {@code offsetElems} more for colour 7) elements of memory work.
     */
    private static Fabric roundRobinCase(WseParams p, int len, int delayElems, int offsetElems, boolean ff) {
        Fabric f = new Fabric(p, new Fabric.Options(false, true));
        f.setFastForward(ff);
        for (int x = 0; x <= 4; x++) {
            f.setRoute(x, 3, 5, dirs(x == 0 ? RAMP : W), dirs(x == 4 ? RAMP : E));
        }
        f.load(0, 3, sender(p, 5, len, 0));
        f.load(4, 3, receiver(p, 5, len));
        f.setRoute(2, 5, 6, dirs(RAMP), dirs(N));
        f.setRoute(2, 4, 6, dirs(S), dirs(N));
        f.setRoute(2, 3, 6, dirs(S), dirs(N));
        f.setRoute(3, 3, 7, dirs(RAMP), dirs(W));
        f.setRoute(2, 3, 7, dirs(E), dirs(N));
        f.setRoute(2, 2, 6, dirs(S), dirs(RAMP));
        f.setRoute(2, 2, 7, dirs(S), dirs(RAMP));
        f.load(2, 5, sender(p, 6, 6, delayElems));
        ProgramBuilder sb = new ProgramBuilder("send7", p.sram(), "s").output(0, 7);
        int v = sb.buffer("v", 24);
        int w = sb.buffer("w", (delayElems + offsetElems + 1) * 4L);
        f.load(3, 3, sb.task(0, "send").activeAtStart()
                .op(Op.vec(VecOpCode.ADD, DType.FP32, delayElems + offsetElems + 1, Operand.mem(w), Operand.mem(w),
                        Operand.scalar(1f)))
                .op(Op.vec(VecOpCode.MOV, DType.FP32, 6, Operand.fabricOut(0), Operand.mem(v))).done().build());
        ProgramBuilder rb = new ProgramBuilder("two", p.sram(), "r").input(0, 6).input(1, 7);
        int va = rb.buffer("a", 24);
        int vb = rb.buffer("b", 24);
        f.load(2, 2, rb.task(0, "recv").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, 6, Operand.mem(va), Operand.fabricIn(0)).async(1))
                .op(Op.vec(VecOpCode.MOV, DType.FP32, 6, Operand.mem(vb), Operand.fabricIn(1)).async(2))
                .done().build());
        return f;
    }

    /**
     * Traffic that crosses a stream's routers while it flows, or a receiver that is late or too
     * short, must keep the stream from being fast-forwarded (or be proven harmless): the results
     * equal the stepped run's for every delay.
     */
    @Test
    void crossingTrafficAndLateReceivers_fastForwardedAndStepped_identicalResults() {
        WseParams p = FabricTestSupport.wse3(8, 8);
        for (int delay = 0; delay <= 40; delay += 2) {
            int d = delay;
            compare("crossing delay=" + d, ff -> {
                Fabric f = new Fabric(p, Fabric.Options.TIMING);
                f.setFastForward(ff);
                for (int x = 0; x <= 5; x++) {
                    f.setRoute(x, 2, 1, dirs(x == 0 ? RAMP : W), dirs(x == 5 ? RAMP : E));
                }
                f.load(0, 2, sender(p, 1, 30, 0));
                f.load(5, 2, receiver(p, 1, 30));
                // Colour 2 shares the ramp of (3,2)... no: it shares the east link of (2,2).
                f.setRoute(2, 1, 2, dirs(RAMP), dirs(S));
                f.setRoute(2, 2, 2, dirs(N), dirs(E));
                f.setRoute(3, 2, 2, dirs(W), dirs(RAMP));
                f.load(2, 1, sender(p, 2, 10, d));
                f.load(3, 2, receiver(p, 2, 10));
                return f;
            }, 100_000);
            compare("late receiver delay=" + d, ff -> {
                Fabric f = new Fabric(p, Fabric.Options.TIMING);
                f.setFastForward(ff);
                for (int x = 0; x <= 3; x++) {
                    f.setRoute(x, 0, 1, dirs(x == 0 ? RAMP : W), dirs(x == 3 ? RAMP : E));
                }
                f.load(0, 0, sender(p, 1, 40, 0));
                ProgramBuilder b = new ProgramBuilder("late", p.sram(), "r").input(0, 1);
                int v = b.buffer("v", 160);
                int w = b.buffer("w", 400);
                f.load(3, 0, b.task(0, "t").activeAtStart()
                        .op(Op.vec(VecOpCode.ADD, DType.FP32, d + 1, Operand.mem(w), Operand.mem(w), Operand.scalar(1f)))
                        .op(Op.vec(VecOpCode.MOV, DType.FP32, 40, Operand.mem(v), Operand.fabricIn(0)))
                        .done().build());
                return f;
            }, 100_000);
            compare("short receiver n=" + d, ff -> {
                Fabric f = new Fabric(p, Fabric.Options.TIMING);
                f.setFastForward(ff);
                for (int x = 0; x <= 2; x++) {
                    f.setRoute(x, 0, 1, dirs(x == 0 ? RAMP : W), dirs(x == 2 ? RAMP : E));
                }
                f.load(0, 0, sender(p, 1, 20, 0));
                f.load(2, 0, receiver(p, 1, d + 1));
                return f;
            }, 100_000);
        }
    }

    /** A budget that ends inside a stream: the watchdog's message and counts are the stepped run's. */
    @Test
    void watchdog_budgetInsideStream_sameMessageAsStepped() {
        WseParams p = FabricTestSupport.wse3(8, 8);
        for (long budget = 3; budget <= 60; budget += 7) {
            compare("budget=" + budget, ff -> {
                Fabric f = new Fabric(p, Fabric.Options.TIMING);
                f.setFastForward(ff);
                for (int x = 0; x <= 4; x++) {
                    f.setRoute(x, 0, 1, dirs(x == 0 ? RAMP : W), dirs(x == 4 ? RAMP : E));
                }
                f.load(0, 0, sender(p, 1, 40, 0));
                f.load(4, 0, receiver(p, 1, 40));
                return f;
            }, budget);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Random flows

    /**
     * Random flows on a small grid: each on its own colour along an XY path, some delivering on the
     * way (multicast), some relayed by a streaming PE onto a second flow, sources delayed by memory
     * work, operations in random order on the main thread or on microthreads, so that streams meet,
     * share links and ramps, wait for late receivers or deadlock. Fast-forwarded and stepped runs agree.
     */
    @Test
    void randomFlows_fastForwardedAndStepped_identicalResults() {
        long streams = 0;
        int seeds = 3000;
        for (int seed = 0; seed < seeds; seed++) {
            String[] v = VARIANTS[seed % VARIANTS.length];
            WseParams p = FabricTestSupport.wse3(7, 6, v);
            int s = seed;
            streams += compare("seed " + seed + " " + String.join(",", v), ff -> randomFlows(p, s, ff), 20_000);
        }
        assertTrue(streams > seeds / 4, "streams fast-forwarded: " + streams);
    }

    /** One flow: colour, source and destination PEs, length, where it delivers, who relays it. */
    private static final class Flow {
        int colour;
        int sx;
        int sy;
        int dx;
        int dy;
        int len;
        int delay;
        final List<int[]> receivers = new ArrayList<>();
        Flow relayedFrom;
    }

    private static Fabric randomFlows(WseParams p, int seed, boolean fastForward) {
        SplittableRandom rnd = new SplittableRandom(seed * 7919L + 13);
        int w = p.gridWidthPes();
        int h = p.gridHeightPes();
        Fabric f = new Fabric(p, new Fabric.Options(false, true));
        f.setFastForward(fastForward);
        int flows = 1 + rnd.nextInt(7);
        int[] lens = {1, 2, 3, 5, 8, 20, 40};
        List<Flow> all = new ArrayList<>();
        // Per PE: its operations (built below) and queue numbers used.
        List<List<Op>> ops = new ArrayList<>();
        List<List<int[]>> inputs = new ArrayList<>(); // {queue, colour}
        List<List<int[]>> outputs = new ArrayList<>();
        for (int i = 0; i < w * h; i++) {
            ops.add(new ArrayList<>());
            inputs.add(new ArrayList<>());
            outputs.add(new ArrayList<>());
        }
        for (int k = 0; k < flows; k++) {
            Flow fl = new Flow();
            fl.colour = k;
            Flow prev = k > 0 && rnd.nextInt(3) == 0 ? all.get(rnd.nextInt(all.size())) : null;
            if (prev != null && prev.relayedFrom == null && !prev.receivers.isEmpty() && prev.delay == 0) {
                // Relay: the previous flow's destination streams it on.
                fl.relayedFrom = prev;
                fl.sx = prev.dx;
                fl.sy = prev.dy;
                fl.len = prev.len;
            } else {
                fl.sx = rnd.nextInt(w);
                fl.sy = rnd.nextInt(h);
                fl.len = lens[rnd.nextInt(lens.length)];
                fl.delay = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(60) : 0;
            }
            do {
                fl.dx = rnd.nextInt(w);
                fl.dy = rnd.nextInt(h);
            } while (fl.dx == fl.sx && fl.dy == fl.sy);
            // XY path.
            List<int[]> path = new ArrayList<>();
            int x = fl.sx;
            int y = fl.sy;
            path.add(new int[] {x, y});
            while (x != fl.dx) {
                x += Integer.signum(fl.dx - x);
                path.add(new int[] {x, y});
            }
            while (y != fl.dy) {
                y += Integer.signum(fl.dy - y);
                path.add(new int[] {x, y});
            }
            for (int i = 0; i < path.size(); i++) {
                int[] at = path.get(i);
                int in = i == 0 ? RAMP : dirTo(at, path.get(i - 1));
                int out = i == path.size() - 1 ? dirs(RAMP) : dirs(dirTo(at, path.get(i + 1)));
                boolean deliver = i == path.size() - 1 || (i > 0 && rnd.nextInt(5) == 0);
                if (deliver) {
                    out |= dirs(RAMP);
                    fl.receivers.add(at);
                }
                f.setRoute(at[0], at[1], fl.colour, dirs(in), out);
            }
            all.add(fl);
        }
        // Programs.
        for (Flow fl : all) {
            int src = fl.sy * w + fl.sx;
            int oq = outputs.get(src).size();
            outputs.get(src).add(new int[] {oq, fl.colour});
            if (fl.relayedFrom == null) {
                if (fl.delay > 0) {
                    ops.get(src).add(Op.vec(VecOpCode.ADD, DType.FP32, fl.delay, Operand.mem(0), Operand.mem(0),
                            Operand.scalar(1f)));
                }
                int first = fl.len > 1 && rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(fl.len - 1) : fl.len;
                ops.get(src).add(Op.vec(VecOpCode.MOV, DType.FP32, first, Operand.fabricOut(oq), Operand.mem(0))
                        .tagged(rnd.nextInt(4)));
                if (first < fl.len) {
                    // The rest in a second operation, back to back or after more memory work.
                    if (rnd.nextBoolean()) {
                        ops.get(src).add(Op.vec(VecOpCode.ADD, DType.FP32, 1 + rnd.nextInt(30), Operand.mem(0),
                                Operand.mem(0), Operand.scalar(1f)));
                    }
                    ops.get(src).add(Op.vec(VecOpCode.MOV, DType.FP32, fl.len - first, Operand.fabricOut(oq),
                            Operand.mem(0)));
                }
            }
            for (int[] at : fl.receivers) {
                int pe = at[1] * w + at[0];
                int iq = inputs.get(pe).size();
                inputs.get(pe).add(new int[] {iq, fl.colour});
                Flow relay = null;
                for (Flow g : all) {
                    if (g.relayedFrom == fl && g.sx == at[0] && g.sy == at[1]) {
                        relay = g;
                    }
                }
                if (relay != null) {
                    int rq = outputs.get(pe).size();
                    outputs.get(pe).add(new int[] {rq, relay.colour});
                    ops.get(pe).add(Op.vec(VecOpCode.ADD, DType.FP32, fl.len, Operand.fabricOut(rq),
                            Operand.fabricIn(iq), Operand.mem(0)));
                } else {
                    // Receives: a copy, an addition, or exp (eight passes a step: a slow receiver that
                    // backs the flow up); sometimes in two operations.
                    int first = fl.len > 1 && rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(fl.len - 1) : fl.len;
                    for (int part : first < fl.len ? new int[] {first, fl.len - first} : new int[] {first}) {
                        int kind = rnd.nextInt(5);
                        Op recv = kind < 2
                                ? Op.vec(VecOpCode.MOV, DType.FP32, part, Operand.mem(0), Operand.fabricIn(iq))
                                : kind < 4 ? Op.vec(VecOpCode.ADD, DType.FP32, part, Operand.mem(0),
                                Operand.fabricIn(iq), Operand.mem(0))
                                : Op.vec(VecOpCode.EXP, DType.FP32, part, Operand.mem(0), Operand.fabricIn(iq));
                        ops.get(pe).add(recv.tagged(rnd.nextInt(4)));
                    }
                }
            }
        }
        // Relayed flows whose relay PE was not a receiver of the flow they relay (multicast picked
        // another PE) have no source operation: drop their routes' sender by giving them a plain source.
        for (Flow fl : all) {
            if (fl.relayedFrom != null) {
                boolean relayed = false;
                for (int[] at : fl.relayedFrom.receivers) {
                    relayed |= at[0] == fl.sx && at[1] == fl.sy;
                }
                if (!relayed) {
                    int src = fl.sy * w + fl.sx;
                    int oq = -1;
                    for (int[] o : outputs.get(src)) {
                        if (o[1] == fl.colour) {
                            oq = o[0];
                        }
                    }
                    ops.get(src).add(Op.vec(VecOpCode.MOV, DType.FP32, fl.len, Operand.fabricOut(oq), Operand.mem(0)));
                }
            }
        }
        for (int pe = 0; pe < w * h; pe++) {
            List<Op> list = new ArrayList<>(ops.get(pe));
            if (list.isEmpty()) {
                continue;
            }
            // Random order; sometimes on microthreads.
            for (int i = list.size() - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                Op t = list.get(i);
                list.set(i, list.get(j));
                list.set(j, t);
            }
            boolean async = list.size() > 1 && rnd.nextInt(4) == 0;
            ProgramBuilder b = new ProgramBuilder("pe" + pe, p.sram(), "pe" + pe);
            b.buffer("v", 64 * 4L);
            for (int[] q : inputs.get(pe)) {
                b.input(q[0], q[1]);
            }
            for (int[] q : outputs.get(pe)) {
                b.output(q[0], q[1]);
            }
            ProgramBuilder.TaskBuilder t = b.task(0, "main").activeAtStart();
            int thread = 1;
            for (Op op : list) {
                boolean fabric = op.dst().kind() == Operand.Kind.FABRIC_OUT || op.a().kind() == Operand.Kind.FABRIC_IN
                        || (op.b() != null && op.b().kind() == Operand.Kind.FABRIC_IN);
                t.op(async && fabric && thread < 8 ? op.async(thread++) : op);
            }
            f.load(pe % w, pe / w, t.done().build());
        }
        return f;
    }

    private static int dirTo(int[] from, int[] to) {
        if (to[0] > from[0]) {
            return E;
        }
        if (to[0] < from[0]) {
            return W;
        }
        return to[1] > from[1] ? S : N;
    }
}
