package dev.wafersim.fabric.program;

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
    MAX(2);

    private final int sources;

    VecOpCode(int sources) {
        this.sources = sources;
    }

    /** Number of source operands. */
    public int sources() {
        return sources;
    }
}
