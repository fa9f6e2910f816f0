package dev.wafersim.workloads.model;

/**
 * The parts of one layer's attention in one decode step, summed over the batch and all query heads.
 *
 * @param attendedTokens   keys each query sees, the new token included: {@code min(positions, window)}
 * @param cachedTokensRead KV-cache entries read per sequence: {@code attendedTokens - 1} (the new
 *                         token's K and V come from this step's projection)
 * @param windowTokens     sliding window in tokens, 0 for full attention
 * @param softmaxLogits    logits per query head and sequence: {@code attendedTokens}, plus 1 with a sink
 * @param qkFlops          {@code Q K^T}: {@code batch * heads * attendedTokens * 2 * headDim}
 * @param softmaxFlops     {@code batch * heads * softmaxLogits * 6} (scale, running max, subtract, exp,
 *                         accumulate, normalize: one FLOP each per logit)
 * @param pvFlops          {@code P V}: {@code batch * heads * attendedTokens * 2 * headDim}
 */
public record AttentionDetail(long attendedTokens, long cachedTokensRead, int windowTokens, long softmaxLogits,
                              long qkFlops, long softmaxFlops, long pvFlops) {

    /** FLOPs charged per softmax logit. */
    public static final int SOFTMAX_FLOPS_PER_LOGIT = 6;

    /** Sum of the three parts. */
    public long flops() {
        return qkFlops + softmaxFlops + pvFlops;
    }
}
