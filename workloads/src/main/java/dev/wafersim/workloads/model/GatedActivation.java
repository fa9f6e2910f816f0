package dev.wafersim.workloads.model;

/**
 * The element-wise part of a gated feed-forward block, {@code act(gate) * up}, with the FLOPs we
 * charge per output element (a transcendental such as {@code exp} counts as one FLOP).
 */
public enum GatedActivation {
    /**
     * SwiGLU as in Llama, Mistral and Qwen2: {@code silu(g) * u} with {@code silu(g) = g / (1 + exp(-g))}.
     * FLOPs per element: negate 1, exp 1, add 1, divide 1, multiply by {@code u} 1 = 5.
     */
    SWIGLU(5),
    /**
     * gpt-oss's clamped SwiGLU ({@code swiglu_limit} 7, alpha 1.702):
     * {@code g = min(g, 7); u = clamp(u, -7, 7); (u + 1) * g * sigmoid(1.702 g)}. FLOPs per element:
     * clamps 3, alpha multiply 1, sigmoid 4 (negate, exp, add, divide), times {@code g} 1, {@code u + 1} 1,
     * final multiply 1 = 11.
     */
    CLAMPED_SWIGLU(11);

    private final int flopsPerElement;

    GatedActivation(int flopsPerElement) {
        this.flopsPerElement = flopsPerElement;
    }

    /** FLOPs charged per element of the FFN hidden vector. */
    public int flopsPerElement() {
        return flopsPerElement;
    }
}
