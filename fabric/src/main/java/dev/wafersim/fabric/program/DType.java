package dev.wafersim.fabric.program;

/** Element type of a vector operation. */
public enum DType {
    /** 32-bit float: one element per 32-bit wavelet. */
    FP32(4),
    /** 16-bit float: two elements packed per 32-bit wavelet. */
    FP16(2),
    /** fp16 sources accumulated into an fp32 destination ({@code @fmachs}); fabric operands carry fp16. */
    MIXED(2);

    private final int sourceBytes;

    DType(int sourceBytes) {
        this.sourceBytes = sourceBytes;
    }

    /** Bytes of one source element. */
    public int sourceBytes() {
        return sourceBytes;
    }

    /** Bytes of one destination element. */
    public int destBytes() {
        return this == MIXED ? 4 : sourceBytes;
    }
}
