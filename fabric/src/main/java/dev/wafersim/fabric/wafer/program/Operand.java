package dev.wafersim.fabric.wafer.program;

/**
 * One operand of a vector operation (a "data structure descriptor").
 *
 * @param kind    what the operand is
 * @param address byte address of element 0 ({@link Kind#MEM})
 * @param stride  stride in elements ({@link Kind#MEM}); 0 repeats one element
 * @param queue   input queue ({@link Kind#FABRIC_IN}) or output queue ({@link Kind#FABRIC_OUT})
 * @param scalar  the value ({@link Kind#SCALAR})
 * @param advance for {@link Kind#MEM} operands of a data task: elements the address moves on each
 *                invocation of the task (0: fixed address)
 */
public record Operand(Kind kind, int address, int stride, int queue, float scalar, int advance) {

    /** Operand kinds. */
    public enum Kind {
        /** A vector in the PE's SRAM. */
        MEM,
        /** Wavelets arriving on an input queue. */
        FABRIC_IN,
        /** Wavelets sent through an output queue. */
        FABRIC_OUT,
        /** A constant held in a register. */
        SCALAR,
        /** The payload of the wavelet that started the current data task. */
        WAVELET
    }

    /** A contiguous vector in SRAM at byte {@code address}. */
    public static Operand mem(int address) {
        return new Operand(Kind.MEM, address, 1, -1, 0, 0);
    }

    /** A strided vector in SRAM. */
    public static Operand mem(int address, int strideElems) {
        return new Operand(Kind.MEM, address, strideElems, -1, 0, 0);
    }

    /** An element of SRAM that moves {@code advanceElems} elements on every invocation of its data task. */
    public static Operand memAdvancing(int address, int advanceElems) {
        return new Operand(Kind.MEM, address, 1, -1, 0, advanceElems);
    }

    /** Wavelets from input queue {@code q}. */
    public static Operand fabricIn(int q) {
        return new Operand(Kind.FABRIC_IN, 0, 0, q, 0, 0);
    }

    /** Wavelets to output queue {@code q}. */
    public static Operand fabricOut(int q) {
        return new Operand(Kind.FABRIC_OUT, 0, 0, q, 0, 0);
    }

    /** A constant. */
    public static Operand scalar(float v) {
        return new Operand(Kind.SCALAR, 0, 0, -1, v, 0);
    }

    /** The triggering wavelet of a data task. */
    public static Operand wavelet() {
        return new Operand(Kind.WAVELET, 0, 0, -1, 0, 0);
    }

    /** True for fabric operands. */
    public boolean isFabric() {
        return kind == Kind.FABRIC_IN || kind == Kind.FABRIC_OUT;
    }
}
