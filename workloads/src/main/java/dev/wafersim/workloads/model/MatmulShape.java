package dev.wafersim.workloads.model;

/**
 * The shape of a weight matmul in one decode step: {@code tokens} row vectors of {@code inFeatures}
 * times a weight matrix {@code inFeatures x outFeatures}.
 *
 * @param inFeatures  reduction dimension (elements)
 * @param outFeatures output dimension (elements); fused projections report the concatenation (QKV:
 *                    {@code qDim + 2 kvDim}; gate/up: {@code 2 ffn})
 * @param tokens      rows multiplied: the batch size, or for expert projections the token-expert pairs
 *                    ({@code batch * expertsPerToken})
 * @param matrices    distinct weight matrices of this shape read: 1, or for expert projections the
 *                    (expected) number of distinct experts touched, see {@link ExpertRouting}
 */
public record MatmulShape(long inFeatures, long outFeatures, long tokens, double matrices) {

    /** Multiply-add FLOPs, {@code 2 * in * out * tokens}; biases not included. */
    public long matmulFlops() {
        return Math.multiplyExact(Math.multiplyExact(2L * inFeatures, outFeatures), tokens);
    }
}
