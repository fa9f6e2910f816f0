package dev.wafersim.workloads.model;

import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The op graph of one decode step: every sequence of a batch feeds one token through the model, in
 * order: embedding, the layers, final norm, LM head. Each {@link Op} carries exact shapes, bytes and
 * FLOPs for the whole batch.
 *
 * <p>The step. {@code cachedTokens} tokens per sequence already have K and V in the cache; the step's
 * token is position {@code cachedTokens} (0-based), so {@code positions = cachedTokens + 1} tokens exist.
 * All sequences of the batch have the same length. Each layer writes the new token's K and V and
 * attends over {@code min(positions, window)} keys (the whole of {@code positions} for full attention),
 * reading {@code attended - 1} of them from the cache: the new token's own K and V come from this step's
 * projection and are counted as written, not read.
 *
 * <p>Ops of a dense layer: {@code attn_norm, qkv_proj, rotary, attention, o_proj, attn_residual,
 * ffn_norm, gate_up_proj, act, down_proj, ffn_residual}; a MoE layer replaces the three FFN ops with
 * {@code router, experts.gate_up_proj, experts.act, experts.down_proj, moe_combine}. Conventions
 * (B = batch, h = hidden, d = head dim, H / Hkv = query / KV heads, f = FFN width, k = experts per
 * token, a multiply-add = 2 FLOPs, activations bf16):
 * <ul>
 *   <li>matmul: {@code 2 * in * out * rows} FLOPs, plus {@code out * rows} for a bias; weight bytes from
 *       {@link Precision#matrixBytes} (scales included) plus bf16 biases.</li>
 *   <li>embedding: reads B rows of the table (one per sequence, repeats not merged) and B int32 ids; no
 *       FLOPs. The rest of the table is not read. With tied embeddings the LM head still reads the whole
 *       table.</li>
 *   <li>RMSNorm: {@code B * (4h + 3)} FLOPs (square and sum 2h, mean + epsilon + rsqrt 3, scale by the
 *       rsqrt h, by the weight h); reads its h-element weight.</li>
 *   <li>rotary: 3 FLOPs per rotated element ({@code x cos + rot(x) sin}) over the queries and keys,
 *       {@code B (H + Hkv) d} elements; the cos/sin values are not counted.</li>
 *   <li>attention: see {@link AttentionDetail}; reads the sinks' H bf16 values as weights when present.</li>
 *   <li>residual add: {@code B h} FLOPs. Gated activation: {@link GatedActivation#flopsPerElement} per
 *       element of the FFN width.</li>
 *   <li>router: {@code hidden -> E} matmul (plus bias), top-k (comparisons, not counted) and a softmax
 *       over the k selected logits, {@code 6 B k} FLOPs (Mixtral's softmax over all E then
 *       renormalization gives the same weights; the cheaper form is counted).</li>
 *   <li>experts: {@code B k} token-expert rows; weights of every distinct expert touched are read once
 *       ({@link ExpertRouting}). Combine: {@code 2 B k h} FLOPs (scale by the gate weight, accumulate).</li>
 *   <li>LM head: {@code hidden -> vocab} logits for every sequence; sampling is not part of the graph.</li>
 * </ul>
 * Hence at bf16 a dense step reads {@code 2 * (totalParameters - embeddingParameters(untied only)) + B * 2h}
 * weight bytes.
 */
public final class DecodeStep implements ForwardGraph {
    private final ModelSpec model;
    private final Precision precision;
    private final int batchSize;
    private final long cachedTokens;
    private final ExpertRouting routing;
    private final OpFactory factory;
    private final Op embedding;
    private final Map<LayerShape, LayerOps> byShape;
    private final Map<LayerShape, Integer> shapeCounts;
    private final Op finalNorm;
    private final Op lmHead;
    private volatile List<LayerOps> layers;

    private DecodeStep(ModelSpec model, Precision precision, int batchSize, long cachedTokens, ExpertRouting routing) {
        this.model = model;
        this.precision = precision;
        this.batchSize = batchSize;
        this.cachedTokens = cachedTokens;
        this.routing = routing;
        this.factory = new OpFactory(model, precision, routing);
        this.embedding = factory.embedding(batchSize);
        Map<LayerShape, LayerOps> shapes = new LinkedHashMap<>();
        Map<LayerShape, Integer> counts = new LinkedHashMap<>();
        for (int l = 0; l < model.numLayers(); l++) {
            LayerShape s = model.layerShape(l);
            if (!shapes.containsKey(s)) {
                shapes.put(s, new LayerOps(l, s, layerOps(l)));
            }
            counts.merge(s, 1, Integer::sum);
        }
        this.byShape = Collections.unmodifiableMap(shapes);
        this.shapeCounts = Collections.unmodifiableMap(counts);
        this.finalNorm = factory.rmsNorm("final_norm", Op.NO_LAYER, batchSize);
        this.lmHead = factory.lmHead(batchSize);
    }

    /**
     * The graph of one step.
     *
     * @param model        the model
     * @param precision    number formats
     * @param batchSize    sequences decoded together, at least 1
     * @param cachedTokens tokens per sequence whose K and V are already cached, at least 0
     * @param routing      how many distinct experts the batch touches (ignored for dense models)
     * @throws ConfigException when a count would overflow 64 bits
     */
    public static DecodeStep build(ModelSpec model, Precision precision, int batchSize, long cachedTokens,
                                   ExpertRouting routing) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(routing, "routing");
        if (batchSize < 1 || cachedTokens < 0 || cachedTokens == Long.MAX_VALUE) {
            throw new IllegalArgumentException("batch " + batchSize + ", cached tokens " + cachedTokens);
        }
        try {
            return new DecodeStep(model, precision, batchSize, cachedTokens, routing);
        } catch (ArithmeticException e) {
            throw new ConfigException("model " + model.name() + ": batch " + batchSize + " at " + cachedTokens
                    + " cached tokens overflows 64-bit byte or FLOP counts; expected a smaller batch or context");
        }
    }

    /** {@link #build} with uniform expected expert routing. */
    public static DecodeStep build(ModelSpec model, Precision precision, int batchSize, long cachedTokens) {
        return build(model, precision, batchSize, cachedTokens, ExpertRouting.UNIFORM_EXPECTED);
    }

    // ---- accessors ----

    @Override
    public ModelSpec model() {
        return model;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    /** Sequences in the batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Tokens per sequence already in the KV cache when the step starts. */
    public long cachedTokens() {
        return cachedTokens;
    }

    public ExpertRouting routing() {
        return routing;
    }

    /** The embedding lookup, first op of the step. */
    @Override
    public Op embedding() {
        return embedding;
    }

    /** The final RMSNorm. */
    @Override
    public Op finalNorm() {
        return finalNorm;
    }

    /** The LM head, last op of the step. */
    @Override
    public Op lmHead() {
        return lmHead;
    }

    /** One new token per sequence: the batch size. */
    @Override
    public long newTokens() {
        return batchSize;
    }

    /** Every sequence needs logits: the batch size. */
    @Override
    public long logitTokens() {
        return batchSize;
    }

    /** Every layer's ops, in layer order. */
    @Override
    public List<LayerOps> layers() {
        List<LayerOps> l = layers;
        if (l == null) {
            List<LayerOps> built = new ArrayList<>(model.numLayers());
            for (int i = 0; i < model.numLayers(); i++) {
                LayerOps rep = byShape.get(model.layerShape(i));
                if (rep.layer() == i) {
                    built.add(rep);
                } else {
                    List<Op> ops = new ArrayList<>(rep.ops().size());
                    for (Op op : rep.ops()) {
                        ops.add(op.atLayer(i));
                    }
                    built.add(new LayerOps(i, rep.shape(), ops));
                }
            }
            l = Collections.unmodifiableList(built);
            layers = l;
        }
        return l;
    }

    /** The ops of one layer (0-based). */
    public LayerOps layer(int index) {
        return layers().get(index);
    }

    /**
     * The distinct layer shapes of this step, each with the ops of its first layer, in order of first
     * appearance. Together with {@link #layerShapeCounts()} this describes every layer without copying.
     */
    public Map<LayerShape, LayerOps> layersByShape() {
        return byShape;
    }

    /** How many layers have each shape. */
    public Map<LayerShape, Integer> layerShapeCounts() {
        return shapeCounts;
    }

    /** Every op of the step in execution order. */
    public List<Op> ops() {
        List<Op> all = new ArrayList<>();
        all.add(embedding);
        for (LayerOps l : layers()) {
            all.addAll(l.ops());
        }
        all.add(finalNorm);
        all.add(lmHead);
        return all;
    }

    /** Sums over every op of the step. */
    public OpTotals totals() {
        OpTotals t = OpTotals.of(embedding).plus(OpTotals.of(finalNorm)).plus(OpTotals.of(lmHead));
        for (Map.Entry<LayerShape, LayerOps> e : byShape.entrySet()) {
            t = t.plus(e.getValue().totals().times(shapeCounts.get(e.getKey())));
        }
        return t;
    }

    // ---- construction ----

    private static long mul(long a, long b, long c) {
        return OpFactory.mul(a, b, c);
    }

    private static long mul(long a, long b, long c, long d) {
        return Math.multiplyExact(mul(a, b, c), d);
    }

    private List<Op> layerOps(int l) {
        long b = batchSize;
        List<Op> ops = new ArrayList<>(16);
        ops.add(factory.rmsNorm(OpFactory.name(l, "attn_norm"), l, b));
        ops.add(factory.qkv(l, b));
        ops.add(factory.rotary(l, b));
        ops.add(attention(l));
        ops.add(factory.outProj(l, b));
        ops.addAll(factory.afterAttention(l, b));
        return ops;
    }

    private Op attention(int l) {
        long b = batchSize;
        long d = model.headDim();
        long heads = model.numHeads();
        long positions = cachedTokens + 1;
        long attended = model.attention().attendedTokens(l, positions);
        long read = attended - 1;
        long logits = attended + (model.attentionSinks() ? 1 : 0);
        long qk = mul(b, heads, attended, 2 * d);
        long softmax = mul(b, heads, logits, AttentionDetail.SOFTMAX_FLOPS_PER_LOGIT);
        long pv = mul(b, heads, attended, 2 * d);
        AttentionDetail detail = new AttentionDetail(attended, read, model.attention().windowTokens(l), logits, qk,
                softmax, pv);
        long kvPerToken = model.kvBytesPerTokenPerLayer(precision);
        long q = OpFactory.activation(b, model.qDim());
        return new Op(OpKind.ATTENTION, OpFactory.name(l, "attention"), l, null, model.sinkBytes(), q, q,
                mul(b, read, kvPerToken), OpFactory.mul(b, kvPerToken), Math.addExact(Math.addExact(qk, softmax), pv),
                detail);
    }
}
