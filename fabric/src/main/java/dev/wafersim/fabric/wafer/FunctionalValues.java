package dev.wafersim.fabric.wafer;

import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;

/**
 * Functional mode: the values a program computes, for checking programs (a collective's sums, a
 * layer's outputs) against a reference. Each PE's SRAM is an array of 16-bit words, allocated on
 * first use; fp32 values are two words (low first), fp16 one (IEEE binary16, see {@link Half}).
 * Wavelet payloads are 32 bits: one fp32 or two fp16 (element j of a step in bits 16 j..16 j + 15).
 *
 * <p>Timing never depends on values: {@link PeEngine} calls {@link #step} and {@link #bulk} when it
 * executes a step or a memory-only operation, at the cycle the timing model says, and the results
 * are the same whatever the timing. Arithmetic is fp32 (Java float) per element; exp, 1/sqrt and
 * SiLU are computed in double and rounded once (the PE's software sequences are not modelled
 * bit for bit).
 */
final class FunctionalValues {
    private final short[][] mem;
    private final int wordsPerPe;

    FunctionalValues(int pes, WseParams p) {
        this.mem = new short[pes][];
        this.wordsPerPe = (p.sram().dataBytesPerPe() + 1) / 2;
    }

    private short[] memOf(int pe) {
        short[] m = mem[pe];
        if (m == null) {
            m = new short[wordsPerPe];
            mem[pe] = m;
        }
        return m;
    }

    /** The element of {@code bytes} (2 or 4) at byte {@code addr} of PE pe's SRAM. */
    float load(int pe, int addr, int bytes) {
        short[] m = memOf(pe);
        if (bytes == 2) {
            return Half.toFloat(m[addr >> 1] & 0xFFFF);
        }
        int lo = m[addr >> 1] & 0xFFFF;
        int hi = m[(addr >> 1) + 1] & 0xFFFF;
        return Float.intBitsToFloat((hi << 16) | lo);
    }

    /** Stores {@code v} as an element of {@code bytes} (2 or 4) at byte {@code addr} of PE pe's SRAM. */
    void store(int pe, int addr, int bytes, float v) {
        short[] m = memOf(pe);
        if (bytes == 2) {
            m[addr >> 1] = (short) Half.fromFloat(v);
        } else {
            int b = Float.floatToRawIntBits(v);
            m[addr >> 1] = (short) b;
            m[(addr >> 1) + 1] = (short) (b >>> 16);
        }
    }

    /**
     * Computes one step of fabric operation {@code op} of PE pe: elements pos..pos + e - 1, with the
     * payloads popped from its input queues ({@code in0} from the operation's first queue, {@code in1}
     * from its second). Returns the payload to send (0 when the result goes to memory).
     *
     * @param wavelet    the payload of the wavelet that triggered the current data task
     * @param invocation which invocation of the current data task this is (advancing operands)
     */
    int step(int pe, Role role, int op, int pos, int e, int in0, int in1, int wavelet, int invocation) {
        Op o = role.ops[op];
        int sources = o.code().sources();
        int out = 0;
        for (int j = 0; j < e; j++) {
            int elem = pos + j;
            float a = source(pe, o, 0, elem, j, payloadFor(o, 0, in0, in1, role, op), wavelet, invocation);
            float b = sources > 1
                    ? source(pe, o, 1, elem, j, payloadFor(o, 1, in0, in1, role, op), wavelet, invocation) : 0;
            float c = sources > 2
                    ? source(pe, o, 2, elem, j, payloadFor(o, 2, in0, in1, role, op), wavelet, invocation) : 0;
            float v = apply(o, a, b, c);
            if (o.dst().kind() == Operand.Kind.FABRIC_OUT) {
                if (o.type().destBytes() == 4) {
                    out = Float.floatToRawIntBits(v);
                } else {
                    out |= (Half.fromFloat(v) & 0xFFFF) << (16 * j);
                }
            } else {
                storeDst(pe, o, elem, v, invocation);
            }
        }
        return out;
    }

    /** Computes memory-only operation {@code op} of PE pe in one piece. */
    void bulk(int pe, Role role, int op, int wavelet, int invocation) {
        Op o = role.ops[op];
        int sources = o.code().sources();
        for (int elem = 0; elem < o.length(); elem++) {
            float a = source(pe, o, 0, elem, elem & 1, 0, wavelet, invocation);
            float b = sources > 1 ? source(pe, o, 1, elem, elem & 1, 0, wavelet, invocation) : 0;
            float c = sources > 2 ? source(pe, o, 2, elem, elem & 1, 0, wavelet, invocation) : 0;
            storeDst(pe, o, elem, apply(o, a, b, c), invocation);
        }
    }

    private float source(int pe, Op o, int which, int elem, int j, int payload, int wavelet, int invocation) {
        Operand src = o.source(which);
        DType type = o.type();
        switch (src.kind()) {
            case MEM: {
                int bytes = (which == 0 && type == DType.MIXED) ? 4 : type.sourceBytes();
                int idx = src.advance() * invocation + elem * src.stride();
                return load(pe, src.address() + idx * bytes, bytes);
            }
            case FABRIC_IN:
                return unpack(payload, j, type);
            case WAVELET:
                return unpack(wavelet, j, type);
            case SCALAR:
                return src.scalar();
            default:
                throw new IllegalStateException();
        }
    }

    private static float unpack(int payload, int j, DType type) {
        if (type.sourceBytes() == 4) {
            return Float.intBitsToFloat(payload);
        }
        return Half.toFloat((payload >>> (16 * j)) & 0xFFFF);
    }

    private static float apply(Op o, float a, float b, float c) {
        return switch (o.code()) {
            case MOV -> a;
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case FMA -> a + b * c;
            case MAX -> Math.max(a, b);
            case EXP -> (float) Math.exp(a);
            case RSQRT -> (float) (1.0 / Math.sqrt(a));
            case RECIP -> 1.0f / a;
            case SILU -> (float) (a / (1.0 + Math.exp(-a)));
        };
    }

    private static int payloadFor(Op o, int which, int in0, int in1, Role role, int op) {
        Operand src = o.source(which);
        if (src.kind() != Operand.Kind.FABRIC_IN) {
            return 0;
        }
        return src.queue() == role.inQ0[op] ? in0 : in1;
    }

    private void storeDst(int pe, Op o, int elem, float v, int invocation) {
        Operand d = o.dst();
        int bytes = o.type().destBytes();
        int idx = d.advance() * invocation + elem * d.stride();
        store(pe, d.address() + idx * bytes, bytes, v);
    }
}
