package dev.wafersim.fabric.gpu;

/** How a collective moves its data; see {@link CollectiveModel} for the cost of each. */
public enum CollectiveAlgorithm {
    /** A ring through every member: 2(p-1) steps for an all-reduce. */
    RING,
    /** NCCL's tree: a chain inside each node and a binary tree across nodes (all-reduce only). */
    TREE,
    /** The cheaper of ring and tree for each call, as NCCL's tuner picks. */
    AUTO;

    /** The lower-case name used in presets and on the command line. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
