package dev.wafersim.fabric.wafer.program;

/**
 * What a vector operation computes per element, over operands {@code a}, {@code b}, {@code c}.
 * These are the DSD operations of the Cerebras SDK ({@code @fmovs}, {@code @fadds},
 * {@code @fmach}, ...), with the element type given separately.
 */
public enum VecOpCode {
    /** dst = a. */
    MOV(1),
    /** dst = a + b. */
    ADD(2),
    /** dst = a - b. */
    SUB(2),
    /** dst = a * b. */
    MUL(2),
    /** dst = a + b * c (axpy when c is a scalar). */
    FMA(3),
    /** dst = max(a, b). */
    MAX(2),
    /** dst = exp(a): no hardware unit; costs {@code pe.expPasses} vector passes (software). */
    EXP(1),
    /** dst = 1 / sqrt(a): costs {@code pe.rsqrtPasses} passes (Newton iterations in software). */
    RSQRT(1),
    /** dst = 1 / a: costs {@code pe.recipPasses} passes (Newton iterations in software). */
    RECIP(1),
    /** dst = a / (1 + exp(-a)) (SiLU): exp, add, reciprocal and multiply in software. */
    SILU(1);

    private final int sources;

    VecOpCode(int sources) {
        this.sources = sources;
    }

    /** True for operations the PE computes in software (costed in passes, see WseParams). */
    public boolean software() {
        return this == EXP || this == RSQRT || this == RECIP || this == SILU;
    }

    /** Number of source operands. */
    public int sources() {
        return sources;
    }
}
