package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.Task;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import dev.wafersim.memory.sram.SramBankModel;
import dev.wafersim.memory.sram.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Program} compiled for one set of hardware parameters: its tasks' instructions flattened
 * into primitive arrays with their timing precomputed, shared by every PE that runs the program.
 * Compiling validates the program against the hardware (queues, colours, microthreads, SRAM ports)
 * and fails with a message naming the program, task and instruction.
 */
final class Role {
    static final byte K_END = 0;
    static final byte K_BULK = 1;
    static final byte K_FABRIC = 2;
    static final byte K_ACTIVATE = 3;
    static final byte K_BLOCK = 4;
    static final byte K_UNBLOCK = 5;
    static final byte K_CONTROL = 6;

    final Program program;
    final int index;
    final int[] entry = new int[Program.MAX_TASKS];
    final int[] taskQueue = new int[Program.MAX_TASKS];
    int dataTaskMask;
    int activeAtStartMask;
    int blockedAtStartMask;

    final Op[] ops;
    final byte[] kind;
    final byte[] thread;
    final int[] len;
    final int[] inQ0;
    final int[] inQ1;
    final int[] outQ;
    final int[] elemsPerStep;
    final int[] cyclesPerStep;
    final long[] bulkCycles;
    final int[] onComplete;
    final int[] target;
    final boolean[] writesMemory;
    final boolean[] usesWavelet;
    final int[] tag;
    int maxTag = -1;
    /**
     * Per operation: a receive into memory that a router may account for directly (receive fusion,
     * see Fabric): the program runs on the main thread only, and the operation is a fabric
     * operation with one input queue, no output queue and one cycle per step.
     */
    final boolean[] fusable;
    /**
     * What a fabric step needs of operation i, packed at i * OPI: kind, input queues, output queue,
     * elements per step, length, cycles per step, flags (one cache line instead of eight arrays).
     */
    final int[] info;
    static final int OPI = 8;
    static final int I_KIND = 0;
    static final int I_IN0 = 1;
    static final int I_IN1 = 2;
    static final int I_OUT = 3;
    static final int I_E = 4;
    static final int I_LEN = 5;
    static final int I_CPS = 6;
    static final int I_FLAGS = 7;
    static final int F_WRITES_MEMORY = 1;
    static final int F_FUSABLE = 2;
    /** A fabric operation from one input queue to one output queue at one step per cycle. */
    static final int F_STREAM = 4;
    /**
     * A fabric operation from memory to one output queue at one step per cycle: the source of a
     * stream that {@link StreamFastForward} may account in one piece.
     */
    static final int F_SOURCE = 8;
    final int threadsUsed;
    /** The colours the program's output queues are bound to, as a 64-bit set. */
    final long outputColourSet;

    Role(Program program, int index, WseParams p, SramBankModel bank) {
        this.program = program;
        this.index = index;
        this.threadsUsed = program.threadsUsed();
        java.util.Arrays.fill(entry, -1);
        java.util.Arrays.fill(taskQueue, -1);
        long outSet = 0;
        for (int c : program.outputColours()) {
            if (c >= 0 && c < 64) {
                outSet |= 1L << c;
            }
        }
        this.outputColourSet = outSet;
        if (program.threadsUsed() - 1 > p.microthreads()) {
            throw err("uses microthread " + (program.threadsUsed() - 1) + " but a PE has " + p.microthreads());
        }
        for (int q = 0; q < 32; q++) {
            if (program.inputColours()[q] >= 0) {
                if (q >= p.peInputQueues()) {
                    throw err("binds input queue " + q + " but a PE has " + p.peInputQueues() + " input queues");
                }
                checkColour(program.inputColours()[q], p, "input queue " + q);
            }
            if (program.outputColours()[q] >= 0) {
                if (q >= p.peOutputQueues()) {
                    throw err("binds output queue " + q + " but a PE has " + p.peOutputQueues() + " output queues");
                }
                checkColour(program.outputColours()[q], p, "output queue " + q);
            }
        }
        List<Op> flat = new ArrayList<>();
        for (Task t : program.tasks()) {
            if (t == null) {
                continue;
            }
            entry[t.id()] = flat.size();
            if (t.data()) {
                if (program.inputColours()[t.inputQueue()] < 0) {
                    throw err("data task " + t.name() + " is bound to input queue " + t.inputQueue()
                            + ", which is bound to no colour");
                }
                dataTaskMask |= 1 << t.id();
                taskQueue[t.id()] = t.inputQueue();
            }
            if (t.activeAtStart()) {
                activeAtStartMask |= 1 << t.id();
            }
            if (t.blockedAtStart()) {
                blockedAtStartMask |= 1 << t.id();
            }
            flat.addAll(t.ops());
            flat.add(null);
        }
        int n = flat.size();
        ops = flat.toArray(new Op[0]);
        kind = new byte[n];
        thread = new byte[n];
        len = new int[n];
        inQ0 = new int[n];
        inQ1 = new int[n];
        outQ = new int[n];
        elemsPerStep = new int[n];
        cyclesPerStep = new int[n];
        bulkCycles = new long[n];
        onComplete = new int[n];
        target = new int[n];
        writesMemory = new boolean[n];
        usesWavelet = new boolean[n];
        tag = new int[n];
        fusable = new boolean[n];
        info = new int[n * OPI];
        String task = "?";
        for (int i = 0; i < n; i++) {
            Op op = ops[i];
            inQ0[i] = inQ1[i] = outQ[i] = onComplete[i] = target[i] = -1;
            tag[i] = op == null ? -1 : op.tag();
            maxTag = Math.max(maxTag, tag[i]);
            if (op == null) {
                kind[i] = K_END;
                continue;
            }
            task = taskOf(i);
            compileOp(i, op, p, bank, task);
            fusable[i] = threadsUsed == 1 && kind[i] == K_FABRIC && inQ0[i] >= 0 && inQ1[i] < 0 && outQ[i] < 0
                    && cyclesPerStep[i] == 1;
        }
        for (int i = 0; i < n; i++) {
            int b = i * OPI;
            info[b + I_KIND] = kind[i];
            info[b + I_IN0] = inQ0[i];
            info[b + I_IN1] = inQ1[i];
            info[b + I_OUT] = outQ[i];
            info[b + I_E] = elemsPerStep[i];
            info[b + I_LEN] = len[i];
            info[b + I_CPS] = cyclesPerStep[i];
            boolean stream = kind[i] == K_FABRIC && inQ0[i] >= 0 && inQ1[i] < 0 && outQ[i] >= 0
                    && cyclesPerStep[i] == 1;
            boolean source = kind[i] == K_FABRIC && inQ0[i] < 0 && outQ[i] >= 0 && cyclesPerStep[i] == 1;
            info[b + I_FLAGS] = (writesMemory[i] ? F_WRITES_MEMORY : 0) | (fusable[i] ? F_FUSABLE : 0)
                    | (stream ? F_STREAM : 0) | (source ? F_SOURCE : 0);
        }
        for (Task t : program.tasks()) {
            if (t != null) {
                for (Op op : t.ops()) {
                    int tt = op.kind() == Op.Kind.VEC ? op.onCompleteActivate() : op.task();
                    if (tt >= 0 && program.task(tt) == null) {
                        throw err("task " + t.name() + " refers to task " + tt + ", which the program does not define");
                    }
                }
            }
        }
    }

    private String taskOf(int opIndex) {
        String best = "?";
        int bestEntry = -1;
        for (Task t : program.tasks()) {
            if (t != null && entry[t.id()] <= opIndex && entry[t.id()] > bestEntry) {
                bestEntry = entry[t.id()];
                best = t.name();
            }
        }
        return best;
    }

    private void compileOp(int i, Op op, WseParams p, SramBankModel bank, String task) {
        String where = "task " + task + ", instruction " + (i - entryOfTask(i));
        thread[i] = (byte) op.microthread();
        switch (op.kind()) {
            case ACTIVATE, BLOCK, UNBLOCK -> {
                kind[i] = op.kind() == Op.Kind.ACTIVATE ? K_ACTIVATE : op.kind() == Op.Kind.BLOCK ? K_BLOCK : K_UNBLOCK;
                if (op.task() < 0 || op.task() >= Program.MAX_TASKS) {
                    throw err(where + ": task id " + op.task() + " is out of range");
                }
                target[i] = op.task();
                return;
            }
            case CONTROL -> {
                kind[i] = K_CONTROL;
                if (op.queue() < 0 || op.queue() >= 32 || program.outputColours()[op.queue()] < 0) {
                    throw err(where + ": control wavelet through output queue " + op.queue()
                            + ", which is bound to no colour");
                }
                outQ[i] = op.queue();
                return;
            }
            case VEC -> {
            }
            default -> throw new IllegalStateException();
        }
        if (op.length() < 1) {
            throw err(where + ": vector length must be >= 1, got " + op.length());
        }
        len[i] = op.length();
        onComplete[i] = op.onCompleteActivate();
        int sources = op.code().sources();
        for (int s = 0; s < 3; s++) {
            Operand o = op.source(s);
            if ((s < sources) != (o != null)) {
                throw err(where + ": " + op.code() + " takes " + sources + " source operand(s)");
            }
        }
        if (op.dst() == null || op.dst().kind() == Operand.Kind.FABRIC_IN || op.dst().kind() == Operand.Kind.SCALAR
                || op.dst().kind() == Operand.Kind.WAVELET) {
            throw err(where + ": the destination must be memory or an output queue");
        }
        if (op.type() == DType.MIXED && op.code() != VecOpCode.FMA && op.code() != VecOpCode.ADD) {
            throw err(where + ": mixed precision (fp16 in, fp32 out) exists only for FMA and ADD");
        }
        if (op.type() == DType.MIXED && op.dst().kind() == Operand.Kind.FABRIC_OUT) {
            throw err(where + ": a mixed-precision result (fp32) cannot go to the fabric; use FP32");
        }
        if (op.type() == DType.NARROW && op.code() != VecOpCode.MOV) {
            throw err(where + ": narrowing (fp32 to fp16) exists only for MOV");
        }
        boolean fabric = op.dst().kind() == Operand.Kind.FABRIC_OUT;
        List<Stream> reads = new ArrayList<>();
        for (int s = 0; s < sources; s++) {
            Operand o = op.source(s);
            switch (o.kind()) {
                case FABRIC_IN -> {
                    fabric = true;
                    checkQueueBound(o.queue(), true, where);
                    if (inQ0[i] < 0) {
                        inQ0[i] = o.queue();
                    } else if (inQ0[i] != o.queue()) {
                        inQ1[i] = o.queue();
                    } else {
                        throw err(where + ": reads input queue " + o.queue() + " twice");
                    }
                }
                case MEM -> {
                    int bytes = (s == 0 && op.type() == DType.MIXED) ? 4 : op.type().sourceBytes();
                    checkExtent(o, op.length(), bytes, p, where);
                    if (o.stride() != 0) {
                        reads.add(new Stream(o.address(), o.stride(), bytes));
                    }
                }
                case WAVELET -> usesWavelet[i] = true;
                case SCALAR -> {
                }
                default -> throw err(where + ": a source cannot be an output queue");
            }
        }
        if (op.dst().kind() == Operand.Kind.FABRIC_OUT) {
            checkQueueBound(op.dst().queue(), false, where);
            outQ[i] = op.dst().queue();
        } else {
            writesMemory[i] = true;
            checkExtent(op.dst(), op.length(), op.type().destBytes(), p, where);
        }
        if (reads.size() > p.sram().readPortsPerCycle()) {
            throw err(where + ": reads " + reads.size() + " memory streams but a PE has "
                    + p.sram().readPortsPerCycle() + " read ports per cycle");
        }
        int simd = simdWidth(op.code(), op.type(), p);
        // Software operations (exp, 1/sqrt, ...) take several vector passes per element.
        int passes = p.passes(op.code());
        if (fabric) {
            kind[i] = K_FABRIC;
            int e = p.waveletPayloadBits() / (op.type().sourceBytes() * 8);
            elemsPerStep[i] = e;
            cyclesPerStep[i] = passes * ((e + simd - 1) / simd);
        } else {
            kind[i] = K_BULK;
            Stream write = op.dst().kind() == Operand.Kind.MEM && op.dst().stride() != 0
                    ? new Stream(op.dst().address(), op.dst().stride(), op.type().destBytes()) : null;
            bulkCycles[i] = passes * bank.cycles(op.length(), simd, reads.toArray(new Stream[0]), write);
        }
    }

    private int entryOfTask(int opIndex) {
        int best = 0;
        for (int e : entry) {
            if (e >= 0 && e <= opIndex && e > best) {
                best = e;
            }
        }
        return best;
    }

    private void checkQueueBound(int q, boolean input, String where) {
        int[] colours = input ? program.inputColours() : program.outputColours();
        if (q < 0 || q >= 32 || colours[q] < 0) {
            throw err(where + ": uses " + (input ? "input" : "output") + " queue " + q + ", which is bound to no colour");
        }
    }

    private void checkExtent(Operand o, int length, int elemBytes, WseParams p, String where) {
        long last = o.address() + (long) (length - 1) * Math.abs(o.stride()) * elemBytes + elemBytes;
        if (o.address() < 0 || last > p.sram().dataBytesPerPe()) {
            throw err(where + ": memory operand at byte " + o.address() + " with " + length + " elements ends at byte "
                    + last + ", beyond the " + p.sram().dataBytesPerPe() + " data bytes of a PE");
        }
    }

    private void checkColour(int c, WseParams p, String what) {
        if (c >= p.colours()) {
            throw err(what + " is bound to colour " + c + " but the fabric has " + p.colours() + " colours (0.."
                    + (p.colours() - 1) + ")");
        }
    }

    private ConfigException err(String msg) {
        return new ConfigException("program " + program.name() + ": " + msg);
    }

    /** SIMD lanes per cycle of an operation on an element type, from the preset's SIMD table. */
    static int simdWidth(VecOpCode code, DType type, WseParams p) {
        return switch (type) {
            case FP16 -> switch (code) {
                case FMA -> p.simdFp16Fma();
                case MAX -> p.simdFp16Max();
                default -> p.simdFp16AddMul();
            };
            case FP32 -> switch (code) {
                case FMA, MUL -> p.simdFp32Fma();
                default -> p.simdFp32AddMove();
            };
            case MIXED -> p.simdFp16MixedFma();
            case NARROW -> p.simdFp32AddMove();
        };
    }
}
