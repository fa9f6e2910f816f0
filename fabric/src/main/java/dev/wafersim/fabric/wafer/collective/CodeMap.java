package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.memory.sram.SramLayout;
import dev.wafersim.memory.sram.SramParams;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
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
    /*
     * Representation. PEs of a region run the same code, so code is shared while it is built, not
     * only when it is installed: a PE's code is a node of a trie whose edges are the steps that
     * build code (append instruction i, bind an input or output queue to colour c). Appending to a
     * PE moves it from its node to the child along that step, created on first use; every PE that
     * took the same steps sits on the same node. Per PE this keeps three ints (x, y, node) and an
     * index entry, instead of an object with its own instruction list and queue tables (measured on
     * building the 512 x 512 2D broadcast and reduce of bench fabric: those objects, their hash-map
     * index and the per-PE interning key were about half of the build's CPU samples and most of its
     * retained garbage). Per node: its parent, the step, its instruction count and its queue
     * tables (shared by reference until a bind step copies them). {@link #install} materializes the
     * code of each distinct node once and interns it by content as before, so PEs whose steps came
     * in a different order but whose code is equal still share one program.
     */
    private static final int[] NONE = new int[0];
    /** Default queue limits of a PE (see {@link PeCode#queueLimits}). */
    private static final int DEFAULT_QUEUES = 8;
    /** Step kinds, the low two bits of a step: instruction (id << 2), input or output binding (colour << 2 | kind). */
    private static final int STEP_OP = 0;
    private static final int STEP_IN = 1;
    private static final int STEP_OUT = 2;

    private final SramParams sram;
    private final SramLayout layout;
    private final String name;
    private int tag = -1;
    /**
     * One instance of each distinct instruction, numbered: PEs of a region mostly run the same
     * instructions, and a whole-wafer layer has hundreds of millions of them (Llama-3.1-405B on
     * 762 x 234 PEs), so code refers to shared instances by number rather than holding copies.
     */
    private final Object2IntOpenHashMap<Op> opIds = new Object2IntOpenHashMap<>();
    private final List<Op> opList = new ArrayList<>();
    /**
     * The last two distinct instruction instances appended, the tags they were appended under and
     * their ids: collectives append one shared instance to a whole row of PEs (a chain reduce
     * alternates two, by parity), which then costs a reference comparison instead of hashing and
     * comparing the instruction's operands for every PE (that hashing was 44% of the CPU samples of
     * a cold 512 x 512 build with one entry).
     */
    private Op lastOp;
    private int lastTag;
    private int lastId;
    private Op prevOp;
    private int prevTag;
    private int prevId;

    /** PEs with code, in order of first use: x, y and trie node of PE i at index i. */
    private int[] peX = new int[64];
    private int[] peY = new int[64];
    private int[] peNode = new int[64];
    private int peCount;
    /** Queue limits per PE (inputs << 16 | outputs), allocated when some PE sets its own. */
    private int[] peLimits;
    /** PE index + 1 at [y][x] (0: no code yet); rows grow on demand. */
    private int[][] index = new int[0][];

    /** Trie nodes (node 0: no code): parent, step, instruction count, queue tables. */
    private int[] nodeParent = new int[64];
    private int[] nodeStep = new int[64];
    private int[] nodeOps = new int[64];
    private int[] nodeTables = new int[64];
    private int nodes = 1;
    /** Child of (parent << 32 | step), or -1. */
    private final Long2IntOpenHashMap children = new Long2IntOpenHashMap();
    /**
     * Queue tables: colour of input (output) queue q, for the queues bound so far (bound in order
     * 0, 1, ..., so a table has exactly one entry per bound queue); entry 0 is no queue.
     */
    private final List<int[]> inTables = new ArrayList<>(List.of(NONE));
    private final List<int[]> outTables = new ArrayList<>(List.of(NONE));

    /**
     * @param name a name for the programs (e.g. the collective or layer)
     * @param sram the PEs' SRAM parameters
     */
    public CodeMap(String name, SramParams sram) {
        this.name = name;
        this.sram = sram;
        this.layout = new SramLayout(sram, name);
        opIds.defaultReturnValue(-1);
        children.defaultReturnValue(-1);
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

    /**
     * The code of PE (x, y), created empty on first use: a small view on this map's arrays (PEs
     * whose code is equal share it, so there is no object per PE to hand out).
     *
     * @throws ConfigException when x or y is negative
     */
    public PeCode at(int x, int y) {
        if (x < 0 || y < 0) {
            throw new ConfigException("PE (" + x + "," + y + ") [" + name + "] has a negative coordinate");
        }
        if (y >= index.length) {
            index = Arrays.copyOf(index, Math.max(y + 1, 2 * index.length));
        }
        int[] row = index[y];
        if (row == null || x >= row.length) {
            row = row == null ? new int[Math.max(16, x + 1)] : Arrays.copyOf(row, Math.max(x + 1, 2 * row.length));
            index[y] = row;
        }
        int pe = row[x] - 1;
        if (pe < 0) {
            pe = peCount++;
            if (pe == peX.length) {
                int n = 2 * pe;
                peX = Arrays.copyOf(peX, n);
                peY = Arrays.copyOf(peY, n);
                peNode = Arrays.copyOf(peNode, n);
                if (peLimits != null) {
                    peLimits = Arrays.copyOf(peLimits, n);
                }
            }
            peX[pe] = x;
            peY[pe] = y;
            if (peLimits != null) {
                peLimits[pe] = DEFAULT_QUEUES << 16 | DEFAULT_QUEUES;
            }
            row[x] = pe + 1;
        }
        return new PeCode(pe);
    }

    /** Number of PEs with code. */
    public int size() {
        return peCount;
    }

    /** The node reached from {@code parent} by {@code step}, created on first use. */
    private int child(int parent, int step) {
        long key = (long) parent << 32 | (step & 0xFFFFFFFFL);
        int c = children.get(key);
        if (c >= 0) {
            return c;
        }
        c = nodes++;
        if (c == Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many distinct code prefixes in " + name);
        }
        if (c == nodeParent.length) {
            int n = 2 * c;
            nodeParent = Arrays.copyOf(nodeParent, n);
            nodeStep = Arrays.copyOf(nodeStep, n);
            nodeOps = Arrays.copyOf(nodeOps, n);
            nodeTables = Arrays.copyOf(nodeTables, n);
        }
        nodeParent[c] = parent;
        nodeStep[c] = step;
        int kind = step & 3;
        nodeOps[c] = nodeOps[parent] + (kind == STEP_OP ? 1 : 0);
        int tables = nodeTables[parent];
        if (kind != STEP_OP) {
            int[] in = inTables.get(tables);
            int[] out = outTables.get(tables);
            int[] grown = kind == STEP_IN ? in : out;
            grown = Arrays.copyOf(grown, grown.length + 1);
            grown[grown.length - 1] = step >> 2;
            tables = inTables.size();
            inTables.add(kind == STEP_IN ? grown : in);
            outTables.add(kind == STEP_IN ? out : grown);
        }
        nodeTables[c] = tables;
        children.put(key, c);
        return c;
    }

    /**
     * Loads every PE's code onto the fabric, sharing one program among PEs with identical code.
     *
     * @return the number of distinct programs (roles)
     */
    public int install(Fabric fabric) {
        Map<CodeKey, Program> interned = new HashMap<>();
        Program[] ofNode = new Program[nodes];
        for (int pe = 0; pe < peCount; pe++) {
            int node = peNode[pe];
            if (nodeOps[node] == 0) {
                continue;
            }
            Program prog = ofNode[node];
            if (prog == null) {
                CodeKey k = new CodeKey(opsOf(node), inTables.get(nodeTables[node]), outTables.get(nodeTables[node]));
                prog = interned.get(k);
                if (prog == null) {
                    prog = build(k, interned.size());
                    interned.put(k, prog);
                }
                ofNode[node] = prog;
            }
            fabric.load(peX[pe], peY[pe], prog);
        }
        return interned.size();
    }

    /** The instruction ids of node's code, in order. */
    private int[] opsOf(int node) {
        int[] ops = new int[nodeOps[node]];
        int k = ops.length;
        for (int n = node; n != 0; n = nodeParent[n]) {
            if ((nodeStep[n] & 3) == STEP_OP) {
                ops[--k] = nodeStep[n] >>> 2;
            }
        }
        return ops;
    }

    private Program build(CodeKey k, int number) {
        ProgramBuilder b = new ProgramBuilder(name + "#" + number, sram, name);
        for (int q = 0; q < k.in.length; q++) {
            if (k.in[q] >= 0) {
                b.input(q, k.in[q]);
            }
        }
        for (int q = 0; q < k.out.length; q++) {
            if (k.out[q] >= 0) {
                b.output(q, k.out[q]);
            }
        }
        ProgramBuilder.TaskBuilder t = b.task(0, "main").activeAtStart();
        for (int id : k.ops) {
            t.op(opList.get(id));
        }
        t.done();
        Program p = b.build();
        return new Program(p.name(), p.tasks(), p.inputColours(), p.outputColours(), layout, p.threadsUsed());
    }

    /** A PE's code as an interning key: instruction ids (shared instances) and queue tables. */
    private record CodeKey(int[] ops, int[] in, int[] out) {
        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(ops) + Arrays.hashCode(in)) + Arrays.hashCode(out);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CodeKey k && Arrays.equals(ops, k.ops) && Arrays.equals(in, k.in)
                    && Arrays.equals(out, k.out);
        }
    }

    /**
     * The instructions and queue bindings of one PE: a view (PE index) on the map's arrays, cheap
     * to create and to drop; two views of one PE see the same code.
     */
    public final class PeCode {
        private final int pe;

        PeCode(int pe) {
            this.pe = pe;
        }

        /** Limits the queues this PE may bind (the hardware's queue counts). */
        public PeCode queueLimits(int inputs, int outputs) {
            if (peLimits == null) {
                peLimits = new int[peX.length];
                Arrays.fill(peLimits, DEFAULT_QUEUES << 16 | DEFAULT_QUEUES);
            }
            peLimits[pe] = inputs << 16 | outputs;
            return this;
        }

        /** The input queue bound to {@code colour}, binding a free one if needed. */
        public int in(int colour) {
            return queue(colour, STEP_IN);
        }

        /** The output queue bound to {@code colour}, binding a free one if needed. */
        public int out(int colour) {
            return queue(colour, STEP_OUT);
        }

        private int queue(int colour, int kind) {
            int node = peNode[pe];
            int[] table = (kind == STEP_IN ? inTables : outTables).get(nodeTables[node]);
            for (int q = 0; q < table.length; q++) {
                if (table[q] == colour) {
                    return q;
                }
            }
            int max = peLimits == null ? DEFAULT_QUEUES
                    : kind == STEP_IN ? peLimits[pe] >>> 16 : peLimits[pe] & 0xFFFF;
            if (table.length >= max) {
                StringBuilder bound = new StringBuilder();
                for (int q = 0; q < max; q++) {
                    bound.append(q == 0 ? "" : ", ").append(table[q]);
                }
                throw new ConfigException("PE (" + peX[pe] + "," + peY[pe] + ") [" + name + "] needs more than " + max
                        + " " + (kind == STEP_IN ? "input" : "output") + " queues: colour " + colour + " on top of"
                        + " colours " + bound + " (a queue is bound to one colour for the whole program)");
            }
            peNode[pe] = child(node, colour << 2 | kind);
            return table.length;
        }

        /** Appends an instruction to the PE's main task. */
        public PeCode op(Op op) {
            Objects.requireNonNull(op);
            if (op == lastOp && tag == lastTag) {
                peNode[pe] = child(peNode[pe], lastId << 2 | STEP_OP);
                return this;
            }
            if (op == prevOp && tag == prevTag) {
                peNode[pe] = child(peNode[pe], prevId << 2 | STEP_OP);
                return this;
            }
            Op o = tag >= 0 && op.tag() < 0 ? op.tagged(tag) : op;
            int id = opIds.getInt(o);
            if (id < 0) {
                id = opList.size();
                if (id >= 1 << 29) {
                    throw new IllegalStateException("more than 2^29 distinct instructions in " + name);
                }
                opList.add(o);
                opIds.put(o, id);
            }
            prevOp = lastOp;
            prevTag = lastTag;
            prevId = lastId;
            lastOp = op;
            lastTag = tag;
            lastId = id;
            peNode[pe] = child(peNode[pe], id << 2 | STEP_OP);
            return this;
        }

        /** Instructions so far. */
        public int opCount() {
            return nodeOps[peNode[pe]];
        }
    }
}
