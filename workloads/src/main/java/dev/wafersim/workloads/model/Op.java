package dev.wafersim.workloads.model;

import java.util.Objects;

/**
 * One op of a decode step for the whole batch. Bytes are what the op reads or writes, counted once;
 * where they live (SRAM, HBM, registers) is for the machine model to decide.
 *
 * @param kind               what the op computes
 * @param name               dotted name, e.g. {@code layers.3.qkv_proj}, {@code embed}, {@code lm_head}
 * @param layer              transformer layer (0-based), or {@link #NO_LAYER} for embedding, final norm, LM head
 * @param matmul             the matmul shape; null unless {@code kind.isMatmul()}
 * @param weightBytes        bytes of weights read (matrices, scales, biases, norm scales, sinks). An integer
 *                           value for every op except expert projections at batch > 1, where it is
 *                           {@code matrices x bytes per expert} with an expected (fractional) expert count
 * @param activationBytesIn  bytes of activations read (bf16; token ids int32)
 * @param activationBytesOut bytes of activations written (bf16)
 * @param kvBytesRead        bytes of KV cache read (attention only)
 * @param kvBytesWritten     bytes of KV cache written: the new token's K and V (attention only)
 * @param flops              floating-point operations (multiply-add = 2)
 * @param attention          the attention breakdown; null unless {@code kind == ATTENTION}
 */
public record Op(OpKind kind, String name, int layer, MatmulShape matmul, double weightBytes,
                 long activationBytesIn, long activationBytesOut, long kvBytesRead, long kvBytesWritten, long flops,
                 AttentionDetail attention) {

    /** Layer index of ops outside the transformer layers. */
    public static final int NO_LAYER = -1;

    public Op {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if ((matmul != null) != kind.isMatmul()) {
            throw new IllegalArgumentException(name + ": matmul shape must be given exactly for matmul kinds");
        }
        if ((attention != null) != (kind == OpKind.ATTENTION)) {
            throw new IllegalArgumentException(name + ": attention detail must be given exactly for ATTENTION");
        }
        if (weightBytes < 0 || activationBytesIn < 0 || activationBytesOut < 0 || kvBytesRead < 0 || kvBytesWritten < 0
                || flops < 0) {
            throw new IllegalArgumentException(name + ": negative count");
        }
    }

    /** The same op in another layer of the same shape. */
    Op atLayer(int newLayer) {
        if (layer == newLayer) {
            return this;
        }
        String suffix = name.substring(name.indexOf('.', "layers.".length()) + 1);
        return new Op(kind, "layers." + newLayer + "." + suffix, newLayer, matmul, weightBytes, activationBytesIn,
                activationBytesOut, kvBytesRead, kvBytesWritten, flops, attention);
    }
}
