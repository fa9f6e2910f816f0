package dev.wafersim.fabric.gpu;

import java.util.Locale;

/** How a collective moves its data; see {@link CollectiveModel} for the cost of each. */
public enum CollectiveAlgorithm {
    /** NCCL's ring through every member: 2(p-1) steps for an all-reduce. */
    RING,
    /** NCCL's tree: a chain inside each node and a binary tree across nodes (all-reduce only). */
    TREE,
    /** NCCL's own choice: the cheaper of ring and tree for each call. */
    AUTO,
    /**
     * One-shot all-reduce inside a node (TensorRT-LLM ONESHOT, vLLM's cross_device_reduce_1stage): every
     * GPU reads the whole buffer of every peer over NVLink and reduces locally; one barrier.
     */
    ONE_SHOT,
    /**
     * Two-shot all-reduce inside a node (TensorRT-LLM TWOSHOT, vLLM's 2stage): a reduce-scatter then an
     * all-gather through peer memory; two barriers, half the wire bytes of one-shot per GPU at 8 GPUs.
     */
    TWO_SHOT,
    /**
     * NVLink SHARP inside a node (NVSwitch 3 and later): the switch reduces (multimem.ld_reduce) and
     * multicasts (multimem.st), so each GPU moves the buffer about once each way.
     */
    NVLS;

    /** The lower-case name used in presets and on the command line ({@code one-shot}, {@code nvls}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** True for NCCL's algorithms (ring, tree and NCCL's choice between them). */
    public boolean isNccl() {
        return this == RING || this == TREE || this == AUTO;
    }
}
