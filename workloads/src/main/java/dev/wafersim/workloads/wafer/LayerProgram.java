package dev.wafersim.workloads.wafer;

import static dev.wafersim.fabric.wafer.program.Operand.fabricIn;
import static dev.wafersim.fabric.wafer.program.Operand.fabricOut;
import static dev.wafersim.fabric.wafer.program.Operand.mem;
import static dev.wafersim.fabric.wafer.program.Operand.scalar;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.Collectives;
import dev.wafersim.fabric.wafer.collective.Line;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import dev.wafersim.workloads.model.GatedActivation;
import dev.wafersim.workloads.model.TensorRole;

/**
 * Writes the routes and the per-PE instructions of one decode step of one transformer layer on
 * its region, phase after phase, with every instruction tagged by its {@link Phase}. Each PE runs
 * its instructions in order; phases overlap wherever the data allows (a PE starts multiplying as
 * soon as its input slice has arrived, a reduction starts as soon as its tail PE is done).
 *
 * <p>The dataflow (local coordinates, input edge at the top; see {@link LayerPlan} for the layout):
 * <ol>
 * <li>RMSNorm on the input edge: local sums of squares, a chain reduction along row 0, 1/sqrt at
 *     (0,0), broadcast back along row 0, scaling by the norm weights.</li>
 * <li>QKV projection: each column broadcasts its normalized slice down the column; every PE
 *     multiplies its weight tile (axpy per input element, at the SIMD width the SRAM ports allow);
 *     partial sums are chain-reduced along each row to the west edge.</li>
 * <li>Rotary embedding on the west edge; the new key and value go along the row to the column that
 *     holds the new token's slot; the query slice is broadcast along the row.</li>
 * <li>Attention: every PE computes partial scores of its dimensions for its tokens; the partials
 *     are reduced up each KV band to the band's first row; softmax there, with chain reductions of
 *     the max and the sum along that row; the probabilities are broadcast down the band; every PE
 *     computes partial outputs over its tokens, reduced along each row to the west edge.</li>
 * <li>Output projection: broadcast along rows, tiles, chain reduction up each column to the input
 *     edge; residual add there; the residual travels down to the output edge meanwhile.</li>
 * <li>RMSNorm, gate/up projection (like QKV), SiLU x up on the west edge, down projection
 *     (broadcast along rows, reduction down each column to the output edge), residual add.</li>
 * </ol>
 * For a mixture of experts, a router (a small projection on the input edge with a reduction along
 * row 0) precedes the FFN, and the gate/up, activation and down steps run once per expert pass,
 * the down projections accumulating into one reduction.
 */
final class LayerProgram {

    /** The colours of a layer, each used by every phase with the same route pattern. */
    record Colours(int colBroadcast, int colPass, int rowReduce0, int rowReduce1, int upReduce0, int upReduce1,
                   int downReduce0, int downReduce1, int rowBroadcast, int bandReduce0, int bandReduce1,
                   int bandBroadcast) {
        /** Colours 0..11. */
        static Colours standard() {
            return new Colours(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        }

        static final int COUNT = 12;

        /**
         * The second pair of a two-phase reduction whose chains use {@code chain}: its leaders' chain.
         * Colour 12 carries the key/value append; the row reductions' leaders use 13 and 14.
         */
        int[] leaders(int[] chain) {
            if (chain[0] != rowReduce0) {
                throw new IllegalArgumentException("no leader colours for chain colour " + chain[0]);
            }
            return new int[] {COUNT + 1, COUNT + 2};
        }

        /** Colours a layer program needs: the fixed ones, the key/value append, and the leader pair. */
        static int needed(boolean twoPhase) {
            return twoPhase ? COUNT + 3 : COUNT + 1;
        }
    }

    /** The byte address of PE (u, v)'s tile of some weight matrix (tiles differ in size per PE). */
    @FunctionalInterface
    interface TileAddress {
        int at(int u, int v);
    }

    private final LayerPlan p;
    private final Region r;
    private final RouteBook routes;
    private final CodeMap code;
    private final Colours c;
    private final WaferDecodeConfig cfg;
    private final boolean twoPhase;
    /** The pass being written: its first sequence and its number of sequences. */
    private int seq0;
    /** Passes to write: all of them, or the first few. */
    private int passLimit = Integer.MAX_VALUE;
    private int nb;

    private LayerProgram(LayerPlan plan, Region region, RouteBook routes, CodeMap code, WaferDecodeConfig cfg) {
        this.p = plan;
        this.r = region;
        this.routes = routes;
        this.code = code;
        this.c = Colours.standard();
        this.cfg = cfg;
        this.twoPhase = MappingParams.TWO_PHASE.equals(cfg.mapping().reduction());
        int need = Colours.needed(twoPhase);
        if (cfg.wse().colours() < need) {
            throw new ConfigException("fabric.colours=" + cfg.wse().colours() + " is too few: the layer mapping"
                    + (twoPhase ? " with mapping.reduction=two-phase" : "") + " needs " + need + " colours");
        }
    }

    /**
     * Reduces {@code elems} values at {@code addr} along {@code line} into its first PE, combining with
     * {@code combine}: a chain on the pair {@code chain}, or with {@code mapping.reduction=two-phase}
     * a two-phase reduction (chains in groups of an even number of PEs near sqrt(n), then a chain over the group
     * leaders on the direction's leader pair) wherever the cycle model of Luczynski et al. says it is
     * shorter: chain B + (2 T_R + 2)(n - 1) against 2 B + (2 T_R + 2)(g - 1 + ceil(n / g) - 1),
     * B the vector's wavelets.
     */
    private void reduce(Line line, int[] chain, int addr, int elems, DType type, VecOpCode combine) {
        int n = line.length();
        // Only rows (reductions towards the west edge, the lines that grow with the hidden size): a
        // PE's 8 input queues leave room for one leader colour, not one per direction.
        if (twoPhase && n > 3 && chain[0] == c.rowReduce0()) {
            // An even group size: every group then starts on an even PE, so its chain uses the colours
            // of the whole-line chain at every router and a line may mix both kinds (the size of the
            // vector decides per reduction) without two routes for one colour at a router.
            int g = Math.max(2, 2 * (int) Math.round(Math.sqrt(n) / 2));
            int groups = (n + g - 1) / g;
            long perWavelet = Math.max(1, cfg.wse().waveletPayloadBits() / (type.sourceBytes() * 8L));
            long b = (elems + perWavelet - 1) / perWavelet;
            long stage = 2L * cfg.wse().rampLatencyCycles() + 2;
            long chainCycles = b + stage * (n - 1);
            long twoPhaseCycles = 2 * b + stage * (g - 1 + groups - 1);
            if (twoPhaseCycles < chainCycles) {
                int[] lead = c.leaders(chain);
                Collectives.reduceTwoPhase(routes, code, line, new int[] {chain[0], chain[1], lead[0], lead[1]}, g,
                        addr, elems, type, combine);
                return;
            }
        }
        Collectives.reduceChain(routes, code, line, chain, addr, elems, type, combine);
    }

    private void reduce(Line line, int[] chain, int addr, int elems, DType type) {
        reduce(line, chain, addr, elems, type, VecOpCode.ADD);
    }

    /**
     * Writes one layer's decode step and returns its steps: every instruction carries the tag of
     * the step it belongs to (tag i = step i of the list, whose phase says what it does). A step is
     * one phase change of one pass's program; repetitions of the same code (the KV bands of the
     * softmax, the expert passes, the batch's passes) reuse the steps of the first, so the list
     * stays short and a tag's end cycle is that of its last repetition. The last step of each pass
     * carries a pass tag instead ({@link #PASS_TAG_BASE} + pass).
     *
     * @param positions   tokens in the KV cache after this step's token is appended (attended keys)
     * @param expertPasses expert passes of a mixture-of-experts FFN (distinct experts touched)
     */
    static java.util.List<Phase> build(LayerPlan plan, Region region, RouteBook routes, CodeMap code,
                                       WaferDecodeConfig cfg, long positions, int expertPasses) {
        return build(plan, region, routes, code, cfg, positions, expertPasses, Integer.MAX_VALUE);
    }

    /** Like the other, writing only the first {@code passLimit} passes of the batch. */
    static java.util.List<Phase> build(LayerPlan plan, Region region, RouteBook routes, CodeMap code,
                                       WaferDecodeConfig cfg, long positions, int expertPasses, int passLimit) {
        LayerProgram lp = new LayerProgram(plan, region, routes, code, cfg);
        lp.passLimit = passLimit;
        lp.emit(positions, expertPasses);
        return java.util.List.copyOf(lp.steps);
    }

    /**
     * Writes the LM head's step on its region: final RMSNorm on the input edge, the vocabulary
     * projection (inputs by columns, vocabulary rows by rows, reduced to the west edge), then the
     * argmax: each west-edge PE finds its best logit and index, and a chain reduction up the west
     * edge leaves the token at (0, 0).
     */
    static java.util.List<Phase> buildHead(LayerPlan plan, Region region, RouteBook routes, CodeMap code,
                                           WaferDecodeConfig cfg, int passLimit) {
        LayerProgram lp = new LayerProgram(plan, region, routes, code, cfg);
        lp.passLimit = passLimit;
        lp.emitHead();
        return java.util.List.copyOf(lp.steps);
    }

    private void emitHead() {
        for (int s0 = 0; s0 < p.batch && s0 / p.passBatch < passLimit; s0 += p.passBatch) {
            seq0 = s0;
            nb = Math.min(p.passBatch, p.batch - s0);
            step = 0;
            emitHeadPass();
        }
        code.tag(-1);
    }

    private void emitHeadPass() {
        rmsNorm(p.xIn, seq0, p.gamma1);
        TensorRole role = p.model.tiedEmbeddings() ? TensorRole.EMBEDDING : TensorRole.LM_HEAD;
        gemvDownThenWest(p::wqkv, role, v -> p.vocabLen(v));
        phase(Phase.ARGMAX);
        for (int v = 0; v < p.rows; v++) {
            CodeMap.PeCode pc = pe(0, v);
            int n = p.vocabLen(v);
            int stride = LayerPlan.pad(n);
            for (int b = 0; b < nb; b++) {
                Operand best = mem(p.stats + 4 * b, 0);
                pc.op(vec(VecOpCode.MOV, DType.FP16, 1, best, scalar(-65504f)));
                // One pass finds the maximum, a second its index (compare-and-select).
                pc.op(vec(VecOpCode.MAX, DType.FP16, n, best, best, mem(acc16(b, stride))));
                Operand index = mem(p.stats + 4 * b + 2, 0);
                pc.op(vec(VecOpCode.MAX, DType.FP16, n, index, index, mem(acc16(b, stride))));
            }
        }
        passEnd();
        reduce(r.down(0, 0, p.rows), new int[] {c.upReduce0(), c.upReduce1()},
                p.stats, 2 * nb, DType.FP16, VecOpCode.MAX);
        code.tag(-1);
    }

    /**
     * First tag of the pass ends: the instructions that finish pass i carry tag
     * {@code PASS_TAG_BASE + i} (instead of their phase's), so an episode reports when each pass
     * was done. Phases' tags stay below it.
     */
    static final int PASS_TAG_BASE = 64;

    /** Passes whose ends an episode can report. */
    static final int MAX_TAGGED_PASSES = Op.MAX_TAG + 1 - PASS_TAG_BASE;

    /** Tags the instructions that follow (the pass's last step) with the pass's own tag. */
    private void passEnd() {
        int pass = seq0 / p.passBatch;
        if (p.passes() <= MAX_TAGGED_PASSES) {
            code.tag(PASS_TAG_BASE + pass);
        }
    }

    private CodeMap.PeCode pe(int u, int v) {
        return code.at(r.x(u), r.y(v));
    }

    /** The steps of one pass (see {@link #build}); {@code step} is the next one's index. */
    private final java.util.List<Phase> steps = new java.util.ArrayList<>();
    private int step;

    private void phase(Phase ph) {
        if (step < steps.size()) {
            if (steps.get(step) != ph) {
                throw new IllegalStateException("step " + step + " is " + steps.get(step) + " in the first repetition"
                        + " and " + ph + " now");
            }
        } else {
            if (steps.size() >= PASS_TAG_BASE) {
                throw new IllegalStateException("a layer program has more than " + PASS_TAG_BASE + " steps");
            }
            steps.add(ph);
        }
        code.tag(step);
        step++;
    }

    /** {@code op} tagged with the current phase (for instructions built once and shared by PEs). */
    private Op tagged(Op op) {
        return op.tagged(currentTag());
    }

    private int currentTag() {
        return step - 1;
    }

    private static Op vec(VecOpCode op, DType t, int n, Operand dst, Operand a) {
        return Op.vec(op, t, n, dst, a);
    }

    private static Op vec(VecOpCode op, DType t, int n, Operand dst, Operand a, Operand b) {
        return Op.vec(op, t, n, dst, a, b);
    }

    private static Op fma(DType t, int n, Operand dst, Operand a, Operand b, Operand cc) {
        return Op.vec(VecOpCode.FMA, t, n, dst, a, b, cc);
    }

    /** Writes the layer's step for every pass of the batch, one pass after the other. */
    private void emit(long positions, int expertPasses) {
        for (int s0 = 0; s0 < p.batch && s0 / p.passBatch < passLimit; s0 += p.passBatch) {
            seq0 = s0;
            nb = Math.min(p.passBatch, p.batch - s0);
            step = 0;
            emitPass(positions, expertPasses);
        }
        code.tag(-1);
    }

    private void emitPass(long positions, int expertPasses) {
        int rows = p.rows;
        int cols = p.cols;
        // 1. Attention block.
        rmsNorm(p.xIn, seq0, p.gamma1);
        gemvDownThenWest(p::wqkv, TensorRole.ATTENTION, v -> p.qkvRows(v));
        rotary();
        if (p.chunk) {
            appendChunkKv(positions - 1);
        } else {
            appendKv(positions - 1);
        }
        broadcastQuery();
        attention(positions);
        gemvWestThenEdge(p::wo, TensorRole.ATTENTION, v -> p.oRows(v), p.opart, p.acc, true, true, true);
        // Residual add on the input edge; the residual also travels to the output edge.
        phase(Phase.ELEMENTWISE);
        for (int u = 0; u < cols; u++) {
            CodeMap.PeCode pc = pe(u, 0);
            for (int b = 0; b < nb; b++) {
                int n = p.hLen(u);
                pc.op(vec(VecOpCode.ADD, DType.FP16, n, mem(vecAt(p.h, b, n)), mem(vecAt(p.xIn, seq0 + b, n)),
                        mem(acc16(b, LayerPlan.pad(n)))));
            }
        }
        phase(Phase.RESIDUAL_PASS);
        for (int u = 0; u < cols; u++) {
            Line col = r.down(u, 0, rows);
            pathLine(col, 0, rows - 1, c.colPass());
            int n = nb * p.hLen(u);
            pe(u, 0).op(vec(VecOpCode.MOV, DType.FP16, n, fabricOut(pe(u, 0).out(c.colPass())), mem(p.h)));
            pe(u, rows - 1).op(vec(VecOpCode.MOV, DType.FP16, n, mem(p.h), fabricIn(pe(u, rows - 1).in(c.colPass()))));
        }
        // 2. FFN block.
        rmsNorm(p.h, 0, p.gamma2);
        if (p.model.isMixtureOfExperts()) {
            router();
        }
        phase(Phase.GEMV_BROADCAST);
        broadcastDownColumns();
        int expertBody = step;
        for (int e = 0; e < Math.max(1, expertPasses); e++) {
            step = expertBody; // every expert pass repeats the same steps
            TensorRole role = p.ffnRole();
            int ex = e;
            gemvTilesAndReduceWest((u, v) -> (int) (p.wgu(u, v) + ex * p.guTileBytes(u, v)), role, v -> 2 * p.fLen(v));
            activation(p.model.isMixtureOfExperts());
            boolean last = e == Math.max(1, expertPasses) - 1;
            // Down projection: activation along rows, tiles, reduction down each column to the output edge.
            gemvWestThenEdge((u, v) -> (int) (p.wdown(u, v) + ex * p.downTileBytes(u, v)), role, p::fLen, p.qrow,
                    p.accd, false, e == 0, last);
        }
        // Residual add on the output edge; it ends the pass.
        phase(Phase.ELEMENTWISE);
        passEnd();
        for (int u = 0; u < cols; u++) {
            CodeMap.PeCode pc = pe(u, rows - 1);
            int n = p.hLen(u);
            for (int b = 0; b < nb; b++) {
                pc.op(vec(VecOpCode.ADD, DType.FP16, n, mem(vecAt(p.xIn, seq0 + b, n)), mem(vecAt(p.h, b, n)),
                        mem(accd16(b, LayerPlan.pad(n)))));
            }
        }
        code.tag(-1);
    }

    /** Address of vector b of n fp16 values packed one after the other. */
    private static int vecAt(int base, int b, int n) {
        return base + b * n * 2;
    }

    /**
     * Elements of {@code vectors} per-sequence vectors of {@code n} elements laid out {@code stride}
     * apart: the last one needs only its own (even) length.
     */
    private static int packed(int vectors, int stride, int n) {
        return (vectors - 1) * stride + LayerPlan.even(n);
    }

    /** The batch's accumulators of {@code n} elements each, {@code stride} apart. */
    private int batched(int stride, int n) {
        return packed(nb, stride, n);
    }

    /** The batch's score rows (one per sequence and query head of the group), {@code sn} apart. */
    private int scoreLen(int sn, int n) {
        return packed(nb * p.group, sn, n);
    }

    private int accAt(int base, int b, int stride) {
        return base + b * stride * p.accBytes;
    }

    /** fp16 view of the accumulator (after narrowing when accumulating in fp32). */
    private int acc16(int b, int stride) {
        return p.acc + b * stride * 2;
    }

    private int accd16(int b, int stride) {
        return p.accd + b * stride * 2;
    }

    private DType accType() {
        return p.accumulate == DType.FP16 ? DType.FP16 : DType.FP32;
    }

    private DType fmaType() {
        return p.accumulate == DType.FP16 ? DType.FP16 : DType.MIXED;
    }

    /** Routes a point-to-point stream along a line from PE {@code from} to PE {@code to}. */
    private void pathLine(Line line, int from, int to, int colour) {
        if (from != to) {
            Collectives.path(routes, line, from, to, colour);
        }
    }

    // ---- RMSNorm on the input edge ---------------------------------------------------------------

    /**
     * RMSNorm of the pass's vectors on the input edge; sequence b of the pass is vector
     * {@code first + b} of {@code input}.
     */
    private void rmsNorm(int input, int first, int gamma) {
        int cols = p.cols;
        phase(Phase.NORM_LOCAL);
        for (int u = 0; u < cols; u++) {
            CodeMap.PeCode pc = pe(u, 0);
            int n = p.hLen(u);
            for (int b = 0; b < nb; b++) {
                Operand acc = mem(p.ss + 4 * b, 0);
                pc.op(vec(VecOpCode.MOV, DType.FP32, 1, acc, scalar(0)));
                pc.op(fma(DType.MIXED, n, acc, acc, mem(vecAt(input, first + b, n)), mem(vecAt(input, first + b, n))));
            }
        }
        phase(Phase.NORM_REDUCE);
        Line row0 = r.row(0, 0, cols);
        reduce(row0, new int[] {c.rowReduce0(), c.rowReduce1()}, p.ss, nb,
                DType.FP32);
        phase(Phase.NORM_SCALE);
        CodeMap.PeCode root = pe(0, 0);
        root.op(vec(VecOpCode.MUL, DType.FP32, nb, mem(p.ss), mem(p.ss), scalar(1.0f / p.hidden)));
        root.op(vec(VecOpCode.ADD, DType.FP32, nb, mem(p.ss), mem(p.ss),
                scalar((float) cfg.mapping().rmsNormEpsilon())));
        root.op(vec(VecOpCode.RSQRT, DType.FP32, nb, mem(p.ss), mem(p.ss)));
        phase(Phase.NORM_BROADCAST);
        Collectives.broadcast(routes, code, row0, c.rowBroadcast(), p.ss, nb, DType.FP32);
        phase(Phase.NORM_APPLY);
        for (int u = 0; u < cols; u++) {
            CodeMap.PeCode pc = pe(u, 0);
            int n = p.hLen(u);
            pc.op(vec(VecOpCode.MOV, DType.NARROW, nb, mem(p.ssh), mem(p.ss)));
            for (int b = 0; b < nb; b++) {
                pc.op(vec(VecOpCode.MUL, DType.FP16, n, mem(vecAt(p.xb, b, n)), mem(vecAt(input, first + b, n)),
                        mem(p.ssh + 2 * b, 0)));
                pc.op(vec(VecOpCode.MUL, DType.FP16, n, mem(vecAt(p.xb, b, n)), mem(vecAt(p.xb, b, n)), mem(gamma)));
            }
        }
    }

    // ---- GEMVs -----------------------------------------------------------------------------------

    /** Each column's normalized slice (on the input edge) down the whole column. */
    private void broadcastDownColumns() {
        for (int u = 0; u < p.cols; u++) {
            Collectives.broadcast(routes, code, r.down(u, 0, p.rows), c.colBroadcast(), p.xb, nb * p.hLen(u),
                    DType.FP16);
        }
    }

    /** Projection whose inputs are split by columns and outputs by rows: results on the west edge. */
    private void gemvDownThenWest(TileAddress weights, TensorRole role, java.util.function.IntUnaryOperator outRows) {
        phase(Phase.GEMV_BROADCAST);
        broadcastDownColumns();
        gemvTilesAndReduceWest(weights, role, outRows);
    }

    private void gemvTilesAndReduceWest(TileAddress weights, TensorRole role, java.util.function.IntUnaryOperator outRows) {
        phase(Phase.GEMV_COMPUTE);
        for (int v = 0; v < p.rows; v++) {
            int out = outRows.applyAsInt(v);
            if (out == 0) {
                continue;
            }
            int stride = LayerPlan.pad(out);
            for (int u = 0; u < p.cols; u++) {
                CodeMap.PeCode pc = pe(u, v);
                int in = p.hLen(u);
                tile(pc, weights.at(u, v), role, in, out, stride, p.xb, in, p.acc, true);
            }
        }
        phase(Phase.GEMV_REDUCE);
        for (int v = 0; v < p.rows; v++) {
            int out = outRows.applyAsInt(v);
            if (out == 0) {
                continue;
            }
            int stride = LayerPlan.pad(out);
            reduce(r.row(v, 0, p.cols), new int[] {c.rowReduce0(), c.rowReduce1()},
                    p.acc, batched(stride, out), accType());
            narrow(pe(0, v), p.acc, batched(stride, out));
        }
    }

    /** After an fp32 reduction, converts the root's sums to fp16 in place. */
    private void narrow(CodeMap.PeCode pc, int addr, int n) {
        if (p.accumulate != DType.FP16) {
            pc.op(vec(VecOpCode.MOV, DType.NARROW, n, mem(addr), mem(addr)));
        }
    }

    /** The instructions of one tile's multiply-adds, by their shape (many PEs share a shape). */
    private record TileKey(int tag, int sequences, int weights, int bits, int in, int out, int stride, int input,
                           int inputStride, int accBase, boolean zero) {
    }

    private final java.util.HashMap<TileKey, Op[]> tiles = new java.util.HashMap<>();

    /** Instruction sequences of the attention loops, by kind, phase and shape. */
    private record LoopKey(String kind, int tag, int firstSequence, int sequences, int a, int b, int column) {
    }

    private final java.util.HashMap<LoopKey, Op[]> loops = new java.util.HashMap<>();

    /**
     * The instructions {@code build} makes for a loop of shape (a, b) in the current phase, built
     * once and shared by every PE with that shape: building and pooling a layer's hundreds of
     * millions of instructions one by one dominated the time to set up large batches.
     */
    private Op[] shared(String kind, int a, int b, int column, java.util.function.Supplier<java.util.List<Op>> build) {
        return loops.computeIfAbsent(new LoopKey(kind, currentTag(), seq0, nb, a, b, column),
                k -> build.get().toArray(new Op[0]));
    }

    private static void emit(CodeMap.PeCode pc, Op[] ops) {
        for (Op op : ops) {
            pc.op(op);
        }
    }

    /**
     * A PE's weight tile times its input slices, for every sequence of the batch: for every input
     * element k, y_b += W[:, k] * x_b[k] over the tile's {@code out} outputs (one FMA per input
     * element and sequence). The column loop is outside the batch loop, as a batched kernel runs it:
     * a quantized column is widened to fp16 once and used for all B sequences. (Which operand a
     * kernel keeps in a register does not change what the SRAM ports carry: every fp16 multiply-add
     * here streams a weight and an accumulator, so the batch's multiply-adds take B times one
     * sequence's whatever the loop order; the widening is the work the order saves.)
     *
     * @param zero start the accumulators from zero (false: keep accumulating)
     */
    private void tile(CodeMap.PeCode pc, int weights, TensorRole role, int in, int out, int stride, int input,
                      int inputStride, int accBase, boolean zero) {
        int bits = p.weightBits(role);
        Op[] ops = tiles.computeIfAbsent(new TileKey(currentTag(), nb, weights, bits, in, out, stride, input, inputStride, accBase,
                zero), k -> tileOps(k.weights(), k.bits(), k.in(), k.out(), k.stride(), k.input(), k.inputStride(),
                k.accBase(), k.zero()));
        emit(pc, ops);
    }

    private Op[] tileOps(int weights, int bits, int in, int out, int stride, int input, int inputStride, int accBase,
                         boolean zero) {
        java.util.List<Op> ops = new java.util.ArrayList<>();
        // A stored column holds pad(out) weights of `bits` bits each.
        int colBytes = p.colPad(out) * bits / 8;
        int dequant = bits >= 16 ? 0 : bits >= 8 ? cfg.mapping().dequantPasses8bit() : cfg.mapping().dequantPasses4bit();
        for (int b = 0; b < nb && zero; b++) {
            ops.add(tagged(vec(VecOpCode.MOV, accType(), out, mem(accAt(accBase, b, stride)), scalar(0))));
        }
        for (int k = 0; k < in; k++) {
            int col = weights + k * colBytes;
            Operand w = mem(col);
            if (dequant > 0) {
                // Widen the quantized column to fp16 (one pass per step of the unpacking), then
                // multiply every sequence's accumulators from the widened copy.
                int packed = Math.max(1, (out * bits + 15) / 16);
                ops.add(tagged(vec(VecOpCode.MOV, DType.FP16, packed, mem(p.wtmp), mem(col))));
                for (int d = 1; d < dequant; d++) {
                    ops.add(tagged(vec(VecOpCode.MUL, DType.FP16, out, mem(p.wtmp), mem(p.wtmp), scalar(1))));
                }
                w = mem(p.wtmp);
            }
            for (int b = 0; b < nb; b++) {
                int acc = accAt(accBase, b, stride);
                ops.add(tagged(fma(fmaType(), out, mem(acc), mem(acc), w, mem(input + (b * inputStride + k) * 2, 0))));
            }
        }
        return ops.toArray(new Op[0]);
    }

    /**
     * Projection whose inputs are split by rows (on the west edge at {@code input}) and outputs by
     * columns: broadcast along rows, tiles, reduction along each column to the input edge
     * ({@code toInputEdge}) or to the output edge. Expert passes accumulate into one sum: the
     * {@code first} pass starts the partial sums, the {@code last} reduces them.
     */
    private void gemvWestThenEdge(TileAddress weights, TensorRole role, java.util.function.IntUnaryOperator inRows,
                                  int input, int accBase, boolean toInputEdge, boolean first, boolean last) {
        phase(Phase.GEMV_BROADCAST);
        for (int v = 0; v < p.rows; v++) {
            int in = inRows.applyAsInt(v);
            if (in > 0) {
                Collectives.broadcast(routes, code, r.row(v, 0, p.cols), c.rowBroadcast(), input, nb * in,
                        DType.FP16);
            }
        }
        phase(Phase.GEMV_COMPUTE);
        for (int u = 0; u < p.cols; u++) {
            int out = p.hLen(u);
            int stride = LayerPlan.pad(out);
            for (int v = 0; v < p.rows; v++) {
                int in = inRows.applyAsInt(v);
                CodeMap.PeCode pc = pe(u, v);
                if (in == 0) {
                    for (int b = 0; b < nb && first; b++) {
                        pc.op(vec(VecOpCode.MOV, accType(), out, mem(accAt(accBase, b, stride)), scalar(0)));
                    }
                } else {
                    tile(pc, weights.at(u, v), role, in, out, stride, input, in, accBase, first);
                }
            }
        }
        if (!last) {
            return;
        }
        phase(Phase.GEMV_REDUCE);
        for (int u = 0; u < p.cols; u++) {
            int stride = LayerPlan.pad(p.hLen(u));
            Line col = toInputEdge ? r.down(u, 0, p.rows) : r.up(u, p.rows - 1, p.rows);
            int[] colours = toInputEdge ? new int[] {c.upReduce0(), c.upReduce1()}
                    : new int[] {c.downReduce0(), c.downReduce1()};
            reduce(col, colours, accBase, batched(stride, p.hLen(u)), accType());
            narrow(pe(u, toInputEdge ? 0 : p.rows - 1), accBase, batched(stride, p.hLen(u)));
        }
    }

    // ---- Attention -------------------------------------------------------------------------------

    /** Rotary embedding of the row's query and key dimensions on the west edge. */
    private void rotary() {
        phase(Phase.ROPE);
        for (int v = 0; v < p.rows; v++) {
            int np = p.pairs(v);
            if (np == 0) {
                continue;
            }
            CodeMap.PeCode pc = pe(0, v);
            int d = 2 * np;
            int stride = LayerPlan.pad(p.qkvRows(v));
            int cos = p.rope;
            int sin = p.rope + p.pairsMax * 2;
            int stepCos = p.rope + 2 * p.pairsMax * 2;
            int stepSin = p.rope + 3 * p.pairsMax * 2;
            int t = p.ropeTmp;
            for (int b = 0; b < nb; b++) {
                int base = acc16(b, stride);
                if (p.model.qkvBias()) {
                    pc.op(vec(VecOpCode.ADD, DType.FP16, p.qkvRows(v), mem(base), mem(base), mem(p.qkvBias)));
                }
                // Heads 0..group-1 are queries, head group is the key; value (head group+1) is not rotated.
                for (int hh = 0; hh <= p.group; hh++) {
                    int lo = base + hh * d * 2;
                    int hi = lo + np * 2;
                    pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t), mem(hi), mem(sin)));
                    pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t + np * 2), mem(lo), mem(cos)));
                    pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t + 2 * np * 2), mem(lo), mem(sin)));
                    pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t + 3 * np * 2), mem(hi), mem(cos)));
                    pc.op(vec(VecOpCode.SUB, DType.FP16, np, mem(lo), mem(t + np * 2), mem(t)));
                    pc.op(vec(VecOpCode.ADD, DType.FP16, np, mem(hi), mem(t + 2 * np * 2), mem(t + 3 * np * 2)));
                }
                // Queries carry the 1/sqrt(head dim) of the scores.
                pc.op(vec(VecOpCode.MUL, DType.FP16, p.group * d, mem(base), mem(base),
                        scalar((float) (1.0 / Math.sqrt(p.headDim)))));
                if (p.chunk) {
                    advanceRotary(pc, np); // a chunk's tokens are at consecutive positions
                }
            }
            if (p.chunk || seq0 + nb < p.batch) {
                continue; // decode: every sequence is at the same position: advance after the last pass
            }
            advanceRotary(pc, np);
        }
    }

    /**
     * Advances the row's cos/sin to the next position by angle addition with the per-pair step:
     * cos' = cos cd - sin sd, sin' = sin cd + cos sd.
     */
    private void advanceRotary(CodeMap.PeCode pc, int np) {
        {
            int cos = p.rope;
            int sin = p.rope + p.pairsMax * 2;
            int stepCos = p.rope + 2 * p.pairsMax * 2;
            int stepSin = p.rope + 3 * p.pairsMax * 2;
            int t = p.ropeTmp;
            pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t), mem(cos), mem(stepCos)));
            pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t + np * 2), mem(sin), mem(stepSin)));
            pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t + 2 * np * 2), mem(sin), mem(stepCos)));
            pc.op(vec(VecOpCode.MUL, DType.FP16, np, mem(t + 3 * np * 2), mem(cos), mem(stepSin)));
            pc.op(vec(VecOpCode.SUB, DType.FP16, np, mem(cos), mem(t), mem(t + np * 2)));
            pc.op(vec(VecOpCode.ADD, DType.FP16, np, mem(sin), mem(t + 2 * np * 2), mem(t + 3 * np * 2)));
        }
    }

    /** The new token's key and value go along each row to the column holding its slot. */
    private void appendKv(long newPos) {
        phase(Phase.KV_APPEND);
        int target = p.columnOf(newPos);
        int slot = p.slotInColumn(newPos);
        int kvBytes = p.precision.kvBytesPerElement();
        int tStride = LayerPlan.pad(p.tMax);
        for (int v = 0; v < p.rows; v++) {
            int d = p.dims(v);
            if (d == 0) {
                continue;
            }
            int stride = LayerPlan.pad(p.qkvRows(v));
            for (int b = 0; b < nb; b++) {
                int k = acc16(b, stride) + p.group * d * 2;
                if (target == 0) {
                    storeKv(pe(0, v), k, b, d, slot, tStride, kvBytes);
                    continue;
                }
                // Along row v from the west edge to the target column.
                Line row = r.row(v, 0, target + 1);
                pathLine(row, 0, target, kvColour());
                CodeMap.PeCode src = pe(0, v);
                CodeMap.PeCode dst = pe(target, v);
                src.op(vec(VecOpCode.MOV, DType.FP16, 2 * d, fabricOut(src.out(kvColour())), mem(k)));
                dst.op(vec(VecOpCode.MOV, DType.FP16, 2 * d, mem(p.kvnew), fabricIn(dst.in(kvColour()))));
                storeKv(dst, p.kvnew, b, d, slot, tStride, kvBytes);
            }
        }
    }

    /**
     * A chunk's keys and values into the shared cache: the west-edge PE of each row packs the pass's
     * tokens' new keys and values (its dimensions) and broadcasts them along the row; each column keeps
     * the tokens whose slots it holds (token i of the chunk at position {@code firstPos} + i, slots
     * round-robin over the columns), so a pass of several tokens writes several columns at once.
     */
    private void appendChunkKv(long firstPos) {
        phase(Phase.KV_APPEND);
        int kvBytes = p.precision.kvBytesPerElement();
        int tStride = LayerPlan.pad(p.tMax);
        for (int v = 0; v < p.rows; v++) {
            int d = p.dims(v);
            if (d == 0) {
                continue;
            }
            int stride = LayerPlan.pad(p.qkvRows(v));
            CodeMap.PeCode root = pe(0, v);
            for (int b = 0; b < nb; b++) {
                // Key and value of token b lie next to each other after the group's queries.
                root.op(vec(VecOpCode.MOV, DType.FP16, 2 * d, mem(p.kvnew + b * 2 * d * 2),
                        mem(acc16(b, stride) + p.group * d * 2)));
            }
            Collectives.broadcast(routes, code, r.row(v, 0, p.cols), c.rowBroadcast(), p.kvnew, nb * 2 * d,
                    DType.FP16);
            for (int b = 0; b < nb; b++) {
                long pos = firstPos + seq0 + b;
                storeKv(pe(p.columnOf(pos), v), p.kvnew + b * 2 * d * 2, b, d, p.slotInColumn(pos), tStride, kvBytes);
            }
        }
    }

    /**
     * Attended tokens of column u for sequence b of the pass: decode, every sequence at
     * {@code positions}; a chunk, token (seq0 + b) of the chunk attends causally over
     * {@code positions + seq0 + b} positions (positions = what the chunk's first token attends).
     */
    private int attendedOf(int u, long positions, int b) {
        return p.chunk ? p.attended(u, positions + seq0 + b) : p.attended(u, positions);
    }

    /** The most tokens column u attends for any sequence of the pass (the last one's, for a chunk). */
    private int attendedMax(int u, long positions) {
        return attendedOf(u, positions, nb - 1);
    }

    /** The key/value append uses its own colour: a point-to-point route that changes every step. */
    private int kvColour() {
        return Colours.COUNT;
    }

    private void storeKv(CodeMap.PeCode pc, int kv, int b, int d, int slot, int tStride, int kvBytes) {
        int kBase = p.kcache + (p.cacheOf(seq0 + b) * p.dimsMax * tStride + slot) * kvBytes;
        int vBase = p.vcache + (p.cacheOf(seq0 + b) * p.dimsMax * tStride + slot) * kvBytes;
        pc.op(Op.vec(VecOpCode.MOV, DType.FP16, d, Operand.mem(kBase, tStride), mem(kv)));
        pc.op(Op.vec(VecOpCode.MOV, DType.FP16, d, Operand.mem(vBase, tStride), mem(kv + d * 2)));
    }

    private void broadcastQuery() {
        phase(Phase.Q_BROADCAST);
        for (int v = 0; v < p.rows; v++) {
            int d = p.dims(v);
            if (d == 0) {
                continue;
            }
            int stride = LayerPlan.pad(p.qkvRows(v));
            // Copy the rotated queries into the query buffer (packed per sequence) and broadcast it.
            CodeMap.PeCode root = pe(0, v);
            for (int b = 0; b < nb; b++) {
                root.op(vec(VecOpCode.MOV, DType.FP16, p.group * d, mem(p.qrow + b * p.group * d * 2),
                        mem(acc16(b, stride))));
            }
            Collectives.broadcast(routes, code, r.row(v, 0, p.cols), c.rowBroadcast(), p.qrow, nb * p.group * d,
                    DType.FP16);
        }
    }

    private void attention(long positions) {
        int tStride = LayerPlan.pad(p.tMax);
        int kvBytes = p.precision.kvBytesPerElement();
        int g = p.group;
        // Scores: partial dot products of the row's dimensions for the column's tokens.
        phase(Phase.SCORES);
        for (int u = 0; u < p.cols; u++) {
            int n = attendedMax(u, positions);
            if (n == 0) {
                continue;
            }
            int sn = LayerPlan.pad(n);
            int col = u;
            for (int v = 0; v < p.rows; v++) {
                CodeMap.PeCode pc = pe(u, v);
                int d = p.dims(v);
                // A chunk's per-token lengths depend on the column, not only on its longest.
                emit(pc, shared("scores", n, d, p.chunk ? u : -1, () -> {
                    java.util.List<Op> ops = new java.util.ArrayList<>();
                    ops.add(tagged(vec(VecOpCode.MOV, DType.FP16, scoreLen(sn, n), mem(p.scores), scalar(0))));
                    for (int b = 0; b < nb; b++) {
                        int nbLen = attendedOf(col, positions, b);
                        if (nbLen == 0) {
                            continue;
                        }
                        for (int hh = 0; hh < g; hh++) {
                            int s = p.scores + ((b * g + hh) * sn) * 2;
                            for (int k = 0; k < d; k++) {
                                int key = p.kcache + (p.cacheOf(seq0 + b) * p.dimsMax * tStride + k * tStride) * kvBytes;
                                int q = p.qrow + ((b * g + hh) * d + k) * 2;
                                ops.add(tagged(fma(DType.FP16, nbLen, mem(s), mem(s), mem(key), mem(q, 0))));
                            }
                        }
                    }
                    return ops;
                }));
            }
        }
        phase(Phase.SCORES_REDUCE);
        for (int u = 0; u < p.cols; u++) {
            int n = attendedMax(u, positions);
            if (n == 0) {
                continue;
            }
            int sn = LayerPlan.pad(n);
            for (int band = 0; band < p.kvHeads; band++) {
                reduce(r.down(u, p.bandStart(band), p.bandRows(band)),
                        new int[] {c.bandReduce0(), c.bandReduce1()}, p.scores, scoreLen(sn, n), DType.FP16);
            }
        }
        // Softmax on each band's first row: max, exp and sum, each statistic reduced along the row.
        int stats = nb * g;
        int max = p.stats;
        int sum = p.stats + stats * 2;
        int bandBody = step;
        for (int band = 0; band < p.kvHeads; band++) {
            step = bandBody; // the bands run the same steps at the same time on different rows
            int vr = p.bandStart(band);
            phase(Phase.SOFTMAX);
            for (int u = 0; u < p.cols; u++) {
                CodeMap.PeCode pc = pe(u, vr);
                int sn = LayerPlan.pad(attendedMax(u, positions));
                pc.op(vec(VecOpCode.MOV, DType.FP16, stats, mem(max), scalar(-65504f)));
                for (int i = 0; i < stats; i++) {
                    int n = attendedOf(u, positions, i / g);
                    if (n == 0) {
                        continue;
                    }
                    Operand m = mem(max + i * 2, 0);
                    pc.op(vec(VecOpCode.MAX, DType.FP16, n, m, m, mem(p.scores + i * sn * 2)));
                }
            }
            Line row = r.row(vr, 0, p.cols);
            phase(Phase.SOFTMAX_REDUCE);
            reduce(row, new int[] {c.rowReduce0(), c.rowReduce1()}, max, stats,
                    DType.FP16, VecOpCode.MAX);
            phase(Phase.SOFTMAX_BROADCAST);
            Collectives.broadcast(routes, code, row, c.rowBroadcast(), max, stats, DType.FP16);
            phase(Phase.SOFTMAX);
            for (int u = 0; u < p.cols; u++) {
                CodeMap.PeCode pc = pe(u, vr);
                int sn = LayerPlan.pad(attendedMax(u, positions));
                pc.op(vec(VecOpCode.MOV, DType.FP16, stats, mem(sum), scalar(0)));
                for (int i = 0; i < stats; i++) {
                    int n = attendedOf(u, positions, i / g);
                    if (n == 0) {
                        continue;
                    }
                    int s = p.scores + i * sn * 2;
                    pc.op(vec(VecOpCode.SUB, DType.FP16, n, mem(s), mem(s), mem(max + i * 2, 0)));
                    pc.op(vec(VecOpCode.EXP, DType.FP16, n, mem(s), mem(s)));
                    Operand sm = mem(sum + i * 2, 0);
                    pc.op(vec(VecOpCode.ADD, DType.FP16, n, sm, sm, mem(s)));
                }
            }
            phase(Phase.SOFTMAX_REDUCE);
            reduce(row, new int[] {c.rowReduce0(), c.rowReduce1()}, sum, stats,
                    DType.FP16);
            phase(Phase.SOFTMAX);
            CodeMap.PeCode root = pe(0, vr);
            if (p.model.attentionSinks()) {
                // The sink logit adds exp(sink - max) to each head's denominator.
                root.op(vec(VecOpCode.SUB, DType.FP16, stats, mem(p.ropeTmp), mem(p.ropeTmp), mem(max)));
                root.op(vec(VecOpCode.EXP, DType.FP16, stats, mem(p.ropeTmp), mem(p.ropeTmp)));
                root.op(vec(VecOpCode.ADD, DType.FP16, stats, mem(sum), mem(sum), mem(p.ropeTmp)));
            }
            root.op(vec(VecOpCode.RECIP, DType.FP16, stats, mem(sum), mem(sum)));
            phase(Phase.SOFTMAX_BROADCAST);
            Collectives.broadcast(routes, code, row, c.rowBroadcast(), sum, stats, DType.FP16);
            phase(Phase.SOFTMAX);
            for (int u = 0; u < p.cols; u++) {
                CodeMap.PeCode pc = pe(u, vr);
                int sn = LayerPlan.pad(attendedMax(u, positions));
                for (int i = 0; i < stats; i++) {
                    int n = attendedOf(u, positions, i / g);
                    if (n == 0) {
                        continue;
                    }
                    int s = p.scores + i * sn * 2;
                    pc.op(vec(VecOpCode.MUL, DType.FP16, n, mem(s), mem(s), mem(sum + i * 2, 0)));
                }
            }
        }
        // Probabilities down each band; partial outputs over the column's tokens.
        phase(Phase.PROBS_BROADCAST);
        for (int u = 0; u < p.cols; u++) {
            int n = attendedMax(u, positions);
            if (n == 0) {
                continue;
            }
            int sn = LayerPlan.pad(n);
            for (int band = 0; band < p.kvHeads; band++) {
                Collectives.broadcast(routes, code, r.down(u, p.bandStart(band), p.bandRows(band)),
                        c.bandBroadcast(), p.scores, scoreLen(sn, n), DType.FP16);
            }
        }
        phase(Phase.VALUES);
        for (int v = 0; v < p.rows; v++) {
            int d = p.dims(v);
            if (d == 0) {
                continue;
            }
            for (int u = 0; u < p.cols; u++) {
                CodeMap.PeCode pc = pe(u, v);
                int n = attendedMax(u, positions);
                int sn = LayerPlan.pad(n);
                int col = u;
                emit(pc, shared("values", n, d, p.chunk ? u : -1, () -> {
                    java.util.List<Op> ops = new java.util.ArrayList<>();
                    ops.add(tagged(vec(VecOpCode.MOV, DType.FP16, nb * g * d, mem(p.opart), scalar(0))));
                    for (int b = 0; b < nb && n > 0; b++) {
                        int nbLen = attendedOf(col, positions, b);
                        if (nbLen == 0) {
                            continue;
                        }
                        for (int hh = 0; hh < g; hh++) {
                            int prob = p.scores + ((b * g + hh) * sn) * 2;
                            for (int k = 0; k < d; k++) {
                                int val = p.vcache + (p.cacheOf(seq0 + b) * p.dimsMax * tStride + k * tStride) * kvBytes;
                                Operand o = mem(p.opart + ((b * g + hh) * d + k) * 2, 0);
                                ops.add(tagged(fma(DType.FP16, nbLen, o, o, mem(prob), mem(val))));
                            }
                        }
                    }
                    return ops;
                }));
            }
        }
        phase(Phase.VALUES_REDUCE);
        for (int v = 0; v < p.rows; v++) {
            int d = p.dims(v);
            if (d == 0) {
                continue;
            }
            reduce(r.row(v, 0, p.cols), new int[] {c.rowReduce0(), c.rowReduce1()},
                    p.opart, nb * g * d, DType.FP16);
        }
    }

    // ---- FFN -------------------------------------------------------------------------------------

    /** Router of a mixture of experts: logits from the input edge, reduced along row 0, top-k at (0,0). */
    private void router() {
        phase(Phase.ROUTER);
        int e = p.experts;
        int stride = LayerPlan.pad(e);
        for (int u = 0; u < p.cols; u++) {
            CodeMap.PeCode pc = pe(u, 0);
            int in = p.hLen(u);
            for (int b = 0; b < nb; b++) {
                int acc = p.routerLogits + b * stride * 2;
                pc.op(vec(VecOpCode.MOV, DType.FP16, e, mem(acc), scalar(0)));
                for (int k = 0; k < in; k++) {
                    pc.op(fma(DType.FP16, e, mem(acc), mem(acc), mem(p.wrouter + k * p.colPad(e) * 2),
                            mem(vecAt(p.xb, b, in) + k * 2, 0)));
                }
            }
        }
        reduce(r.row(0, 0, p.cols), new int[] {c.rowReduce0(), c.rowReduce1()},
                p.routerLogits, batched(stride, e), DType.FP16);
        CodeMap.PeCode root = pe(0, 0);
        int k = Math.max(1, p.model.expertsPerToken());
        for (int b = 0; b < nb; b++) {
            int logits = p.routerLogits + b * stride * 2;
            // Top-k by k passes of max, then a softmax over the k chosen logits.
            for (int i = 0; i < k; i++) {
                Operand m = mem(p.stats + i * 2, 0);
                root.op(vec(VecOpCode.MAX, DType.FP16, e, m, m, mem(logits)));
            }
            root.op(vec(VecOpCode.EXP, DType.FP16, k, mem(p.stats), mem(p.stats)));
            root.op(vec(VecOpCode.RECIP, DType.FP16, 1, mem(p.stats + 2 * k), mem(p.stats)));
            root.op(vec(VecOpCode.MUL, DType.FP16, k, mem(p.stats), mem(p.stats), mem(p.stats + 2 * k, 0)));
        }
        // The routing weights reach the west edge with the activation (one value per sequence).
        Collectives.broadcast(routes, code, r.down(0, 0, p.rows), c.colBroadcast(), p.stats, nb * k,
                DType.FP16);
    }

    /** SiLU(gate) x up on the west edge (times the routing weight for an expert). */
    private void activation(boolean expert) {
        phase(Phase.ELEMENTWISE);
        for (int v = 0; v < p.rows; v++) {
            int f = p.fLen(v);
            if (f == 0) {
                continue;
            }
            CodeMap.PeCode pc = pe(0, v);
            int stride = LayerPlan.pad(2 * f);
            for (int b = 0; b < nb; b++) {
                int gate = acc16(b, stride);
                int up = gate + f * 2;
                pc.op(vec(VecOpCode.SILU, DType.FP16, f, mem(gate), mem(gate)));
                if (p.model.activation() == GatedActivation.CLAMPED_SWIGLU) {
                    // gpt-oss clamps gate and up before the product (two more passes).
                    pc.op(vec(VecOpCode.MAX, DType.FP16, f, mem(gate), mem(gate), scalar(-7f)));
                    pc.op(vec(VecOpCode.MAX, DType.FP16, f, mem(up), mem(up), scalar(-7f)));
                }
                pc.op(vec(VecOpCode.MUL, DType.FP16, f, mem(gate), mem(gate), mem(up)));
                if (expert) {
                    pc.op(vec(VecOpCode.MUL, DType.FP16, f, mem(gate), mem(gate), mem(p.stats + 2 * b, 0)));
                }
                // Pack the activation of sequence b for the broadcast along the row.
                pc.op(vec(VecOpCode.MOV, DType.FP16, f, mem(p.qrow + b * f * 2), mem(gate)));
            }
        }
    }

    /** The fabric direction constant of local south, for hand-offs. */
    static int outputDir(Region r) {
        return r.dir(Fabric.S);
    }
}
