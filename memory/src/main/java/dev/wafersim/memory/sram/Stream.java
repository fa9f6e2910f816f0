package dev.wafersim.memory.sram;

/**
 * One memory operand of a vector operation: elements at {@code baseByte + i * strideElems *
 * elemBytes} for i in [0, length).
 *
 * @param baseByte     byte address of element 0
 * @param strideElems  stride in elements (0 = the same element every time, 1 = contiguous)
 * @param elemBytes    bytes per element (2 for fp16, 4 for fp32)
 */
public record Stream(int baseByte, int strideElems, int elemBytes) {
    public Stream {
        if (baseByte < 0 || elemBytes < 1) {
            throw new IllegalArgumentException("bad stream: base " + baseByte + ", element " + elemBytes + " bytes");
        }
    }
}
