package dev.wafersim.fabric.gpu;

/** The number format a kernel computes in; it selects the dense peak FLOP/s of the tensor cores. */
public enum DataType {
    /** bfloat16 (and fp16, which has the same tensor-core rate on these parts). */
    BF16,
    /** 8-bit floating point (E4M3/E5M2); absent on the A100. */
    FP8
}
