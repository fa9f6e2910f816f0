package dev.wafersim.workloads.model;

/** What a decode op computes. See {@link DecodeStep} for the FLOP and byte conventions of each. */
public enum OpKind {
    /** Embedding lookup: one table row per sequence. */
    EMBEDDING(false),
    /** RMSNorm (pre-attention, pre-FFN, final). */
    RMS_NORM(false),
    /** Fused q, k, v projection (with biases where the model has them). */
    QKV_PROJ(true),
    /** Rotary position embedding applied to the new token's queries and keys. */
    ROTARY(false),
    /** Grouped-query attention of the new token over the KV cache. */
    ATTENTION(false),
    /** Attention output projection. */
    OUT_PROJ(true),
    /** Residual add. */
    RESIDUAL_ADD(false),
    /** Fused gate and up projection of a dense FFN. */
    GATE_UP_PROJ(true),
    /** The gated activation, {@code act(gate) * up}. */
    FFN_ACTIVATION(false),
    /** Down projection of a dense FFN. */
    DOWN_PROJ(true),
    /** MoE router: logits over the experts, top-k and the gate softmax. */
    ROUTER(true),
    /** Fused gate and up projections of the selected experts. */
    EXPERT_GATE_UP_PROJ(true),
    /** Down projections of the selected experts. */
    EXPERT_DOWN_PROJ(true),
    /** Weighted sum of each token's expert outputs. */
    MOE_COMBINE(false),
    /** LM head: logits over the vocabulary. */
    LM_HEAD(true);

    private final boolean matmul;

    OpKind(boolean matmul) {
        this.matmul = matmul;
    }

    /** True when the op is a matrix multiplication by weights (it then has a {@link MatmulShape}). */
    public boolean isMatmul() {
        return matmul;
    }
}
