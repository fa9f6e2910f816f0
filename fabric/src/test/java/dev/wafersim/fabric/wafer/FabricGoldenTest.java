package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.N;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.S;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.fabric.wafer.collective.Algorithm;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.CollectiveRun;
import dev.wafersim.fabric.wafer.collective.Collectives;
import dev.wafersim.fabric.wafer.collective.Line;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Golden results: the simulated outcome of every collective over a spread of sizes, vector lengths,
 * element types and parameter variants, and of small hand-built scenarios (microthreads, data
 * tasks, control wavelets, congestion, deadlocks), must stay bit-identical to the reviewed run
 * recorded in {@code fabric-golden.txt} (its header names the commit that produced it). Compared per
 * case: cycles, first injection, last write, last active cycle, active cycles, wavelet hops, ramp
 * deliveries, injections, multicast copies, consumptions, control wavelets absorbed, credit stalls
 * and PE fabric steps; in functional runs a hash of every PE's vector; for runs that end in a
 * stall, the message. Smaller cases also run with a cycle observer that checks conservation after
 * every cycle and hashes, for every cycle in which a router moved or refused a wavelet, the cycle
 * and the running router counters (so the timing of every hop is pinned, not just the totals).
 * Router and PE visit counts are the simulator's cost, not its result, and are not compared.
 *
 * <p>To regenerate after a reviewed, intended change of results: run this test with
 * {@code -Dwafersim.golden.write=/path/to/fabric-golden.txt}.
 */
class FabricGoldenTest {
    private static final String RESOURCE = "fabric-golden.txt";
    private static final long TRACE_LIMIT = 400_000; // PEs x wavelets up to which the traced run is added

    @Test
    void everyCase_matchesGoldenResults() throws IOException {
        Map<String, String> actual = new LinkedHashMap<>();
        for (Case c : cases()) {
            actual.put(c.key, c.run());
        }
        String write = System.getProperty("wafersim.golden.write");
        if (write != null && !write.isBlank()) {
            StringBuilder sb = new StringBuilder();
            sb.append("# Golden fabric results (FabricGoldenTest). Produced by the original implementation at commit\n");
            sb.append("# ").append(System.getProperty("wafersim.golden.commit", "?"))
                    .append(". Format: case | outcome (key=value ...).\n");
            actual.forEach((k, v) -> sb.append(k).append(" | ").append(v).append('\n'));
            Files.writeString(Path.of(write), sb.toString(), StandardCharsets.UTF_8);
            return;
        }
        Map<String, String> golden = readGolden();
        assertEquals(golden.keySet(), actual.keySet(), "the set of golden cases changed");
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, String> e : golden.entrySet()) {
            String got = actual.get(e.getKey());
            if (!e.getValue().equals(got)) {
                diffs.add(e.getKey() + "\n    golden: " + e.getValue() + "\n    actual: " + got);
            }
        }
        assertTrue(diffs.isEmpty(), diffs.size() + " case(s) differ from the golden results:\n" + String.join("\n", diffs));
    }

    private static Map<String, String> readGolden() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try (InputStream in = FabricGoldenTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, "missing test resource " + RESOURCE);
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int bar = line.indexOf(" | ");
                m.put(line.substring(0, bar), line.substring(bar + 3));
            }
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Cases

    /** One scenario: builds a fabric (routes, programs, memory), runs it and describes the outcome. */
    private record Case(String key, Supplier<Built> build, boolean traced) {
        String run() {
            String plain = outcome(build.get(), false);
            if (traced) {
                String withTrace = outcome(build.get(), true);
                // The traced run must agree with the plain run on every total, and adds the trace hash.
                int cut = withTrace.lastIndexOf(" trace=");
                assertEquals(plain, withTrace.substring(0, cut), key + ": observed and unobserved runs differ");
                return withTrace;
            }
            return plain;
        }
    }

    /** A fabric ready to run and how to read its functional result. */
    private record Built(Fabric fabric, Consumer<long[]> memoryHash, long budget) {
    }

    private static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        String[] systems = {"wse2", "wse3"};
        int[] lineSizes = {4, 13, 64, 200};
        int[][] rects = {{5, 6}, {16, 16}, {40, 33}};
        int[] bs = {1, 7, 64, 256};
        for (String sys : systems) {
            WseParams p = WsePresets.params(sys);
            for (Algorithm alg : Algorithm.values()) {
                for (DType type : new DType[] {DType.FP32, DType.FP16}) {
                    for (int b : bs) {
                        if (alg.twoDimensional()) {
                            for (int[] rc : rects) {
                                cs.add(collective(sys, p, alg, rc[0], rc[1], b, type));
                            }
                        } else {
                            for (int n : lineSizes) {
                                cs.add(collective(sys, p, alg, 1, n, b, type));
                            }
                        }
                    }
                }
            }
        }
        // Parameter variants: small buffers and queues (backpressure at every step), long and short
        // ramps, slower hops, no activation latency, independent datapath.
        String[][] variants = {
            {WseParams.ROUTER_BUFFER, "1"},
            {WseParams.ROUTER_BUFFER, "2", WseParams.INPUT_QUEUE_DEPTH, "1"},
            {WseParams.INPUT_QUEUE_DEPTH, "2"},
            {WseParams.RAMP_LATENCY, "1"},
            {WseParams.RAMP_LATENCY, "5", WseParams.HOP_LATENCY, "2"},
            {WseParams.RAMP_LATENCY, "3", WseParams.ROUTER_BUFFER, "16", WseParams.INPUT_QUEUE_DEPTH, "16"},
            {WseParams.TASK_ACTIVATION, "0", WseParams.OP_LATENCY, "3"},
            {WseParams.DATAPATH, "independent"},
        };
        for (String[] v : variants) {
            WseParams p = FabricTestSupport.wse3(762, 1172, v);
            StringBuilder name = new StringBuilder("wse3[");
            for (int i = 0; i < v.length; i += 2) {
                name.append(i == 0 ? "" : ",").append(v[i]).append('=').append(v[i + 1]);
            }
            String sys = name.append(']').toString();
            for (Algorithm alg : Algorithm.values()) {
                for (int b : new int[] {5, 64}) {
                    if (alg.twoDimensional()) {
                        cs.add(collective(sys, p, alg, 7, 9, b, DType.FP32));
                    } else {
                        cs.add(collective(sys, p, alg, 1, 17, b, DType.FP16));
                    }
                }
            }
            for (Case c : scenarios(sys, FabricTestSupport.wse3(8, 8, v))) {
                cs.add(c);
            }
        }
        for (Case c : scenarios("wse3", FabricTestSupport.wse3(8, 8))) {
            cs.add(c);
        }
        for (Case c : scenarios("wse2", FabricTestSupport.wse2(8, 8))) {
            cs.add(c);
        }
        return cs;
    }

    /** The collective as {@link CollectiveRun} builds it, functional where small. */
    private static Case collective(String sys, WseParams params, Algorithm alg, int rows0, int cols0, int b,
                                   DType type) {
        boolean column = alg == Algorithm.BROADCAST_COL;
        int rows = column ? cols0 : rows0;
        int cols = column ? 1 : cols0;
        boolean functional = (long) rows * cols * b <= 64L * 64;
        String key = String.format(Locale.ROOT, "%s %s %dx%d B=%d %s%s", sys, alg.cliName(), rows, cols, b, type,
                functional ? " functional" : "");
        Supplier<Built> build = () -> {
            WseParams region = params.withGrid(cols, rows);
            Fabric f = new Fabric(region, functional ? Fabric.Options.FUNCTIONAL : Fabric.Options.TIMING);
            int need = alg.colours(rows, cols);
            int[] colours = new int[need];
            for (int i = 0; i < need; i++) {
                colours[i] = i;
            }
            int perWavelet = params.waveletPayloadBits() / (type.sourceBytes() * 8);
            int elems = b * perWavelet;
            CodeMap code = new CodeMap(alg.cliName(), params.sram());
            int addr = code.buffer("vector", (long) elems * type.sourceBytes());
            int n = Math.max(rows, cols);
            Line line = column ? Line.column(0, 0, rows) : Line.row(0, 0, cols);
            RouteBook rb = new RouteBook(f);
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
            f.prepare();
            if (functional) {
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        if (code.at(x, y).opCount() > 0) {
                            float[] v = new float[elems];
                            for (int e = 0; e < elems; e++) {
                                v[e] = ((x * 7 + y * 13 + e * 3) % 9) - 4;
                            }
                            f.writeMemory(x, y, addr, v, type);
                        }
                    }
                }
            }
            Consumer<long[]> hash = functional ? h -> {
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        if (code.at(x, y).opCount() > 0) {
                            mix(h, f.readMemory(x, y, addr, elems, type));
                        }
                    }
                }
            } : null;
            return new Built(f, hash, Long.MAX_VALUE);
        };
        return new Case(key, () -> {
            try {
                return build.get();
            } catch (ConfigException ex) {
                return new Built(null, null, ex.getMessage().hashCode());
            }
        }, (long) rows * cols * b <= TRACE_LIMIT);
    }

    private static Program sender(WseParams p, String name, int colour, int n) {
        ProgramBuilder b = new ProgramBuilder(name, p.sram(), name).output(0, colour);
        int addr = b.buffer("v", n * 4L);
        return b.task(0, "send").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(0), Operand.mem(addr))).done().build();
    }

    private static Program receiver(WseParams p, String name, int colour, int n) {
        ProgramBuilder b = new ProgramBuilder(name, p.sram(), name).input(0, colour);
        int addr = b.buffer("v", n * 4L);
        return b.task(0, "recv").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(addr), Operand.fabricIn(0))).done().build();
    }

    private static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (i + 1);
        }
        return v;
    }

    /** Hand-built scenarios on an 8 x 8 fabric with parameters {@code p}. */
    private static List<Case> scenarios(String sys, WseParams p) {
        List<Case> cs = new ArrayList<>();
        // A cyclic route that fills and deadlocks.
        cs.add(new Case(sys + " scenario ring-deadlock", () -> {
            Fabric f = new Fabric(p, Fabric.Options.TIMING);
            int c = 7;
            f.setRoute(0, 0, c, dirs(RAMP, S), dirs(E));
            f.setRoute(1, 0, c, dirs(RAMP, W), dirs(S));
            f.setRoute(1, 1, c, dirs(RAMP, N), dirs(W));
            f.setRoute(0, 1, c, dirs(RAMP, E), dirs(N));
            for (int[] xy : new int[][] {{0, 0}, {1, 0}, {1, 1}, {0, 1}}) {
                f.load(xy[0], xy[1], sender(p, "ring-sender", c, 6 + xy[0] + 2 * xy[1]));
            }
            return new Built(f, null, 100_000);
        }, true));
        // Two colours share a link; microthreads receive both.
        for (int n : new int[] {3, 200}) {
            cs.add(new Case(sys + " scenario shared-link n=" + n, () -> {
                Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
                f.setRoute(0, 0, 0, dirs(RAMP), dirs(E));
                f.setRoute(1, 0, 0, dirs(W), dirs(E));
                f.setRoute(2, 0, 0, dirs(W), dirs(E));
                f.setRoute(3, 0, 0, dirs(W), dirs(RAMP));
                f.setRoute(1, 1, 1, dirs(RAMP), dirs(N));
                f.setRoute(1, 0, 1, dirs(S), dirs(E));
                f.setRoute(2, 0, 1, dirs(W), dirs(E));
                f.setRoute(3, 0, 1, dirs(W), dirs(RAMP));
                f.load(0, 0, sender(p, "a", 0, n));
                f.load(1, 1, sender(p, "b", 1, n));
                ProgramBuilder rb = new ProgramBuilder("sink", p.sram(), "sink").input(0, 0).input(1, 1);
                int va = rb.buffer("a", n * 4L);
                int vb = rb.buffer("b", n * 4L);
                Program sink = rb.task(0, "recv").activeAtStart()
                        .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(va), Operand.fabricIn(0)).async(1))
                        .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(vb), Operand.fabricIn(1)).async(2))
                        .done().build();
                f.load(3, 0, sink);
                f.prepare();
                f.writeMemory(0, 0, 0, ramp(n, 1), DType.FP32);
                f.writeMemory(1, 1, 0, ramp(n, -1), DType.FP32);
                return new Built(f, h -> {
                    mix(h, f.readMemory(3, 0, va, n, DType.FP32));
                    mix(h, f.readMemory(3, 0, vb, n, DType.FP32));
                    for (int d = 0; d < 4; d++) {
                        h[0] = h[0] * 31 + f.linkWavelets(1, 0, d);
                    }
                }, 100_000);
            }, true));
        }
        // A congested colour does not block another; ends in a deadlock on the congested colour.
        cs.add(new Case(sys + " scenario congested-colour", () -> {
            Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
            for (int c = 0; c <= 1; c++) {
                f.setRoute(0, 0, c, dirs(RAMP), dirs(E));
                f.setRoute(1, 0, c, dirs(W), dirs(E));
                f.setRoute(2, 0, c, dirs(W), dirs(RAMP));
            }
            int n = 50;
            ProgramBuilder sb = new ProgramBuilder("two-colour-sender", p.sram(), "s").output(0, 0).output(1, 1);
            int v = sb.buffer("v", n * 4L);
            Program send = sb.task(0, "send").activeAtStart()
                    .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(0), Operand.mem(v)).async(1))
                    .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(1), Operand.mem(v)).async(2))
                    .done().build();
            ProgramBuilder rb = new ProgramBuilder("reads-colour-1-only", p.sram(), "r").input(0, 0).input(1, 1);
            int w = rb.buffer("w", n * 4L);
            Program recv = rb.task(0, "recv").activeAtStart()
                    .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(w), Operand.fabricIn(1))).done().build();
            f.load(0, 0, send);
            f.load(2, 0, recv);
            f.prepare();
            f.writeMemory(0, 0, v, ramp(n, 1), DType.FP32);
            return new Built(f, h -> mix(h, f.readMemory(2, 0, w, n, DType.FP32)), 100_000);
        }, true));
        // A memory operation on the main thread while microthread 1 receives (shared datapath).
        cs.add(new Case(sys + " scenario busy-receiver", () -> {
            Fabric f = new Fabric(p, Fabric.Options.TIMING);
            f.setRoute(0, 0, 0, dirs(RAMP), dirs(E));
            f.setRoute(1, 0, 0, dirs(W), dirs(RAMP));
            f.load(0, 0, sender(p, "s", 0, 100));
            ProgramBuilder b = new ProgramBuilder("busy-receiver", p.sram(), "r").input(0, 0);
            int rx = b.buffer("rx", 400);
            int big = b.buffer("big", 16_000);
            Program prog = b.task(0, "t").activeAtStart()
                    .op(Op.vec(VecOpCode.MOV, DType.FP32, 100, Operand.mem(rx), Operand.fabricIn(0)).async(1))
                    .op(Op.vec(VecOpCode.ADD, DType.FP32, 4000, Operand.mem(big), Operand.mem(big), Operand.scalar(1f)))
                    .done().build();
            f.load(1, 0, prog);
            return new Built(f, null, 100_000);
        }, true));
        // The main thread receives in pieces, with memory work in between (receive, compute, receive).
        cs.add(new Case(sys + " scenario receive-compute-receive", () -> {
            Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
            for (int x = 0; x < 5; x++) {
                f.setRoute(x, 0, 2, dirs(x == 0 ? RAMP : W), x == 4 ? dirs(RAMP) : x == 0 ? dirs(E) : dirs(E, RAMP));
            }
            int n = 60;
            f.load(0, 0, sender(p, "s", 2, n));
            ProgramBuilder b = new ProgramBuilder("pieces", p.sram(), "r").input(0, 2);
            int rx = b.buffer("rx", n * 4L);
            int acc = b.buffer("acc", 2000 * 4L);
            Program prog = b.task(0, "t").activeAtStart()
                    .op(Op.vec(VecOpCode.MOV, DType.FP32, 10, Operand.mem(rx), Operand.fabricIn(0)))
                    .op(Op.vec(VecOpCode.ADD, DType.FP32, 2000, Operand.mem(acc), Operand.mem(acc), Operand.scalar(1f)))
                    .op(Op.vec(VecOpCode.ADD, DType.FP32, 20, Operand.mem(rx + 40), Operand.fabricIn(0),
                            Operand.scalar(0.5f)))
                    .op(Op.vec(VecOpCode.MOV, DType.FP32, 1, Operand.mem(rx + 120), Operand.fabricIn(0)))
                    .op(Op.vec(VecOpCode.ADD, DType.FP32, 8, Operand.mem(acc), Operand.mem(acc), Operand.scalar(2f)))
                    .op(Op.vec(VecOpCode.MAX, DType.FP32, 29, Operand.mem(rx + 124), Operand.fabricIn(0),
                            Operand.mem(rx)))
                    .done().build();
            for (int x = 1; x < 5; x++) {
                f.load(x, 0, prog);
            }
            f.prepare();
            f.writeMemory(0, 0, 0, ramp(n, 1.5f), DType.FP32);
            return new Built(f, h -> {
                for (int x = 1; x < 5; x++) {
                    mix(h, f.readMemory(x, 0, rx, n, DType.FP32));
                    mix(h, f.readMemory(x, 0, acc, 8, DType.FP32));
                }
            }, 1_000_000);
        }, true));
        // A data task per wavelet.
        cs.add(new Case(sys + " scenario data-task", () -> {
            Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
            f.setRoute(0, 0, 4, dirs(RAMP), dirs(E));
            f.setRoute(1, 0, 4, dirs(W), dirs(RAMP));
            int n = 64;
            f.load(0, 0, sender(p, "s", 4, n));
            ProgramBuilder b = new ProgramBuilder("accumulate", p.sram(), "r").input(2, 4);
            int acc = b.buffer("acc", n * 4L);
            Program prog = b.dataTask(5, "on-wavelet", 2)
                    .op(Op.vec(VecOpCode.ADD, DType.FP32, 1, Operand.memAdvancing(acc, 1), Operand.wavelet(),
                            Operand.memAdvancing(acc, 1)))
                    .done().build();
            f.load(1, 0, prog);
            f.prepare();
            f.writeMemory(0, 0, 0, ramp(n, 1), DType.FP32);
            f.writeMemory(1, 0, acc, ramp(n, 100), DType.FP32);
            return new Built(f, h -> mix(h, f.readMemory(1, 0, acc, n, DType.FP32)), 100_000);
        }, true));
        // A receiver that never starts: the wavelets pile up and the run stalls.
        cs.add(new Case(sys + " scenario receiver-too-short", () -> {
            Fabric f = new Fabric(p, Fabric.Options.TIMING);
            for (int x = 0; x < 3; x++) {
                f.setRoute(x, 0, 1, dirs(x == 0 ? RAMP : W), x == 2 ? dirs(RAMP) : dirs(E));
            }
            f.load(0, 0, sender(p, "s", 1, 40));
            f.load(2, 0, receiver(p, "r", 1, 25));
            return new Built(f, null, 100_000);
        }, true));
        // The watchdog: a budget too small for the transfer.
        cs.add(new Case(sys + " scenario watchdog", () -> {
            Fabric f = new Fabric(p, Fabric.Options.TIMING);
            for (int x = 0; x < 3; x++) {
                f.setRoute(x, 0, 1, dirs(x == 0 ? RAMP : W), x == 2 ? dirs(RAMP) : dirs(E));
            }
            f.load(0, 0, sender(p, "s", 1, 400));
            f.load(2, 0, receiver(p, "r", 1, 400));
            return new Built(f, null, 150);
        }, true));
        return cs;
    }

    // ---------------------------------------------------------------------------------------------
    // Running and describing

    private static void mix(long[] h, float[] v) {
        for (float x : v) {
            h[0] = h[0] * 1_000_003L + Float.floatToRawIntBits(x);
        }
    }

    private static String outcome(Built b, boolean traced) {
        if (b.fabric == null) {
            return "config-error=" + Long.toHexString(b.budget) + (traced ? " trace=-" : "");
        }
        Fabric f = b.fabric;
        long[] trace = {17, -1, -1, -1, -1};
        if (traced) {
            f.setCycleObserver(t -> {
                f.checkConservation();
                if (f.waveletHops() != trace[1] || f.rampDeliveries() != trace[2] || f.creditStalls() != trace[3]
                        || f.multicastCopies() != trace[4]) {
                    trace[1] = f.waveletHops();
                    trace[2] = f.rampDeliveries();
                    trace[3] = f.creditStalls();
                    trace[4] = f.multicastCopies();
                    trace[0] = trace[0] * 1_000_003L + t;
                    for (int i = 1; i < 5; i++) {
                        trace[0] = trace[0] * 31 + trace[i];
                    }
                }
            });
        }
        String end;
        try {
            long last = f.run(b.budget);
            end = "ok last=" + last;
        } catch (SimulationStalledException ex) {
            end = "stalled msg=" + Integer.toHexString(ex.getMessage().hashCode());
        }
        f.checkConservation();
        StringBuilder sb = new StringBuilder(end);
        long first = f.firstInjectionCycle();
        sb.append(" cycles=").append(first == Long.MAX_VALUE ? 0 : f.lastWriteEndCycle() - first)
                .append(" first=").append(first == Long.MAX_VALUE ? -1 : first)
                .append(" writeEnd=").append(f.lastWriteEndCycle())
                .append(" lastActive=").append(f.lastActiveCycle())
                .append(" activeCycles=").append(f.activeCycles())
                .append(" hops=").append(f.waveletHops())
                .append(" ramp=").append(f.rampDeliveries())
                .append(" injected=").append(f.injected())
                .append(" copies=").append(f.multicastCopies())
                .append(" consumed=").append(f.consumed())
                .append(" ctrl=").append(f.controlAbsorbed())
                .append(" stalls=").append(f.creditStalls())
                .append(" steps=").append(f.peFabricSteps())
                .append(" held=").append(f.heldWavelets())
                .append(" pending=").append(f.hasPendingWork());
        if (b.memoryHash != null) {
            long[] h = {1};
            b.memoryHash.accept(h);
            sb.append(" mem=").append(Long.toHexString(h[0]));
        }
        if (traced) {
            sb.append(" trace=").append(Long.toHexString(trace[0]));
        }
        return sb.toString();
    }
}
