package dev.wafersim.workloads.model;

/**
 * What a weight matrix does; a {@link QuantScope} decides from it whether the matrix is stored in the
 * quantized weight format or in bf16. Vectors (norm scales, biases, attention sinks) have no role: they
 * are always 16-bit.
 */
public enum TensorRole {
    /** The token-embedding table, {@code vocab x hidden} (also the LM head when embeddings are tied). */
    EMBEDDING,
    /** A separate (untied) LM head, {@code hidden -> vocab}. */
    LM_HEAD,
    /** Attention projections: q, k, v and the output projection o. */
    ATTENTION,
    /** Dense feed-forward projections: gate, up, down. */
    FFN,
    /** Mixture-of-experts expert projections: gate, up, down of each expert. */
    EXPERT,
    /** Mixture-of-experts router, {@code hidden -> experts}. */
    ROUTER
}
