package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.memory.sram.SramLayout;
import dev.wafersim.memory.sram.SramParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The code of many PEs under construction: each PE gets a list of instructions for its main task
 * and queue bindings, added phase by phase by collectives and workload mappings; all PEs share one
 * SRAM layout. {@link #install} turns identical per-PE code into one shared {@link Program} (a role)
 * and loads it, so a region of thousands of PEs doing the same thing costs one compiled program.
 */
public final class CodeMap {
    private final SramParams sram;
    private final SramLayout layout;
    private final it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap<PeCode> pes =
            new it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap<>();
    private final String name;
    private int tag = -1;
    /**
     * One instance of each distinct instruction: PEs of a region mostly run the same instructions, and
     * a whole-wafer layer has hundreds of millions of them (Llama-3.1-405B on 762 x 234 PEs), so each
     * PE's list holds shared references rather than copies.
     */
    private final HashMap<Op, Op> opPool = new HashMap<>();
    private static final int[] NONE = new int[0];

    /**
     * @param name a name for the programs (e.g. the collective or layer)
     * @param sram the PEs' SRAM parameters
     */
    public CodeMap(String name, SramParams sram) {
        this.name = name;
        this.sram = sram;
        this.layout = new SramLayout(sram, name);
    }

    /** Places a buffer of {@code bytes} at the same address in every PE and returns the address. */
    public int buffer(String bufferName, long bytes) {
        return layout.place(bufferName, bytes, 16);
    }

    /**
     * Tags every instruction appended from now on with phase {@code t} (see
     * {@link Op#tagged}); -1 stops tagging.
     */
    public void tag(int t) {
        this.tag = t;
    }

    /** The shared layout. */
    public SramLayout layout() {
        return layout;
    }

    /** The code of PE (x, y), created empty on first use. */
    public PeCode at(int x, int y) {
        long k = key(x, y);
        PeCode pc = pes.get(k);
        if (pc == null) {
            pc = new PeCode(x, y);
            pes.put(k, pc);
        }
        return pc;
    }

    private static long key(int x, int y) {
        return ((long) y << 32) | (x & 0xFFFFFFFFL);
    }

    /** Number of PEs with code. */
    public int size() {
        return pes.size();
    }

    /**
     * Loads every PE's code onto the fabric, sharing one program among PEs with identical code.
     *
     * @return the number of distinct programs (roles)
     */
    public int install(Fabric fabric) {
        Map<CodeKey, Program> interned = new HashMap<>();
        for (PeCode pc : pes.values()) {
            if (pc.ops.isEmpty()) {
                continue;
            }
            CodeKey k = new CodeKey(pc);
            Program prog = interned.get(k);
            if (prog == null) {
                ProgramBuilder b = new ProgramBuilder(name + "#" + interned.size(), sram, name);
                for (int q = 0; q < pc.inColour.length; q++) {
                    if (pc.inColour[q] >= 0) {
                        b.input(q, pc.inColour[q]);
                    }
                }
                for (int q = 0; q < pc.outColour.length; q++) {
                    if (pc.outColour[q] >= 0) {
                        b.output(q, pc.outColour[q]);
                    }
                }
                ProgramBuilder.TaskBuilder t = b.task(0, "main").activeAtStart();
                for (Op op : pc.ops) {
                    t.op(op);
                }
                t.done();
                prog = withLayout(b.build());
                interned.put(k, prog);
            }
            fabric.load(pc.x, pc.y, prog);
        }
        return interned.size();
    }

    /** A PE's code as an interning key: its content hash is kept up to date as instructions are added. */
    private static final class CodeKey {
        final PeCode pc;
        final int hash;

        CodeKey(PeCode pc) {
            this.pc = pc;
            this.hash = 31 * (31 * pc.hash + Arrays.hashCode(pc.inColour)) + Arrays.hashCode(pc.outColour);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof CodeKey k) || k.hash != hash) {
                return false;
            }
            return Arrays.equals(pc.inColour, k.pc.inColour) && Arrays.equals(pc.outColour, k.pc.outColour)
                    && pc.ops.equals(k.pc.ops);
        }
    }

    private Program withLayout(Program p) {
        return new Program(p.name(), p.tasks(), p.inputColours(), p.outputColours(), layout, p.threadsUsed());
    }

    /** The instructions and queue bindings of one PE. */
    public final class PeCode {
        final int x;
        final int y;
        final List<Op> ops = new ArrayList<>(2);
        /**
         * Colour of input queue q, for the queues bound so far (bound in order 0, 1, ..., so the
         * array has exactly one entry per bound queue: a wafer's worth of PEs keeps a few bytes each
         * instead of two 32-entry tables).
         */
        int[] inColour = NONE;
        int[] outColour = NONE;
        int hash = 1;
        private int maxInputQueues = 8;
        private int maxOutputQueues = 8;

        PeCode(int x, int y) {
            this.x = x;
            this.y = y;
        }

        /** Limits the queues this PE may bind (the hardware's queue counts). */
        public PeCode queueLimits(int inputs, int outputs) {
            maxInputQueues = inputs;
            maxOutputQueues = outputs;
            return this;
        }

        /** The input queue bound to {@code colour}, binding a free one if needed. */
        public int in(int colour) {
            int q = find(inColour, colour);
            if (q < 0) {
                inColour = bind(inColour, colour, maxInputQueues, "input");
                q = inColour.length - 1;
            }
            return q;
        }

        /** The output queue bound to {@code colour}, binding a free one if needed. */
        public int out(int colour) {
            int q = find(outColour, colour);
            if (q < 0) {
                outColour = bind(outColour, colour, maxOutputQueues, "output");
                q = outColour.length - 1;
            }
            return q;
        }

        private static int find(int[] table, int colour) {
            for (int q = 0; q < table.length; q++) {
                if (table[q] == colour) {
                    return q;
                }
            }
            return -1;
        }

        /** The table with {@code colour} bound to the next free queue. */
        private int[] bind(int[] table, int colour, int max, String kind) {
            if (table.length < max) {
                int[] grown = Arrays.copyOf(table, table.length + 1);
                grown[table.length] = colour;
                return grown;
            }
            StringBuilder bound = new StringBuilder();
            for (int q = 0; q < max; q++) {
                bound.append(q == 0 ? "" : ", ").append(table[q]);
            }
            throw new ConfigException("PE (" + x + "," + y + ") [" + name + "] needs more than " + max + " " + kind
                    + " queues: colour " + colour + " on top of colours " + bound + " (a queue is bound to one"
                    + " colour for the whole program)");
        }

        /** Appends an instruction to the PE's main task. */
        public PeCode op(Op op) {
            Objects.requireNonNull(op);
            Op o = tag >= 0 && op.tag() < 0 ? op.tagged(tag) : op;
            Op shared = opPool.putIfAbsent(o, o);
            if (shared != null) {
                o = shared;
            }
            ops.add(o);
            hash = 31 * hash + o.hashCode();
            return this;
        }

        /** Instructions so far. */
        public int opCount() {
            return ops.size();
        }
    }
}
