package dev.wafersim.workloads.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The ops of a forward pass that do not depend on how the rows attend: embedding, norms, projections,
 * rotary, residuals, the feed-forward block (dense or routed experts) and the LM head, each for
 * {@code rows} token rows. {@link DecodeStep} (one row per sequence) and {@link ForwardStep} (any mix of
 * rows) build their ops here, so a pure decode pass gets the same numbers from both; the conventions are
 * documented on {@link DecodeStep}.
 */
final class OpFactory {
    private final ModelSpec model;
    private final Precision precision;
    private final ExpertRouting routing;

    OpFactory(ModelSpec model, Precision precision, ExpertRouting routing) {
        this.model = model;
        this.precision = precision;
        this.routing = routing;
    }

    static long mul(long a, long b) {
        return Math.multiplyExact(a, b);
    }

    static long mul(long a, long b, long c) {
        return Math.multiplyExact(Math.multiplyExact(a, b), c);
    }

    static String name(int layer, String suffix) {
        return "layers." + layer + "." + suffix;
    }

    /** Bytes of {@code rows x width} bf16 activations. */
    static long activation(long rows, long width) {
        return mul(rows, width, Precision.ACTIVATION_BYTES);
    }

    /** The embedding lookup of {@code rows} token ids: one table row each. */
    Op embedding(long rows) {
        return new Op(OpKind.EMBEDDING, "embed", Op.NO_LAYER, null, mul(rows, model.embeddingRowBytes(precision)),
                mul(rows, Precision.TOKEN_ID_BYTES), activation(rows, model.hiddenSize()), 0, 0, 0, null);
    }

    Op rmsNorm(String name, int layer, long rows) {
        long h = model.hiddenSize();
        return new Op(OpKind.RMS_NORM, name, layer, null, model.normWeightBytes(), activation(rows, h),
                activation(rows, h), 0, 0, mul(rows, 4 * h + 3), null);
    }

    /**
     * A weight matmul of {@code rows} rows; {@code matrices} distinct weight sets of {@code bytesPerMatrix}
     * each are read; with {@code bias}, {@code out * rows} bias-add FLOPs are added.
     */
    Op matmul(OpKind kind, String name, int layer, long in, long out, long rows, double matrices,
              long bytesPerMatrix, boolean bias) {
        MatmulShape shape = new MatmulShape(in, out, rows, matrices);
        long flops = shape.matmulFlops() + (bias ? mul(out, rows) : 0);
        return new Op(kind, name, layer, shape, matrices * bytesPerMatrix, activation(rows, in), activation(rows, out),
                0, 0, flops, null);
    }

    Op residual(String name, int layer, long rows) {
        long h = model.hiddenSize();
        return new Op(OpKind.RESIDUAL_ADD, name, layer, null, 0, 2 * activation(rows, h), activation(rows, h),
                0, 0, mul(rows, h), null);
    }

    Op gatedActivation(String name, int layer, long rows) {
        long f = model.ffnHiddenSize();
        return new Op(OpKind.FFN_ACTIVATION, name, layer, null, 0, activation(rows, 2 * f), activation(rows, f), 0, 0,
                mul(rows, f, model.activation().flopsPerElement()), null);
    }

    Op qkv(int l, long rows) {
        long h = model.hiddenSize();
        return matmul(OpKind.QKV_PROJ, name(l, "qkv_proj"), l, h, model.qDim() + 2L * model.kvDim(), rows, 1,
                model.qkvWeightBytes(precision), model.qkvBias());
    }

    Op rotary(int l, long rows) {
        long qd = model.qDim();
        long kvd = model.kvDim();
        long rotated = mul(rows, model.numHeads() + model.numKvHeads(), model.headDim());
        return new Op(OpKind.ROTARY, name(l, "rotary"), l, null, 0, activation(rows, qd + kvd), activation(rows, qd + kvd),
                0, 0, mul(3, rotated), null);
    }

    Op outProj(int l, long rows) {
        return matmul(OpKind.OUT_PROJ, name(l, "o_proj"), l, model.qDim(), model.hiddenSize(), rows, 1,
                model.outProjWeightBytes(precision), model.outputBias());
    }

    /**
     * The ops after the attention output projection: attention residual, FFN norm, the feed-forward block
     * (dense: gate/up, activation, down; MoE: router, experts' gate/up, activation, down, combine) and the
     * FFN residual, for {@code rows} token rows.
     */
    List<Op> afterAttention(int l, long rows) {
        List<Op> ops = new ArrayList<>(8);
        long h = model.hiddenSize();
        ops.add(residual(name(l, "attn_residual"), l, rows));
        ops.add(rmsNorm(name(l, "ffn_norm"), l, rows));
        long f = model.ffnHiddenSize();
        if (!model.isMixtureOfExperts()) {
            ops.add(matmul(OpKind.GATE_UP_PROJ, name(l, "gate_up_proj"), l, h, 2 * f, rows, 1,
                    model.gateUpWeightBytes(precision), model.mlpBias()));
            ops.add(gatedActivation(name(l, "act"), l, rows));
            ops.add(matmul(OpKind.DOWN_PROJ, name(l, "down_proj"), l, f, h, rows, 1, model.downWeightBytes(precision),
                    model.mlpBias()));
        } else {
            int e = model.numExperts();
            int k = model.expertsPerToken();
            long pairs = mul(rows, k);
            Op router = matmul(OpKind.ROUTER, name(l, "router"), l, h, e, rows, 1, model.routerWeightBytes(precision),
                    model.mlpBias());
            // top-k selection is comparisons (not counted); softmax over the k selected logits.
            long gateSoftmax = mul(pairs, AttentionDetail.SOFTMAX_FLOPS_PER_LOGIT);
            ops.add(new Op(router.kind(), router.name(), l, router.matmul(), router.weightBytes(),
                    router.activationBytesIn(), router.activationBytesOut(), 0, 0, router.flops() + gateSoftmax, null));
            double touched = routing.distinctExperts(e, k, rows);
            ops.add(matmul(OpKind.EXPERT_GATE_UP_PROJ, name(l, "experts.gate_up_proj"), l, h, 2 * f, pairs, touched,
                    model.gateUpWeightBytes(precision), model.mlpBias()));
            ops.add(gatedActivation(name(l, "experts.act"), l, pairs));
            ops.add(matmul(OpKind.EXPERT_DOWN_PROJ, name(l, "experts.down_proj"), l, f, h, pairs, touched,
                    model.downWeightBytes(precision), model.mlpBias()));
            ops.add(new Op(OpKind.MOE_COMBINE, name(l, "moe_combine"), l, null, 0, activation(pairs, h),
                    activation(rows, h), 0, 0, mul(2, pairs, h), null));
        }
        ops.add(residual(name(l, "ffn_residual"), l, rows));
        return ops;
    }

    /** The LM head for {@code rows} rows that need logits. */
    Op lmHead(long rows) {
        return matmul(OpKind.LM_HEAD, "lm_head", Op.NO_LAYER, model.hiddenSize(), model.vocabSize(), rows, 1,
                model.lmHeadWeightBytes(precision), false);
    }
}
