package dev.wafersim.fabric.wafer.program;

/** Element type of a vector operation. */
public enum DType {
    /** 32-bit float: one element per 32-bit wavelet. */
    FP32(4),
    /** 16-bit float: two elements packed per 32-bit wavelet. */
    FP16(2),
    /** fp16 sources accumulated into an fp32 destination ({@code @fmachs}); fabric operands carry fp16. */
    MIXED(2, 4),
    /** fp32 sources narrowed to an fp16 destination (a converting move). */
    NARROW(4, 2);

    private final int sourceBytes;
    private final int destBytes;

    DType(int sourceBytes) {
        this(sourceBytes, sourceBytes);
    }

    DType(int sourceBytes, int destBytes) {
        this.sourceBytes = sourceBytes;
        this.destBytes = destBytes;
    }

    /** Bytes of one source element. */
    public int sourceBytes() {
        return sourceBytes;
    }

    /** Bytes of one destination element. */
    public int destBytes() {
        return destBytes;
    }
}
