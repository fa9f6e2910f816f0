package dev.wafersim.fabric.gpu;

/**
 * The collectives the model knows. For each, {@code bytes} is the size of the full buffer: the
 * all-reduce input (= output), the all-gather output, the reduce-scatter input.
 */
public enum CollectiveKind {
    /** Every member ends with the element-wise sum of all members' buffers. */
    ALL_REDUCE,
    /** Every member ends with the concatenation of all members' shards. */
    ALL_GATHER,
    /** Every member ends with its shard of the element-wise sum. */
    REDUCE_SCATTER
}
