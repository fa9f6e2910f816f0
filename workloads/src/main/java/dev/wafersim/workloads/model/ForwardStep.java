package dev.wafersim.workloads.model;

import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The op graph of one forward pass of any composition: rows of (tokens already cached, new tokens, new
 * tokens that need logits), as a server batches decode tokens, prefill chunks and speculative verify
 * steps. The sibling of {@link DecodeStep}, which is the uniform decode pass; for a pass whose every row
 * is one decode token with the same cache length both give identical ops (the ops come from one
 * {@code OpFactory}, and the attention formulas below reduce to {@link DecodeStep}'s).
 *
 * <p>Let {@code T} be the new tokens of all rows and {@code L} those that need logits. Every op that does
 * not mix tokens (embedding, norms, projections, rotary, residuals, the dense FFN or the experts, the
 * combine) is {@link DecodeStep}'s op with {@code T} rows instead of the batch: weight matmuls have
 * {@code M = T}, MoE layers route {@code T} tokens ({@link ExpertRouting} over {@code T}). The LM head has
 * {@code L} rows and is absent when {@code L = 0}.
 *
 * <p>Attention is causal per row. New token {@code j} (0-based) of a row with {@code c} cached tokens
 * attends over {@code a_j = min(c + j + 1, window)} keys (no cap for full attention), so the row's key-query
 * pairs are {@code sum_j a_j} (for full attention {@code n c + n (n + 1) / 2}, the quadratic term of a long
 * prompt). FLOPs: {@code QK^T} and {@code PV} {@code 2 d H} per pair each, softmax {@code 6 H} per logit (a
 * pair, plus one per query with attention sinks). KV cache: the row reads its cached keys and values that
 * its first new token sees ({@code c}, or {@code min(c, window - 1)} on a sliding layer) once, as a
 * FlashAttention-style kernel streams them past all of the row's queries, and writes {@code n} new
 * tokens' K and V. The op's {@link AttentionDetail} holds these quantities summed over the rows.
 */
public final class ForwardStep implements ForwardGraph {
    private final ModelSpec model;
    private final Precision precision;
    private final long[] cached;
    private final int[] fresh;
    private final long newTokens;
    private final long logitTokens;
    private final OpFactory factory;
    private final Op embedding;
    private final Op finalNorm;
    private final Op lmHead;
    private final List<LayerOps> layers;

    private ForwardStep(ModelSpec model, Precision precision, long[] cached, int[] fresh, long logitTokens,
                        ExpertRouting routing) {
        this.model = model;
        this.precision = precision;
        this.cached = cached;
        this.fresh = fresh;
        long t = 0;
        for (int n : fresh) {
            t = Math.addExact(t, n);
        }
        this.newTokens = t;
        this.logitTokens = logitTokens;
        this.factory = new OpFactory(model, precision, routing);
        this.embedding = factory.embedding(t);
        this.finalNorm = factory.rmsNorm("final_norm", Op.NO_LAYER, t);
        this.lmHead = logitTokens > 0 ? factory.lmHead(logitTokens) : null;
        Map<LayerShape, LayerOps> byShape = new LinkedHashMap<>();
        List<LayerOps> all = new ArrayList<>(model.numLayers());
        for (int l = 0; l < model.numLayers(); l++) {
            LayerShape s = model.layerShape(l);
            LayerOps rep = byShape.get(s);
            if (rep == null) {
                rep = new LayerOps(l, s, layerOps(l));
                byShape.put(s, rep);
                all.add(rep);
            } else {
                List<Op> ops = new ArrayList<>(rep.ops().size());
                for (Op op : rep.ops()) {
                    ops.add(op.atLayer(l));
                }
                all.add(new LayerOps(l, s, ops));
            }
        }
        this.layers = Collections.unmodifiableList(all);
    }

    /**
     * The graph of one pass.
     *
     * @param cachedTokens tokens in each row's cache before the pass, >= 0
     * @param newTokens    tokens each row feeds through the model, >= 1
     * @param logitTokens  of those, how many need logits, in [0, new]
     * @throws ConfigException when a count would overflow 64 bits
     */
    public static ForwardStep build(ModelSpec model, Precision precision, long[] cachedTokens, int[] newTokens,
                                    int[] logitTokens, ExpertRouting routing) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(routing, "routing");
        if (cachedTokens.length == 0 || cachedTokens.length != newTokens.length
                || newTokens.length != logitTokens.length) {
            throw new IllegalArgumentException("a pass needs at least one row and as many entries in each array");
        }
        long logits = 0;
        for (int i = 0; i < cachedTokens.length; i++) {
            if (cachedTokens[i] < 0 || newTokens[i] < 1 || logitTokens[i] < 0 || logitTokens[i] > newTokens[i]) {
                throw new IllegalArgumentException("row " + i + ": cached " + cachedTokens[i] + ", new " + newTokens[i]
                        + ", logits " + logitTokens[i]);
            }
            logits += logitTokens[i];
        }
        try {
            return new ForwardStep(model, precision, cachedTokens.clone(), newTokens.clone(), logits, routing);
        } catch (ArithmeticException e) {
            throw new ConfigException("model " + model.name() + ": a pass of " + cachedTokens.length
                    + " rows overflows 64-bit byte or FLOP counts; expected fewer or shorter rows");
        }
    }

    @Override
    public ModelSpec model() {
        return model;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public Op embedding() {
        return embedding;
    }

    @Override
    public List<LayerOps> layers() {
        return layers;
    }

    @Override
    public Op finalNorm() {
        return finalNorm;
    }

    @Override
    public Op lmHead() {
        return lmHead;
    }

    @Override
    public long newTokens() {
        return newTokens;
    }

    @Override
    public long logitTokens() {
        return logitTokens;
    }

    /** Rows (sequences) in the pass. */
    public int rows() {
        return cached.length;
    }

    private List<Op> layerOps(int l) {
        List<Op> ops = new ArrayList<>(16);
        ops.add(factory.rmsNorm(OpFactory.name(l, "attn_norm"), l, newTokens));
        ops.add(factory.qkv(l, newTokens));
        ops.add(factory.rotary(l, newTokens));
        ops.add(attention(l));
        ops.add(factory.outProj(l, newTokens));
        ops.addAll(factory.afterAttention(l, newTokens));
        return ops;
    }

    /**
     * Keys attended summed over {@code n} queries whose counts are {@code a, a + 1, ..., a + n - 1}, each
     * capped at {@code window} (0: no cap).
     */
    static long attendedSum(long a, long n, long window) {
        if (window == 0 || a + n - 1 <= window) {
            return Math.addExact(Math.multiplyExact(n, a), n * (n - 1) / 2);
        }
        if (a >= window) {
            return Math.multiplyExact(n, window);
        }
        long uncapped = window - a + 1;
        return Math.addExact((a + window) * uncapped / 2, Math.multiplyExact(n - uncapped, window));
    }

    private Op attention(int l) {
        long d = model.headDim();
        long heads = model.numHeads();
        int window = model.attention().windowTokens(l);
        long pairs = 0;
        long read = 0;
        for (int i = 0; i < cached.length; i++) {
            pairs = Math.addExact(pairs, attendedSum(cached[i] + 1, fresh[i], window));
            read = Math.addExact(read, window == 0 ? cached[i] : Math.min(cached[i], window - 1L));
        }
        long logits = Math.addExact(pairs, model.attentionSinks() ? newTokens : 0);
        long qk = OpFactory.mul(heads, pairs, 2 * d);
        long softmax = OpFactory.mul(heads, logits, AttentionDetail.SOFTMAX_FLOPS_PER_LOGIT);
        long pv = OpFactory.mul(heads, pairs, 2 * d);
        AttentionDetail detail = new AttentionDetail(pairs, read, window, logits, qk, softmax, pv);
        long kvPerToken = model.kvBytesPerTokenPerLayer(precision);
        long q = OpFactory.activation(newTokens, model.qDim());
        return new Op(OpKind.ATTENTION, OpFactory.name(l, "attention"), l, null, model.sinkBytes(), q, q,
                OpFactory.mul(read, kvPerToken, 1), OpFactory.mul(newTokens, kvPerToken),
                Math.addExact(Math.addExact(qk, softmax), pv), detail);
    }
}
