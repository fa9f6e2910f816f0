package dev.wafersim.workloads.wafer;

/**
 * The phases of decode on the wafer, used as instruction tags so the time of an episode can be
 * split by what the critical path was doing. Each phase belongs to one breakdown category.
 */
public enum Phase {
    NORM_LOCAL(Category.COMPUTE),
    NORM_REDUCE(Category.REDUCTIONS),
    NORM_SCALE(Category.COMPUTE),
    NORM_BROADCAST(Category.FABRIC_TRANSFER),
    NORM_APPLY(Category.COMPUTE),
    GEMV_BROADCAST(Category.FABRIC_TRANSFER),
    GEMV_COMPUTE(Category.COMPUTE),
    GEMV_REDUCE(Category.REDUCTIONS),
    ROPE(Category.COMPUTE),
    KV_APPEND(Category.ATTENTION),
    Q_BROADCAST(Category.ATTENTION),
    SCORES(Category.ATTENTION),
    SCORES_REDUCE(Category.ATTENTION),
    SOFTMAX(Category.ATTENTION),
    SOFTMAX_REDUCE(Category.ATTENTION),
    SOFTMAX_BROADCAST(Category.ATTENTION),
    PROBS_BROADCAST(Category.ATTENTION),
    VALUES(Category.ATTENTION),
    VALUES_REDUCE(Category.ATTENTION),
    ELEMENTWISE(Category.COMPUTE),
    RESIDUAL_PASS(Category.FABRIC_TRANSFER),
    ROUTER(Category.COMPUTE),
    ARGMAX(Category.REDUCTIONS),
    HANDOFF(Category.FABRIC_TRANSFER),
    EMBEDDING(Category.FABRIC_TRANSFER);

    /** Breakdown categories of per-token latency on the wafer. */
    public enum Category {
        COMPUTE("compute"),
        FABRIC_TRANSFER("fabricTransfer"),
        REDUCTIONS("reductions"),
        ATTENTION("attention"),
        INTER_WAFER("interWafer"),
        PIPELINE_IDLE("pipelineIdle");

        private final String key;

        Category(String key) {
            this.key = key;
        }

        /** The JSON key ({@code breakdownMs.compute}, ...). */
        public String key() {
            return key;
        }
    }

    private final Category category;

    Phase(Category category) {
        this.category = category;
    }

    /** The breakdown category this phase's time counts towards. */
    public Category category() {
        return category;
    }

    /** The instruction tag. */
    public int tag() {
        return ordinal();
    }
}
