package dev.wafersim.fabric.gpu;

/**
 * Where a GPU's wall time goes. Every picosecond of a run, from 0 to the end of the last GPU, is
 * booked to exactly one category on every GPU, so the categories of a GPU sum to the wall time.
 *
 * <p>The first four are kernel categories, given by the program: a kernel is booked to its category
 * unless its compute time exceeds its memory time, in which case it is booked to {@link #COMPUTE}.
 */
public enum TimeCategory {
    /** Memory-bound kernels that stream weights (GEMV/GEMM at small batch). */
    WEIGHT_READ("weightRead"),
    /** Memory-bound kernels that stream the KV cache (decode attention). */
    KV_CACHE_READ("kvCacheRead"),
    /** Other memory-bound kernels: norms, rotary embedding, activation functions, residual adds. */
    ELEMENTWISE("elementwise"),
    /** Compute-bound kernels (GEMM at large batch), and kernels declared as compute. */
    COMPUTE("compute"),
    /** Collectives and point-to-point transfers while data moves. */
    COMMUNICATION("communication"),
    /** The device waits for the host to launch work, or pays the per-kernel gap of a CUDA graph. */
    LAUNCH("launch"),
    /** The device waits for other GPUs: at a collective, at a receive, or after its program ended. */
    IDLE("idle");

    private final String statName;

    TimeCategory(String statName) {
        this.statName = statName;
    }

    /** Camel-case name for statistics and JSON (e.g. {@code weightRead}). */
    public String statName() {
        return statName;
    }

    /** True for the categories a kernel may be declared with. */
    public boolean isKernelCategory() {
        return ordinal() <= COMPUTE.ordinal();
    }

    private static final TimeCategory[] VALUES = values();

    /** The category with the given ordinal. */
    static TimeCategory of(int ordinal) {
        return VALUES[ordinal];
    }
}
