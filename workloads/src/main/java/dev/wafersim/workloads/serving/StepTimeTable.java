package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Pass times from a memoized table of simulated passes, interpolated: the default of a replay, which
 * times hundreds of thousands of passes of which few have the same composition.
 *
 * <p>A pass is reduced to a canonical composition:
 * <ul>
 *   <li>its decode rows (one new token with logits; with speculative decoding, verify rows of
 *       {@code decodeWidth = K + 1} new tokens, all with logits): their count {@code d} and their mean context
 *       {@code Ld} (the tokens each reads from its KV cache);</li>
 *   <li>its other rows (prefill chunks): their count {@code k}, their logit tokens, and as many
 *       identical rows of {@code n = N / k} new tokens after {@code c} cached ones, with {@code N} the
 *       new tokens of those rows and {@code c} chosen so that the identical rows have the same causal
 *       attention pairs in all as the real ones ({@link ForwardBatch#attentionPairs()}); for one row
 *       {@code c} is exactly its cached tokens.</li>
 * </ul>
 * {@code d}, {@code Ld}, {@code n} and {@code c} sit between two points of a {@link TableGrid} each
 * ({@code d} on a grid of step 1, exact below {@code 2 x tableStepsPerOctave}; the token axes on
 * {@code serving.tableContextStepTokens} and {@code serving.tableStepsPerOctave}); the time is the
 * multilinear interpolation between the corners, each corner a pass of the canonical composition at
 * grid values, simulated by the step model on first use and kept. Corners of weight zero are not
 * simulated: a pass whose values all sit on grid points costs one lookup.
 *
 * <p>What this preserves: the total new tokens (every weight matmul's M), the decode rows' total KV
 * reads, the prefill rows' attention pairs and the logit rows, up to the interpolation. What it does not:
 * the spread of the decode rows' contexts around their mean (the attention of a batch is taken as that
 * of its mean context) and of the prefill rows' lengths. The README reports the error against
 * {@link ExactStepTimes} on a trace.
 */
public final class StepTimeTable implements StepTimes {
    private static final double SNAP = 1e-9;
    private static final int DIMS = 4;
    private static final int STATES = dev.wafersim.workloads.run.PowerState.values().length;

    private final StepModel model;
    private final int width;
    private final TableGrid batchGrid;
    private final TableGrid contextGrid;
    private final TableGrid chunkGrid;
    private final LongPairIntMap index = new LongPairIntMap();
    private long[] latency = new long[256];
    private long[] interval = new long[256];
    /** Busy device time per power state of each entry, row-major (entry x state). */
    private long[] busy = new long[256 * STATES];
    private final double[] busyAcc = new double[STATES];
    private int entries;
    private long timed;
    private long exactFallbacks;

    // Scratch of one lookup: per dimension the lower and upper grid index and the upper weight.
    private final int[] lo = new int[DIMS];
    private final int[] hi = new int[DIMS];
    private final double[] up = new double[DIMS];
    private final int[] at = new int[DIMS];

    /**
     * A table over {@code model}.
     *
     * @param contextStepTokens grid spacing of the token axes below the octaves (a power of two)
     * @param stepsPerOctave    grid points per doubling (a power of two)
     */
    public StepTimeTable(StepModel model, int contextStepTokens, int stepsPerOctave) {
        this(model, contextStepTokens, stepsPerOctave, 1);
    }

    /**
     * A table over {@code model} whose decode rows feed {@code decodeWidth} tokens each, all with logits (1, or
     * K + 1 for speculative verify steps).
     */
    public StepTimeTable(StepModel model, int contextStepTokens, int stepsPerOctave, int decodeWidth) {
        if (decodeWidth < 1) {
            throw new IllegalArgumentException("decode width " + decodeWidth);
        }
        this.width = decodeWidth;
        this.model = Objects.requireNonNull(model, "model");
        this.batchGrid = new TableGrid(1, stepsPerOctave, 1);
        this.contextGrid = new TableGrid(contextStepTokens, stepsPerOctave, 0);
        this.chunkGrid = new TableGrid(contextStepTokens, stepsPerOctave, 1);
    }

    /** A table with the grid of {@code params}. */
    public StepTimeTable(StepModel model, ServingParams params) {
        this(model, params, 1);
    }

    /** A table with the grid of {@code params} and decode rows of {@code decodeWidth} tokens. */
    public StepTimeTable(StepModel model, ServingParams params, int decodeWidth) {
        this(model, params.tableContextStepTokens(), params.tableStepsPerOctave(), decodeWidth);
    }

    @Override
    public StepModel model() {
        return model;
    }

    @Override
    public void time(PassRows rows, PassTime out) {
        timed++;
        int d = 0;
        long decodeCached = 0;
        int k = 0;
        long prefillNew = 0;
        long prefillPairs = 0;
        long prefillLogits = 0;
        for (int i = 0, n = rows.rows(); i < n; i++) {
            int fresh = rows.newTokens(i);
            int logits = rows.logitTokens(i);
            long cached = rows.cachedTokens(i);
            if (fresh == width && logits == width) {
                d++;
                decodeCached += cached;
            } else {
                k++;
                prefillNew += fresh;
                prefillPairs += fresh * cached + (long) fresh * (fresh + 1) / 2;
                prefillLogits += logits;
            }
        }
        double meanContext = d == 0 ? 0 : (double) decodeCached / d;
        double chunk = k == 0 ? 0 : (double) prefillNew / k;
        double prefix = k == 0 ? 0 : Math.max(0, (prefillPairs / (double) k - chunk * (chunk + 1) / 2) / chunk);
        // Dimensions: 0 decode rows, 1 their mean context, 2 chunk length, 3 chunk prefix.
        place(0, d > 0, batchGrid, d);
        place(1, d > 0, contextGrid, meanContext);
        place(2, k > 0, chunkGrid, chunk);
        place(3, k > 0, contextGrid, prefix);
        double lat = 0;
        double iv = 0;
        java.util.Arrays.fill(busyAcc, 0);
        try {
            for (int mask = 0; mask < 1 << DIMS; mask++) {
                double w = 1;
                for (int dim = 0; dim < DIMS && w > 0; dim++) {
                    boolean upper = (mask & (1 << dim)) != 0;
                    w *= upper ? up[dim] : 1 - up[dim];
                    at[dim] = upper ? hi[dim] : lo[dim];
                }
                if (w == 0) {
                    continue;
                }
                int e = entry(d > 0, k, prefillLogits);
                lat += w * latency[e];
                iv += w * interval[e];
                for (int st = 0; st < STATES; st++) {
                    busyAcc[st] += w * busy[e * STATES + st];
                }
            }
        } catch (ConfigException cornerDoesNotFit) {
            // An upper corner can exceed a limit of the machine (its activation reserve, its KV cache) that
            // the pass itself stays within: time the pass as it is; if it does not fit either, that error stands.
            StepTime t = model.time(rows.toBatch());
            exactFallbacks++;
            out.latencyPs = t.latencyPs();
            out.intervalPs = t.intervalPs();
            for (int st = 0; st < STATES; st++) {
                out.busyDevicePs[st] = t.busyDevicePs()[st];
            }
            return;
        }
        long l = Math.max(1, Math.round(lat));
        out.latencyPs = l;
        out.intervalPs = Math.min(l, Math.max(1, Math.round(iv)));
        for (int st = 0; st < STATES; st++) {
            out.busyDevicePs[st] = Math.round(busyAcc[st]);
        }
    }

    /** Sets dimension {@code dim}'s corner indices and upper weight for {@code x} (inactive: one corner). */
    private void place(int dim, boolean active, TableGrid grid, double x) {
        if (!active) {
            lo[dim] = -1;
            hi[dim] = -1;
            up[dim] = 0;
            return;
        }
        int i = grid.index(x);
        long v0 = grid.value(i);
        long v1 = grid.value(i + 1);
        double t = (x - v0) / (double) (v1 - v0);
        if (t < SNAP) {
            t = 0;
        } else if (t > 1 - SNAP) {
            t = 1;
        }
        lo[dim] = i;
        hi[dim] = i + 1;
        up[dim] = t;
    }

    /** The table entry of the corner in {@link #at}, simulated on first use. */
    private int entry(boolean decode, int prefillRows, long prefillLogits) {
        long key1 = (at[0] + 1L) | (at[1] + 1L) << 16 | (at[2] + 1L) << 32 | (at[3] + 1L) << 48;
        long key2 = prefillRows | prefillLogits << 32;
        int e = index.get(key1, key2);
        if (e >= 0) {
            return e;
        }
        int d = decode ? (int) batchGrid.value(at[0]) : 0;
        long ld = decode ? contextGrid.value(at[1]) : 0;
        int n = prefillRows > 0 ? (int) chunkGrid.value(at[2]) : 0;
        long c = prefillRows > 0 ? contextGrid.value(at[3]) : 0;
        StepTime t = model.time(canonical(d, ld, width, prefillRows, n, c, prefillLogits));
        if (entries == latency.length) {
            latency = Arrays.copyOf(latency, entries * 2);
            interval = Arrays.copyOf(interval, entries * 2);
            busy = Arrays.copyOf(busy, entries * 2 * STATES);
        }
        latency[entries] = t.latencyPs();
        interval[entries] = t.intervalPs();
        System.arraycopy(t.busyDevicePs(), 0, busy, entries * STATES, STATES);
        index.put(key1, key2, entries);
        return entries++;
    }

    /**
     * The canonical pass: {@code d} decode rows of {@code w} new tokens (all with logits) with {@code ld} cached
     * tokens, then {@code k} rows of {@code n} new tokens after {@code c} cached, sharing {@code logits} logit
     * tokens as evenly as they can (at most {@code n} per row).
     */
    static ForwardBatch canonical(int d, long ld, int w, int k, int n, long c, long logits) {
        long[] cached = new long[d + k];
        int[] fresh = new int[d + k];
        int[] lg = new int[d + k];
        for (int i = 0; i < d; i++) {
            cached[i] = ld;
            fresh[i] = w;
            lg[i] = w;
        }
        for (int j = 0; j < k; j++) {
            cached[d + j] = c;
            fresh[d + j] = n;
            long share = logits / k + (j < logits % k ? 1 : 0);
            lg[d + j] = (int) Math.min(n, share);
        }
        return ForwardBatch.of(cached, fresh, lg);
    }

    @Override
    public long simulatedPasses() {
        return entries + exactFallbacks;
    }

    @Override
    public long timedPasses() {
        return timed;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "step table: %,d passes simulated for %,d timed (interpolated)%s", entries, timed,
                exactFallbacks == 0 ? "" : String.format(Locale.ROOT, ", %,d timed exactly (a table corner beyond the"
                        + " machine's limits)", exactFallbacks));
    }
}
