package dev.wafersim.fabric.gpu;

/**
 * The cost of one collective call.
 *
 * @param algorithm  the algorithm that was costed (for auto, the cheaper one)
 * @param latencyPs  the fixed part: base latency plus per-step latencies, in ps
 * @param transferPs the bandwidth part: wire bytes over the bus bandwidth, in ps
 */
public record CollectiveCost(CollectiveAlgorithm algorithm, long latencyPs, long transferPs) {
    /** Latency plus transfer, in ps. */
    public long totalPs() {
        return latencyPs + transferPs;
    }
}
