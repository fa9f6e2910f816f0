package dev.wafersim.workloads.run;

/**
 * Where a generated token's latency goes, for every kind of machine. A {@link DecodeResult} books each
 * picosecond of each token to exactly one category, so the categories sum to the latency.
 *
 * <p>A machine books its own time units onto these: the GPU model maps its
 * {@code fabric.gpu.TimeCategory} one to one (see {@code workloads.gpu.GpuDecodeSimulator}). A machine
 * that does not separate a category books nothing to it (the category is present with 0 ms).
 */
public enum LatencyCategory {
    /** Streaming weights from memory into the compute units (GEMV/GEMM at small batch). */
    WEIGHT_READS("weightReads", SystemKind.GPU),
    /** Streaming the KV cache (decode attention). */
    KV_CACHE_READS("kvCacheReads", SystemKind.GPU),
    /**
     * Small memory-bound operations that are neither weight nor KV-cache streams: norms, rotary
     * embedding, the gated activation, residual adds, embedding lookup, sampling. On a GPU these are
     * dominated by each kernel's fixed start-up time. A machine that does not separate them books them
     * to {@link #COMPUTE}.
     */
    ELEMENTWISE("elementwise", SystemKind.GPU),
    /**
     * Compute-bound work: tensor-core arithmetic that outlasts its memory traffic on a GPU; on the
     * wafer, PE arithmetic from SRAM (GEMV tiles, norms, rotary, activation, residuals).
     */
    COMPUTE("compute", SystemKind.GPU, SystemKind.WAFER),
    /** Moving data between devices (collectives, point-to-point transfers, fabric hops between stages). */
    COMMUNICATION("communication", SystemKind.GPU),
    /** Launching work: kernel launches and dispatch gaps on a GPU. */
    LAUNCH_OVERHEAD("launchOverhead", SystemKind.GPU),
    /** Waiting for another device: pipeline bubbles, collective skew, the end of a shorter program. */
    IDLE("idle", SystemKind.GPU),
    /** Wafer: moving activations over the fabric (broadcasts, hand-offs between layer regions, lookups). */
    FABRIC_TRANSFER("fabricTransfer", SystemKind.WAFER),
    /** Wafer: reductions of partial sums over the fabric (GEMV reductions, norm statistics, argmax). */
    REDUCTIONS("reductions", SystemKind.WAFER),
    /** Wafer: attention over the KV cache (scores, softmax with its reductions, values). */
    ATTENTION("attention", SystemKind.WAFER),
    /** Wafer: crossing the links between wafers, including reaching and leaving the wafer's edge I/O. */
    INTER_WAFER("interWafer", SystemKind.WAFER),
    /** Wafer: time a token waits for a wafer busy with other work (pipeline idle on the critical path). */
    PIPELINE_IDLE("pipelineIdle", SystemKind.WAFER);

    private final String key;
    private final java.util.Set<SystemKind> kinds;

    LatencyCategory(String key, SystemKind... kinds) {
        this.key = key;
        this.kinds = java.util.Set.of(kinds);
    }

    /** True when this category is part of a {@code kind} machine's breakdown. */
    public boolean appliesTo(SystemKind kind) {
        return kinds.contains(kind);
    }

    /** Camel-case key in JSON and tables (e.g. {@code weightReads}). */
    public String key() {
        return key;
    }
}
