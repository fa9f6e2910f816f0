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
    WEIGHT_READS("weightReads"),
    /** Streaming the KV cache (decode attention). */
    KV_CACHE_READS("kvCacheReads"),
    /**
     * Small memory-bound operations that are neither weight nor KV-cache streams: norms, rotary
     * embedding, the gated activation, residual adds, embedding lookup, sampling. On a GPU these are
     * dominated by each kernel's fixed start-up time. A machine that does not separate them books them
     * to {@link #COMPUTE}.
     */
    ELEMENTWISE("elementwise"),
    /** Compute-bound work (tensor-core or PE arithmetic that outlasts its memory traffic). */
    COMPUTE("compute"),
    /** Moving data between devices (collectives, point-to-point transfers, fabric hops between stages). */
    COMMUNICATION("communication"),
    /** Launching work: kernel launches and dispatch gaps on a GPU. */
    LAUNCH_OVERHEAD("launchOverhead"),
    /** Waiting for another device: pipeline bubbles, collective skew, the end of a shorter program. */
    IDLE("idle");

    private final String key;

    LatencyCategory(String key) {
        this.key = key;
    }

    /** Camel-case key in JSON and tables (e.g. {@code weightReads}). */
    public String key() {
        return key;
    }
}
