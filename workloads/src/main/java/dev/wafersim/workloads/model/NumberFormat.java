package dev.wafersim.workloads.model;

import java.util.List;
import java.util.Locale;

/**
 * A storage format of weights or KV-cache entries: bits per element and, for block-scaled formats,
 * the shared scale stored with each group of weights.
 *
 * <p>Scaled formats store one scale per group of {@code groupSize} consecutive weights along a
 * matrix's input (reduction) dimension, so an {@code in x out} matrix holds
 * {@code out * ceil(in / groupSize)} scales (see {@link Precision#matrixBytes}). Quantization is taken
 * as symmetric: no zero points are stored.
 */
public enum NumberFormat {
    /** bfloat16: 16 bits, no scale. The default for weights, KV cache and activations. */
    BF16("bf16", 16, 0, 0, List.of("bfloat16")),
    /** IEEE half: 16 bits, no scale. */
    FP16("fp16", 16, 0, 0, List.of("float16", "half")),
    /**
     * FP8 E4M3: 8 bits. As weights: one bf16 scale per output channel (the compressed-tensors
     * FP8 checkpoints); as KV cache: per-layer K and V scales only (two numbers per layer, not counted).
     */
    FP8("fp8", 8, 16, Precision.PER_CHANNEL, List.of("fp8_e4m3", "e4m3", "float8")),
    /** INT8 weights: 8 bits, one bf16 scale per output channel by default. */
    INT8("int8", 8, 16, Precision.PER_CHANNEL, List.of()),
    /** INT4 weights: 4 bits, one bf16 scale per group of 128 by default (GPTQ / AWQ). */
    INT4("int4", 4, 16, 128, List.of()),
    /**
     * MXFP4 (OCP Microscaling Formats v1.0): FP4 E2M1 elements in blocks of 32 sharing one 8-bit E8M0
     * scale, 4.25 bits per weight; the block size is fixed by the format.
     */
    MXFP4("mxfp4", 4, 8, 32, List.of());

    private final String word;
    private final int bits;
    private final int scaleBits;
    private final int defaultGroupSize;
    private final List<String> aliases;

    NumberFormat(String word, int bits, int scaleBits, int defaultGroupSize, List<String> aliases) {
        this.word = word;
        this.bits = bits;
        this.scaleBits = scaleBits;
        this.defaultGroupSize = defaultGroupSize;
        this.aliases = aliases;
    }

    /** The canonical name ({@code bf16}, {@code int4}, ...). */
    public String word() {
        return word;
    }

    /** Bits per element, scales excluded. */
    public int bits() {
        return bits;
    }

    /** Bits of each group's scale when stored as weights; 0 for unscaled formats. */
    public int scaleBits() {
        return scaleBits;
    }

    /** Weights per scale when none is given ({@link Precision#PER_CHANNEL} = one per output channel); 0 if unscaled. */
    public int defaultGroupSize() {
        return defaultGroupSize;
    }

    /** True for formats that store a scale per group of weights. */
    public boolean scaled() {
        return scaleBits > 0;
    }

    /** The format named by {@code text} (canonical name or alias, case-insensitive), or null. */
    static NumberFormat byWord(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (NumberFormat f : values()) {
            if (f.word.equals(t) || f.aliases.contains(t)) {
                return f;
            }
        }
        return null;
    }
}
