package dev.wafersim.workloads.model;

/**
 * What makes two transformer layers of one model different in the decode graph. Layers with equal
 * shapes have identical ops (same shapes, bytes and FLOPs) in any decode step, differing only in their
 * index; dense models have one shape, gpt-oss two (sliding and full attention).
 *
 * @param attention     the layer's attention
 * @param windowTokens  sliding window in tokens, 0 for full attention
 * @param mixtureOfExperts true when the feed-forward block is a routed mixture of experts
 */
public record LayerShape(AttentionType attention, int windowTokens, boolean mixtureOfExperts) {

    /** Short key for logs and reports, e.g. {@code dense/full} or {@code moe/sliding128}. */
    public String key() {
        return (mixtureOfExperts ? "moe/" : "dense/")
                + (attention == AttentionType.FULL ? "full" : "sliding" + windowTokens);
    }
}
