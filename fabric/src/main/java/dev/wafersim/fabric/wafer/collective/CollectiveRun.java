package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.program.DType;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Runs one collective on a fresh fabric (cold start) and measures it: cycles from the first
 * wavelet put on the fabric to the end of the last cycle that wrote a result to SRAM.
 *
 * <p>The fabric simulated is just the region the collective occupies (PEs outside it would be idle
 * and cost nothing); the region must fit in the preset's grid.
 */
public final class CollectiveRun {

    /**
     * What to run.
     *
     * @param algorithm  the collective
     * @param rows       PE rows (1 for row algorithms)
     * @param cols       PE columns (P for row algorithms)
     * @param wavelets   B: vector length in wavelets per PE
     * @param type       FP32 (one element per wavelet) or FP16 (two per wavelet)
     * @param functional compute and check values (slower, more memory)
     */
    public record Spec(Algorithm algorithm, int rows, int cols, int wavelets, DType type, boolean functional) {
        public Spec {
            if (rows < 1 || cols < 1) {
                throw new ConfigException("a collective needs at least one PE; got " + rows + " x " + cols);
            }
            if (wavelets < 1) {
                throw new ConfigException("--wavelets=" + wavelets + " is not allowed; expected an integer >= 1");
            }
            if (type == DType.MIXED) {
                throw new ConfigException("collectives move fp32 or packed fp16 wavelets, not mixed precision");
            }
        }

        /** PEs in the region. */
        public int pes() {
            return rows * cols;
        }
    }

    /**
     * The measurement.
     *
     * @param cycles          first injection to end of the last SRAM write, in cycles
     * @param expectedCycles  the model's prediction ({@link Algorithm#expectedCycles})
     * @param waveletHops     router-to-router link traversals
     * @param rampDeliveries  router-to-PE deliveries
     * @param coloursUsed     colours the algorithm took
     * @param programs        distinct PE programs (roles)
     * @param verified        values checked (functional runs) and correct; false when not checked
     * @param wallSeconds     host time to build and run
     * @param periodPs        the clock period, for converting cycles to time
     */
    public record Result(long cycles, long expectedCycles, long waveletHops, long rampDeliveries, int coloursUsed,
                         int programs, boolean verified, double wallSeconds, long periodPs) {
        /** The cycles in microseconds at the preset's clock. */
        public double micros() {
            return cycles * (double) periodPs / 1e6;
        }
    }

    private CollectiveRun() {
    }

    /** Runs {@code spec} on the wafer of {@code params}. */
    public static Result run(WseParams params, Spec spec) {
        return run(params, spec, null, Long.MAX_VALUE);
    }

    /**
     * Runs {@code spec}, calling {@code afterEachCycle} (may be null) after every cycle, within a
     * budget of {@code maxCycles}.
     */
    public static Result run(WseParams params, Spec spec, LongConsumer afterEachCycle, long maxCycles) {
        long w0 = System.nanoTime();
        Algorithm alg = spec.algorithm();
        if (!alg.twoDimensional() && spec.rows() > 1 && spec.cols() > 1) {
            throw new ConfigException(alg.cliName() + " runs on a line of PEs; give --pes P (or one of --rows/--cols 1)");
        }
        boolean column = alg == Algorithm.BROADCAST_COL;
        int rows = column ? Math.max(spec.rows(), spec.cols()) : spec.rows();
        int cols = column ? 1 : spec.cols();
        if (!alg.twoDimensional() && !column && rows > 1) {
            cols = rows;
            rows = 1;
        }
        if (cols > params.gridWidthPes() || rows > params.gridHeightPes()) {
            throw new ConfigException(String.format(Locale.ROOT,
                    "a %d x %d region (columns x rows) does not fit the %d x %d grid of this system", cols, rows,
                    params.gridWidthPes(), params.gridHeightPes()));
        }
        WseParams region = params.withGrid(cols, rows);
        Fabric f = new Fabric(region, spec.functional() ? Fabric.Options.FUNCTIONAL : Fabric.Options.TIMING);
        ColourPool pool = new ColourPool(params.colours());
        int need = alg.colours(rows, cols);
        int[] colours = pool.take(need, alg.cliName() + " over " + Math.max(rows, cols) + " PEs");
        int perWavelet = params.waveletPayloadBits() / (spec.type().sourceBytes() * 8);
        int elems = spec.wavelets() * perWavelet;
        CodeMap code = new CodeMap(alg.cliName(), params.sram());
        RouteBook routes = new RouteBook(f);
        int addr = code.buffer("vector", (long) elems * spec.type().sourceBytes());
        int n = Math.max(rows, cols);
        Line line = column ? Line.column(0, 0, rows) : Line.row(0, 0, cols);
        switch (alg) {
            case BROADCAST_ROW, BROADCAST_COL -> Collectives.broadcast(routes, code, line, colours[0], addr, elems, spec.type());
            case BROADCAST_2D -> Collectives.broadcast2d(routes, code, 0, 0, cols, rows, colours[0], addr, elems, spec.type());
            case REDUCE_CHAIN -> Collectives.reduceChain(routes, code, line, colours, addr, elems, spec.type());
            case REDUCE_STAR -> Collectives.reduceStar(routes, code, line, colours[0], addr, elems, spec.type());
            case REDUCE_TREE -> Collectives.reduceTree(routes, code, line, colours, addr, elems, spec.type());
            case REDUCE_TWO_PHASE -> Collectives.reduceTwoPhase(routes, code, line, colours,
                    Collectives.twoPhaseGroup(n), addr, elems, spec.type());
            case ALLREDUCE_RING -> Collectives.allreduceRing(routes, code, line, colours, addr, spec.wavelets(), perWavelet,
                    spec.type());
            case REDUCE_2D -> Collectives.reduce2d(routes, code, 0, 0, cols, rows, colours, addr, elems, spec.type());
        }
        int programs = code.install(f);
        f.prepare();
        float[][] initial = null;
        if (spec.functional()) {
            initial = new float[rows * cols][];
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    float[] v = initialValues(x, y, elems);
                    initial[y * cols + x] = v;
                    if (f.loadedPes() > 0 && hasPe(code, x, y)) {
                        f.writeMemory(x, y, addr, v, spec.type());
                    }
                }
            }
        }
        if (afterEachCycle != null) {
            f.setCycleObserver(afterEachCycle);
        }
        f.run(maxCycles);
        boolean verified = false;
        if (spec.functional()) {
            verify(f, alg, rows, cols, addr, elems, spec.type(), initial);
            verified = true;
        }
        long cycles = f.firstInjectionCycle() == Long.MAX_VALUE ? 0 : f.lastWriteEndCycle() - f.firstInjectionCycle();
        double wall = (System.nanoTime() - w0) / 1e9;
        return new Result(cycles, alg.expectedCycles(params, rows, cols, spec.wavelets()), f.waveletHops(),
                f.rampDeliveries(), need, programs, verified, wall, params.clock().periodPs());
    }

    private static boolean hasPe(CodeMap code, int x, int y) {
        return code.at(x, y).opCount() > 0;
    }

    /** Small integers (exact in fp16 and fp32 sums up to thousands of PEs). */
    static float[] initialValues(int x, int y, int elems) {
        float[] v = new float[elems];
        for (int e = 0; e < elems; e++) {
            v[e] = ((x * 7 + y * 13 + e * 3) % 9) - 4;
        }
        return v;
    }

    private static void verify(Fabric f, Algorithm alg, int rows, int cols, int addr, int elems, DType type,
                               float[][] initial) {
        float[] sum = new float[elems];
        for (float[] v : initial) {
            for (int e = 0; e < elems; e++) {
                sum[e] += v[e];
            }
        }
        switch (alg) {
            case BROADCAST_ROW, BROADCAST_COL, BROADCAST_2D -> {
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        check(f, x, y, addr, elems, type, initial[0], alg);
                    }
                }
            }
            case ALLREDUCE_RING -> {
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        check(f, x, y, addr, elems, type, sum, alg);
                    }
                }
            }
            default -> check(f, 0, 0, addr, elems, type, sum, alg);
        }
    }

    private static void check(Fabric f, int x, int y, int addr, int elems, DType type, float[] expected,
                              Algorithm alg) {
        if (rowsCols(f) == 1) {
            return;
        }
        float[] got = f.readMemory(x, y, addr, elems, type);
        for (int e = 0; e < elems; e++) {
            if (got[e] != expected[e]) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s: PE (%d,%d) element %d is %s, expected %s", alg.cliName(), x, y, e, got[e], expected[e]));
            }
        }
    }

    private static int rowsCols(Fabric f) {
        return f.width() * f.height();
    }
}
