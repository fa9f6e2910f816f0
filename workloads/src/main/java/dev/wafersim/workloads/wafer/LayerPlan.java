package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.memory.sram.SramLayout;
import dev.wafersim.workloads.model.AttentionType;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.NumberFormat;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.model.TensorRole;

/**
 * Where every number of one transformer layer lives in its region of {@code cols} x {@code rows}
 * PEs, and how much SRAM each PE needs. Local coordinates: column u from west, row v from the
 * input edge (see {@link Region}).
 *
 * <p>The layout (the default strategy's, drawn in the README):
 * <ul>
 * <li>The hidden vector of the layer (input, residual, output) is split across columns: column u
 *     holds elements {@link #hStart(int)} .. + {@link #hLen(int)} on its input-edge PE (row 0)
 *     and, at the end, on its output-edge PE (row rows-1).</li>
 * <li>Rows are grouped into one band per KV head; inside band g, each row owns some rotary pairs
 *     (d, d + headDim/2) of head dimensions: row v holds {@link #dims(int)} dimensions of KV head g
 *     and of the {@link #groupSize()} query heads that share it. The QKV projection's outputs of row
 *     v are exactly those q, k and v dimensions, so attention needs no reshuffle.</li>
 * <li>The FFN's inner dimension is split across rows ({@link #fStart(int)}).</li>
 * <li>Each PE (u, v) holds the weight tiles [outputs of row v] x [inputs of column u] of the
 *     projections whose outputs are split by rows (QKV, gate/up), and [outputs of column u] x
 *     [inputs of row v] of those whose inputs are split by rows (attention output, down).</li>
 * <li>The KV cache is split by token across columns, round-robin (token slot s in column s mod
 *     cols, so every column attends to the same number of tokens, give or take one; a ring of the
 *     window size on sliding-window layers) and by dimension across rows: PE (u, v) holds the keys
 *     and values of its row's dimensions for its column's tokens.</li>
 * </ul>
 * All PEs share one SRAM layout sized for the largest share; placing it fails with a message
 * naming the layer, the buffer and the shortfall when a PE would need more than it holds.
 */
final class LayerPlan {
    final ModelSpec model;
    final int layer;
    final int cols;
    final int rows;
    /** Sequences of the batch (the KV cache holds every one's, and the input/output edges their vectors). */
    final int batch;
    /**
     * Sequences that go through the layer together (a pass): the working buffers (normalized
     * inputs, partial sums, scores, ...) hold one pass's; a batch larger than this runs in
     * ceil(batch / passBatch) passes one after the other on the same PEs.
     */
    final int passBatch;
    final long capacityPositions;
    /**
     * True for a prefill chunk: the batch's "sequences" are consecutive tokens of one sequence that
     * share one KV cache, token i of the chunk at position (first + i) attending causally over
     * first + i + 1 positions; false for decode, every sequence with its own cache.
     */
    final boolean chunk;
    /**
     * True when the passes of a decode batch reuse the KV caches of the first pass (sequence s reads
     * cache s mod passBatch): for timing episodes of a few identical passes at a long context, whose
     * caches would not all fit a PE; a PE's time does not depend on which of its cache addresses it reads.
     */
    final boolean passCaches;
    final boolean sliding;
    final int window;
    final int experts;
    final DType accumulate;
    final Precision precision;

    final int hidden;
    final int headDim;
    final int pairsPerHead;
    final int heads;
    final int kvHeads;
    final int group;
    final int ffn;

    // Maxima over PEs, for the shared layout.
    final int hMax;
    final int dimsMax;
    final int pairsMax;
    final int qkvMax;
    final int fMax;
    final int tMax;

    // Buffer addresses (bytes).
    final int xIn;
    final int xb;
    final int h;
    final int gamma1;
    final int gamma2;
    final int ss;
    final int ssh;
    /** Where the per-PE weight tiles start (after the buffers every PE shares). */
    final int tileBase;
    final int wrouter;
    final int acc;
    final int accd;
    final int rope;
    final int ropeTmp;
    final int kcache;
    final int vcache;
    final int qrow;
    final int kvnew;
    final int scores;
    final int stats;
    final int opart;
    final int routerLogits;
    final int wtmp;
    final int qkvBias;
    final int dataBytesPerPe;
    final SramLayout layout;

    /** Bytes of every PE's key and value caches (the same on every PE: one shared layout). */
    long kvBytesPerPe() {
        return kcache < 0 ? 0 : 2L * caches() * dimsMax * pad(tMax) * precision.kvBytesPerElement();
    }

    /** Passes of the batch through the layer: ceil(batch / passBatch). */
    int passes() {
        return (batch + passBatch - 1) / passBatch;
    }

    /** Largest vocabulary share of a row (head plans). */
    final int vocabMax;

    /** First vocabulary row held by row v (head plans). */
    int vocabStart(int v) {
        return (int) split(model.vocabSize(), rows, v);
    }

    /** Vocabulary rows held by row v (head plans). */
    int vocabLen(int v) {
        return vocabStart(v + 1) - vocabStart(v);
    }

    /** The row of PEs holding vocabulary (embedding) row {@code token} (head plans). */
    int rowOfToken(int token) {
        int v = (int) ((long) token * rows / model.vocabSize());
        while (vocabStart(v + 1) <= token) {
            v++;
        }
        while (vocabStart(v) > token) {
            v--;
        }
        return v;
    }

    /** Bytes per accumulator element (2 for fp16, 4 for fp32 accumulation). */
    final int accBytes;

    /**
     * Weight-tile columns are padded to a multiple of this many elements: 8 (16 bytes) keeps every
     * column on the same bank phase, so the accumulator (offset by 8 bytes) never shares a bank with
     * it; 2 packs columns densely and lets bank conflicts cost cycles.
     */
    final int padElems;

    /** True for the LM head / embedding table region (a vocabulary projection), false for a layer. */
    final boolean head;

    LayerPlan(ModelSpec model, int layer, int cols, int rows, int batch, long finalPositions, Precision precision,
              DType accumulate, WseParams wp, int padElems) {
        this(model, layer, cols, rows, batch, batch, finalPositions, precision, accumulate, wp, padElems);
    }

    /** A layer's plan whose batch runs in passes of {@code perPass} sequences. */
    LayerPlan(ModelSpec model, int layer, int cols, int rows, int batch, int perPass, long finalPositions,
              Precision precision, DType accumulate, WseParams wp, int padElems) {
        this(model, layer, cols, rows, batch, perPass, finalPositions, precision, accumulate, wp, false, padElems, false, false);
    }

    /**
     * A layer's plan for a prefill chunk of {@code tokens} tokens of one sequence in passes (sub-chunks) of
     * {@code perPass} tokens: one KV cache of {@code finalPositions} positions shared by every token, the
     * working buffers sized for one pass.
     */
    static LayerPlan chunk(ModelSpec model, int layer, int cols, int rows, int tokens, int perPass, long finalPositions,
                           Precision precision, DType accumulate, WseParams wp, int padElems) {
        return new LayerPlan(model, layer, cols, rows, tokens, perPass, finalPositions, precision, accumulate, wp, false,
                padElems, true, false);
    }

    /**
     * A layer's plan for timing {@code batch} decode sequences in passes of {@code perPass}, the passes
     * reading the caches of the first pass ({@link #passCaches}).
     */
    static LayerPlan decodePasses(ModelSpec model, int layer, int cols, int rows, int batch, int perPass,
                                  long finalPositions, Precision precision, DType accumulate, WseParams wp,
                                  int padElems) {
        return new LayerPlan(model, layer, cols, rows, batch, perPass, finalPositions, precision, accumulate, wp, false,
                padElems, false, true);
    }

    /** The KV caches the plan holds: one per sequence, or one shared by a chunk's tokens. */
    int caches() {
        return chunk ? 1 : passCaches ? Math.min(batch, passBatch) : batch;
    }

    /** The KV cache (0-based) of sequence {@code s} of the batch. */
    int cacheOf(int s) {
        return chunk ? 0 : s % caches();
    }

    /**
     * The plan of the LM head region ({@code head} true): the vocabulary projection's rows split
     * across the region's rows, its inputs across columns; the same tiles serve embedding lookups
     * when the model ties its embeddings (a table row's pieces sit in one row of PEs, one per
     * column, matching the columns of the layer regions).
     */
    static LayerPlan head(ModelSpec model, int cols, int rows, int batch, int perPass, Precision precision,
                          DType accumulate, WseParams wp, int padElems) {
        return new LayerPlan(model, -1, cols, rows, batch, perPass, 1, precision, accumulate, wp, true, padElems, false, false);
    }

    /** The plan of an untied embedding table region (lookups only), laid out like a head. */
    static LayerPlan embedding(ModelSpec model, int cols, int rows, int batch, int perPass, Precision precision,
                               DType accumulate, WseParams wp, int padElems) {
        return new LayerPlan(model, -2, cols, rows, batch, perPass, 1, precision, accumulate, wp, true, padElems, false, false);
    }

    /** True for an untied embedding table region. */
    boolean embeddingOnly() {
        return layer == -2;
    }

    private LayerPlan(ModelSpec model, int layer, int cols, int rows, int batch, int perPass, long finalPositions,
                      Precision precision, DType accumulate, WseParams wp, boolean head, int padElems, boolean chunk,
                      boolean passCaches) {
        this.chunk = chunk;
        this.passCaches = passCaches;
        if (batch < 1 || perPass < 1) {
            throw new IllegalArgumentException("batch and sequences per pass must be >= 1, got " + batch + ", "
                    + perPass);
        }
        this.passBatch = Math.min(batch, perPass);
        this.head = head;
        if (padElems < 1 || padElems > 64) {
            throw new IllegalArgumentException("tile column padding must be 1..64 elements, got " + padElems);
        }
        this.padElems = padElems;
        this.model = model;
        this.layer = layer;
        this.cols = cols;
        this.rows = rows;
        this.batch = batch;
        this.precision = precision;
        this.accumulate = accumulate;
        this.accBytes = accumulate == DType.FP16 ? 2 : 4;
        this.hidden = model.hiddenSize();
        this.headDim = model.headDim();
        this.heads = model.numHeads();
        this.kvHeads = model.numKvHeads();
        this.group = model.queryHeadsPerKvHead();
        this.ffn = model.ffnHiddenSize();
        this.experts = model.isMixtureOfExperts() ? model.numExperts() : 1;
        this.sliding = !head && model.attention().type(layer) == AttentionType.SLIDING;
        this.window = head ? 0 : model.attention().windowTokens(layer);
        this.capacityPositions = sliding ? Math.min(window, finalPositions) : finalPositions;
        if (hidden % 2 != 0 || headDim % 2 != 0 || ffn % 2 != 0) {
            throw new ConfigException("model " + model.name() + ": the wafer mapping needs even hidden, head and FFN"
                    + " sizes (fp16 values travel in pairs)");
        }
        this.pairsPerHead = headDim / 2;
        String where = (layer == -2 ? "the embedding table" : head ? "the LM head" : "layer " + layer) + " of " + model.name() + " on " + cols + " x " + rows
                + " PEs";
        if (cols < 2 || rows < (head ? 2 : Math.max(2, kvHeads))) {
            throw new ConfigException(where + ": a layer region needs at least 2 columns and max(2, "
                    + kvHeads + " KV heads) rows");
        }
        this.fStarts = balanceFfn();
        int hm = 0;
        for (int u = 0; u < cols; u++) {
            hm = Math.max(hm, hLen(u));
        }
        this.hMax = hm;
        int pm = 0;
        int fm = 0;
        for (int v = 0; v < rows; v++) {
            pm = Math.max(pm, pairs(v));
            fm = Math.max(fm, fLen(v));
        }
        this.pairsMax = pm;
        this.dimsMax = 2 * pm;
        this.qkvMax = (group + 2) * dimsMax;
        this.fMax = fm;
        long tm = 0;
        for (int u = 0; u < cols; u++) {
            tm = Math.max(tm, tLen(u));
        }
        this.tMax = (int) tm;

        layout = new SramLayout(wp.sram(), where);
        int b = passBatch;
        if (head) {
            int vm = 0;
            for (int v = 0; v < rows; v++) {
                vm = Math.max(vm, vocabLen(v));
            }
            this.vocabMax = vm;
            xIn = layout.place("final hidden state", (long) batch * hMax * 2, 16);
            xb = layout.place("normalized input", (long) b * hMax * 2, 16);
            gamma1 = layout.place("final norm weights", (long) hMax * 2, 16);
            ss = layout.place("norm statistics", (long) b * 4, 16);
            ssh = layout.place("norm scale", (long) b * 2, 16);
            TensorRole role = headRole();
            acc = layout.place("logits", (long) b * pad(vm) * accBytes + 8, 16) + 8;
            stats = layout.place("argmax", (long) b * 2 * 2, 16);
            boolean quantized = precision.quantizes(role) && precision.weights().bits() < 16;
            wtmp = quantized ? layout.place("widened weight column", (long) pad(vm) * 2, 16) : -1;
            h = gamma2 = wrouter = accd = rope = ropeTmp = kcache = vcache = qrow = kvnew = -1;
            scores = opart = routerLogits = qkvBias = -1;
            tileBase = align16(layout.usedBytes());
            dataBytesPerPe = checkTiles(where, wp);
            return;
        }
        this.vocabMax = 0;
        xIn = layout.place("layer input/output", (long) batch * hMax * 2, 16);
        xb = layout.place("normalized input", (long) b * hMax * 2, 16);
        h = layout.place("residual", (long) b * hMax * 2, 16);
        gamma1 = layout.place("norm 1 weights", (long) hMax * 2, 16);
        gamma2 = layout.place("norm 2 weights", (long) hMax * 2, 16);
        ss = layout.place("norm statistics", (long) b * 4, 16);
        ssh = layout.place("norm scale", (long) b * 2, 16);
        wrouter = model.isMixtureOfExperts()
                ? layout.place("router weights", tileBytes(TensorRole.ROUTER, hMax, experts), 16) : -1;
        routerLogits = model.isMixtureOfExperts() ? layout.place("router logits", (long) b * pad(experts) * 4, 16) : -1;
        int accElems = Math.max(Math.max(pad(qkvMax), pad(2 * fMax)), pad(hMax));
        // Accumulators start 8 bytes into a 16-byte line: their 64-bit accesses then fall in the other
        // four banks than those of the weight columns (which start on 16-byte lines).
        acc = layout.place("partial sums", (long) b * accElems * accBytes + 8, 16) + 8;
        accd = layout.place("down partial sums", (long) b * pad(hMax) * accBytes + 8, 16) + 8;
        rope = layout.place("rotary cos/sin", 4L * pairsMax * 2, 16);
        ropeTmp = layout.place("rotary scratch", 4L * pairsMax * 2, 16);
        int kvBytes = precision.kvBytesPerElement();
        kcache = layout.place("key cache", (long) caches() * dimsMax * pad(tMax) * kvBytes, 16);
        vcache = layout.place("value cache", (long) caches() * dimsMax * pad(tMax) * kvBytes, 16);
        // Query slice, attention output slice and FFN activation slice (one at a time).
        qrow = layout.place("row vector", (long) b * Math.max(qkvMax, Math.max(fMax, group * dimsMax)) * 2, 16);
        kvnew = layout.place("new key/value", (long) b * 2 * dimsMax * 2, 16);
        scores = layout.place("scores", (long) b * group * pad(tMax) * 2 + 8, 16) + 8;
        stats = layout.place("softmax statistics", (long) b * group * 2 * 3, 16);
        opart = layout.place("attention output", (long) b * group * dimsMax * 2, 16);
        boolean quantized = precision.weights().bits() < 16;
        wtmp = quantized ? layout.place("widened weight column", (long) accElems * 2, 16) : -1;
        qkvBias = model.qkvBias() ? layout.place("QKV bias", (long) qkvMax * 2, 16) : -1;
        if (precision.kvBytesPerElement() != 2) {
            throw new ConfigException("the wafer mapping keeps the KV cache in 16 bits; " + precision.label()
                    + " asks for " + precision.kvCache().word());
        }
        tileBase = align16(layout.usedBytes());
        dataBytesPerPe = checkTiles(where, wp);
    }

    private static int align16(long n) {
        return (int) ((n + 15) & ~15L);
    }

    TensorRole ffnRole() {
        return model.isMixtureOfExperts() ? TensorRole.EXPERT : TensorRole.FFN;
    }

    TensorRole headRole() {
        return model.tiedEmbeddings() || layer == -2 ? TensorRole.EMBEDDING : TensorRole.LM_HEAD;
    }

    /** Bytes of PE (u, v)'s QKV tile (head plans: its vocabulary tile). */
    long qkvTileBytes(int u, int v) {
        return head ? tileBytes(headRole(), hLen(u), vocabLen(v)) : tileBytes(TensorRole.ATTENTION, hLen(u), qkvRows(v));
    }

    /** Bytes of PE (u, v)'s attention-output tile. */
    long oTileBytes(int u, int v) {
        return head ? 0 : tileBytes(TensorRole.ATTENTION, oRows(v), hLen(u));
    }

    /** Bytes of one expert's gate/up tile of PE (u, v). */
    long guTileBytes(int u, int v) {
        return head ? 0 : tileBytes(ffnRole(), hLen(u), 2 * fLen(v));
    }

    /** Bytes of one expert's down tile of PE (u, v). */
    long downTileBytes(int u, int v) {
        return head ? 0 : tileBytes(ffnRole(), fLen(v), hLen(u));
    }

    /** Byte address of PE (u, v)'s QKV (or vocabulary) tile. */
    int wqkv(int u, int v) {
        return tileBase;
    }

    /** Byte address of PE (u, v)'s attention-output tile. */
    int wo(int u, int v) {
        return wqkv(u, v) + align16(qkvTileBytes(u, v));
    }

    /** Byte address of PE (u, v)'s gate/up tiles (one per expert). */
    int wgu(int u, int v) {
        return wo(u, v) + align16(oTileBytes(u, v));
    }

    /** Byte address of PE (u, v)'s down tiles (one per expert). */
    int wdown(int u, int v) {
        return wgu(u, v) + align16((long) experts * guTileBytes(u, v));
    }

    /** End of PE (u, v)'s data. */
    long end(int u, int v) {
        return wdown(u, v) + (long) experts * downTileBytes(u, v);
    }

    /**
     * Checks that every PE's shared buffers and own weight tiles fit its SRAM and returns the largest
     * PE's bytes; otherwise a ConfigException names the region, the largest PE and the shortfall.
     */
    private int checkTiles(String where, WseParams wp) {
        long worst = 0;
        int wu = 0;
        int wv = 0;
        // hLen takes at most two values: check one column of each.
        int[] probe = hLen(0) == hLen(cols - 1) ? new int[] {0} : new int[] {0, cols - 1};
        for (int u : probe) {
            for (int v = 0; v < rows; v++) {
                long e = end(u, v);
                if (e > worst) {
                    worst = e;
                    wu = u;
                    wv = v;
                }
            }
        }
        for (int u = 0; u < cols; u++) {
            if (hLen(u) > hLen(wu)) {
                long e = end(u, wv);
                if (e > worst) {
                    worst = e;
                    wu = u;
                }
            }
        }
        int cap = wp.sram().dataBytesPerPe();
        if (worst > cap) {
            throw new ConfigException(String.format(java.util.Locale.ROOT,
                    "%s: PE (%d,%d) needs %,d bytes of SRAM (%,d of buffers and %,d of weight tiles) but holds %,d"
                    + " bytes of data (%,d minus %,d reserved for code); short by %,d bytes", where, wu, wv, worst,
                    tileBase, worst - tileBase, cap, wp.sram().bytesPerPe(), wp.sram().codeReserveBytes(), worst - cap));
        }
        return (int) worst;
    }

    /** SRAM bytes of data over all PEs of the region. */
    long totalBytes() {
        long sum = 0;
        for (int u = 0; u < cols; u++) {
            for (int v = 0; v < rows; v++) {
                sum += end(u, v);
            }
        }
        return sum;
    }

    /** Bytes of a weight tile stored column by column, each column padded to {@link #colPad}. */
    long tileBytes(TensorRole role, int in, int out) {
        if (in == 0 || out == 0) {
            return 0;
        }
        return precision.matrixBytes(role, in, colPad(out));
    }

    /** Elements of a stored weight column of {@code n} outputs (padded). */
    int colPad(int n) {
        return (n + padElems - 1) / padElems * padElems;
    }

    /** Rounds a count of elements up to a multiple of 8 (16 bytes of fp16). */
    static int pad(int n) {
        return (n + 7) & ~7;
    }

    /** Rounds up to an even count (fp16 values travel in pairs). */
    static int even(int n) {
        return (n + 1) & ~1;
    }

    /** Part i of n units split into k parts as evenly as possible: start of part i. */
    static long split(long n, int k, int i) {
        return n * i / k;
    }

    /** First hidden element of column u. */
    int hStart(int u) {
        return (int) split(hidden, cols, u);
    }

    /** Hidden elements of column u. */
    int hLen(int u) {
        return hStart(u + 1) - hStart(u);
    }

    /** First row of KV band g. */
    int bandStart(int g) {
        return (int) split(rows, kvHeads, g);
    }

    /** Rows of KV band g. */
    int bandRows(int g) {
        return bandStart(g + 1) - bandStart(g);
    }

    /** The KV band of row v. */
    int band(int v) {
        int g = (int) ((long) v * kvHeads / rows);
        while (bandStart(g + 1) <= v) {
            g++;
        }
        while (bandStart(g) > v) {
            g--;
        }
        return g;
    }

    /** First rotary pair (0..headDim/2) of row v within its head. */
    int pairStart(int v) {
        int g = band(v);
        return (int) split(pairsPerHead, bandRows(g), v - bandStart(g));
    }

    /** Rotary pairs of row v. */
    int pairs(int v) {
        int g = band(v);
        int i = v - bandStart(g);
        return (int) (split(pairsPerHead, bandRows(g), i + 1) - split(pairsPerHead, bandRows(g), i));
    }

    /** Head dimensions of row v (lower and upper half of its pairs). */
    int dims(int v) {
        return 2 * pairs(v);
    }

    /** QKV outputs of row v: its dimensions of the group's query heads, of the key and of the value. */
    int qkvRows(int v) {
        return (group + 2) * dims(v);
    }

    /** Attention outputs of row v (inputs of the output projection): group query heads x dims. */
    int oRows(int v) {
        return group * dims(v);
    }

    /** Cumulative FFN split: row v holds FFN elements fStarts[v] .. fStarts[v + 1]. */
    private final int[] fStarts;

    /**
     * Splits the FFN's inner dimension across rows so that every row carries the same weight bytes:
     * a row's tiles hold (QKV rows + attention-output inputs) attention weights per hidden element
     * and 3 E per FFN element (gate, up, down of each of the E experts; E = 1 for a dense FFN), so
     * row v gets f(v) = (T - a(v)) / (3 E) FFN elements with a(v) = qkvRows(v) + oRows(v) and T
     * chosen so the shares add up to the FFN width. (The LM head and embedding regions have no FFN.)
     * With many experts the FFN dwarfs attention and the split is close to even.
     */
    private int[] balanceFfn() {
        int[] starts = new int[rows + 1];
        if (head) {
            return starts;
        }
        double sumA = 0;
        for (int v = 0; v < rows; v++) {
            sumA += qkvRows(v) + oRows(v);
        }
        double perFfnElement = 3.0 * experts;
        double t = (perFfnElement * ffn + sumA) / rows;
        double[] want = new double[rows];
        double total = 0;
        for (int v = 0; v < rows; v++) {
            want[v] = Math.max(0, (t - qkvRows(v) - oRows(v)) / perFfnElement);
            total += want[v];
        }
        // Scale (when some rows were clipped at 0) and round cumulatively so the sum is exact.
        double acc = 0;
        for (int v = 0; v < rows; v++) {
            acc += want[v] * ffn / total;
            starts[v + 1] = v == rows - 1 ? ffn : (int) Math.round(acc);
        }
        return starts;
    }

    /** First FFN element of row v. */
    int fStart(int v) {
        return fStarts[v];
    }

    /** FFN elements of row v. */
    int fLen(int v) {
        return fStart(v + 1) - fStart(v);
    }

    /** KV-cache slots of column u: slots are striped round-robin over the columns (slot s in column s mod cols). */
    long tLen(int u) {
        return (capacityPositions + cols - 1 - u) / cols;
    }

    /** Slots filled when {@code positions} tokens (including the new one) are in the cache. */
    long filled(long positions) {
        return Math.min(positions, capacityPositions);
    }

    /**
     * Slots of column u holding attended tokens when {@code positions} tokens (including the new one)
     * are in the cache (a ring of the window on sliding layers): with round-robin striping every
     * column holds filled/cols tokens, the first filled mod cols one more.
     */
    int attended(int u, long positions) {
        long f = filled(positions);
        return (int) ((f + cols - 1 - u) / cols);
    }

    /** The most attended tokens of any column: the length of the longest attention stream. */
    int attendedMax(long positions) {
        return attended(0, positions);
    }

    private long slotOf(long pos) {
        long slot = sliding ? pos % capacityPositions : pos;
        if (slot >= capacityPositions) {
            throw new IllegalStateException("position " + pos + " beyond the KV capacity " + capacityPositions);
        }
        return slot;
    }

    /** The column whose slots hold the token at position {@code pos} (0-based). */
    int columnOf(long pos) {
        return (int) (slotOf(pos) % cols);
    }

    /** The slot of position pos inside its column. */
    int slotInColumn(long pos) {
        return (int) (slotOf(pos) / cols);
    }

    /** Bytes per weight element as stored (for dequantisation costs): 16, 8 or 4 bits. */
    int weightBits(TensorRole role) {
        NumberFormat f = precision.quantizes(role) ? precision.weights() : NumberFormat.BF16;
        return f.bits();
    }
}
