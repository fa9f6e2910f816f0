package dev.wafersim.fabric.wafer.program;

import java.util.Objects;

/**
 * One instruction of a task. Most are vector operations ({@link Kind#VEC}) over {@code length}
 * elements, run either by the main thread (synchronous) or handed to a microthread
 * ({@code microthread >= 1}, asynchronous: the main thread goes on at once, and
 * {@code onCompleteActivate} names a task to activate when the operation finishes).
 *
 * @param kind               instruction kind
 * @param code               vector operation (VEC)
 * @param type               element type (VEC)
 * @param length             elements (VEC)
 * @param dst                destination (VEC)
 * @param a                  first source (VEC)
 * @param b                  second source or null
 * @param c                  third source or null
 * @param microthread        0 for the main thread, 1..n for an asynchronous operation
 * @param onCompleteActivate task activated when an asynchronous operation completes, or -1
 * @param task               target task of ACTIVATE / BLOCK / UNBLOCK
 * @param queue              output queue of CONTROL
 * @param tag                a phase tag (0..{@value #MAX_TAG}) for time attribution, or -1: the fabric
 *                           records, per tag, the last cycle in which an instruction with it completed
 */
public record Op(Kind kind, VecOpCode code, DType type, int length, Operand dst, Operand a, Operand b, Operand c,
                 int microthread, int onCompleteActivate, int task, int queue, int tag) {

    /** Largest phase tag. */
    public static final int MAX_TAG = 255;

    /** Instruction kinds. */
    public enum Kind {
        /** A vector operation. */
        VEC,
        /** Activate a local task. */
        ACTIVATE,
        /** Block a task: it is not picked even when activated or its queue has data. */
        BLOCK,
        /** Unblock a task. */
        UNBLOCK,
        /** Send one control wavelet through an output queue: it advances the route configuration of
         * every router it passes on its colour. */
        CONTROL
    }

    public Op {
        Objects.requireNonNull(kind);
        if (tag < -1 || tag > MAX_TAG) {
            throw new IllegalArgumentException("tag must be in [-1, " + MAX_TAG + "], got " + tag);
        }
    }

    /** The same instruction with phase tag {@code t}. */
    public Op tagged(int t) {
        return new Op(kind, code, type, length, dst, a, b, c, microthread, onCompleteActivate, task, queue, t);
    }

    /** A synchronous vector operation on the main thread. */
    public static Op vec(VecOpCode code, DType type, int length, Operand dst, Operand a) {
        return vec(code, type, length, dst, a, null, null);
    }

    /** A synchronous vector operation on the main thread. */
    public static Op vec(VecOpCode code, DType type, int length, Operand dst, Operand a, Operand b) {
        return vec(code, type, length, dst, a, b, null);
    }

    /** A synchronous vector operation on the main thread. */
    public static Op vec(VecOpCode code, DType type, int length, Operand dst, Operand a, Operand b, Operand c) {
        return new Op(Kind.VEC, code, type, length, dst, a, b, c, 0, -1, -1, -1, -1);
    }

    /** The same operation handed to microthread {@code thread} (1-based), activating a task when done. */
    public Op async(int thread, int activateOnComplete) {
        if (kind != Kind.VEC) {
            throw new IllegalStateException("only vector operations run asynchronously");
        }
        return new Op(kind, code, type, length, dst, a, b, c, thread, activateOnComplete, task, queue, tag);
    }

    /** The same operation handed to microthread {@code thread} (1-based). */
    public Op async(int thread) {
        return async(thread, -1);
    }

    /** Activate local task {@code t}. */
    public static Op activate(int t) {
        return new Op(Kind.ACTIVATE, null, null, 0, null, null, null, null, 0, -1, t, -1, -1);
    }

    /** Block task {@code t}. */
    public static Op block(int t) {
        return new Op(Kind.BLOCK, null, null, 0, null, null, null, null, 0, -1, t, -1, -1);
    }

    /** Unblock task {@code t}. */
    public static Op unblock(int t) {
        return new Op(Kind.UNBLOCK, null, null, 0, null, null, null, null, 0, -1, t, -1, -1);
    }

    /** Send a control wavelet through output queue {@code q}. */
    public static Op control(int q) {
        return new Op(Kind.CONTROL, null, null, 0, null, null, null, null, 0, -1, -1, q, -1);
    }

    /** The sources in order (a, b, c), as many as the operation uses. */
    public Operand source(int i) {
        return switch (i) {
            case 0 -> a;
            case 1 -> b;
            case 2 -> c;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }
}
