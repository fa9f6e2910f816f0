package dev.wafersim.fabric.wafer.collective;

import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.program.Operand.fabricIn;
import static dev.wafersim.fabric.wafer.program.Operand.fabricOut;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Broadcasts and reductions on the fabric, as routes plus instructions appended to each PE's main
 * task in a {@link CodeMap}, so a workload can chain them with its own computation. Every PE holds
 * the vector at the same SRAM address {@code addr} ({@code elems} elements of {@code type}); a
 * broadcast copies the root's vector into every PE, a reduction leaves the element-wise sum at the
 * root (PE 0 of the line; (x0, y0) in 2D) and an allreduce in every PE.
 *
 * <p>The algorithms follow Luczynski et al., "Near-Optimal Wafer-Scale Reduce" (HPDC 2024):
 * flooding broadcast (the root sends once; multicast routes copy each wavelet into every PE on the
 * way), chain reduce (each PE adds its vector to the stream from upstream and forwards it: one
 * dependency stage per PE, pipelined), star reduce (every PE sends its whole vector to the root,
 * one after the other: a control wavelet at the end of each vector switches the next router from
 * "my PE" to "pass through"), tree reduce (binary tree, one colour per level), two-phase reduce
 * (chains within groups of about sqrt(P) PEs, then a chain across the group leaders) and a ring
 * allreduce (reduce-scatter then allgather around a ring folded onto the line so no link is longer
 * than two hops). The 2D patterns work on rows first, then on the first column.
 */
public final class Collectives {
    private Collectives() {
    }

    private static int bit(int d) {
        return 1 << d;
    }

    /** Routes a point-to-point stream on {@code colour} from line PE {@code from} to PE {@code to}. */
    public static void path(RouteBook f, Line line, int from, int to, int colour) {
        if (from == to) {
            throw new IllegalArgumentException("a path needs two different PEs");
        }
        int dir = from > to ? line.toward() : line.away();
        int back = (dir + 2) & 3;
        int step = from > to ? -1 : 1;
        for (int k = from; ; k += step) {
            int in = k == from ? RAMP : back;
            int out = k == to ? RAMP : dir;
            f.setRoute(line.x(k), line.y(k), colour, bit(in), bit(out));
            if (k == to) {
                break;
            }
        }
    }

    private static Op mov(DType t, int n, Operand dst, Operand src) {
        return Op.vec(VecOpCode.MOV, t, n, dst, src);
    }

    private static Op add(DType t, int n, Operand dst, Operand a, Operand b) {
        return Op.vec(VecOpCode.ADD, t, n, dst, a, b);
    }

    /**
     * Flooding broadcast along {@code line} from PE 0 on one colour: PE 0 sends its vector once, every
     * router on the way copies each wavelet to its PE and onwards.
     */
    public static void broadcast(RouteBook f, CodeMap code, Line line, int colour, int addr, int elems, DType type) {
        int n = line.length();
        if (n == 1) {
            return;
        }
        for (int k = 0; k < n; k++) {
            int in = k == 0 ? RAMP : line.toward();
            int out = (k < n - 1 ? bit(line.away()) : 0) | (k > 0 ? bit(RAMP) : 0);
            f.setRoute(line.x(k), line.y(k), colour, bit(in), out);
            CodeMap.PeCode pc = code.at(line.x(k), line.y(k));
            if (k == 0) {
                pc.op(mov(type, elems, fabricOut(pc.out(colour)), Operand.mem(addr)));
            } else {
                pc.op(mov(type, elems, Operand.mem(addr), fabricIn(pc.in(colour))));
            }
        }
    }

    /**
     * Flooding broadcast over a {@code cols} x {@code rows} rectangle from its corner (x0, y0), on one
     * colour: along the first row, and from every PE of that row down its column.
     */
    public static void broadcast2d(RouteBook f, CodeMap code, int x0, int y0, int cols, int rows, int colour, int addr,
                                   int elems, DType type) {
        if (cols * rows == 1) {
            return;
        }
        // One instruction instance per input queue number, shared by every receiving PE (see CodeMap#op).
        Op receive = null;
        int receiveQueue = -1;
        for (int j = 0; j < rows; j++) {
            for (int i = 0; i < cols; i++) {
                int in;
                int out;
                if (j == 0) {
                    in = i == 0 ? RAMP : Fabric.W;
                    out = (i < cols - 1 ? bit(Fabric.E) : 0) | (rows > 1 ? bit(Fabric.S) : 0) | (i > 0 ? bit(RAMP) : 0);
                } else {
                    in = Fabric.N;
                    out = (j < rows - 1 ? bit(Fabric.S) : 0) | bit(RAMP);
                }
                f.setRoute(x0 + i, y0 + j, colour, bit(in), out);
                CodeMap.PeCode pc = code.at(x0 + i, y0 + j);
                if (i == 0 && j == 0) {
                    pc.op(mov(type, elems, fabricOut(pc.out(colour)), Operand.mem(addr)));
                } else {
                    int q = pc.in(colour);
                    if (q != receiveQueue) {
                        receive = mov(type, elems, Operand.mem(addr), fabricIn(q));
                        receiveQueue = q;
                    }
                    pc.op(receive);
                }
            }
        }
    }

    /**
     * Chain reduce towards PE 0 of {@code line} on two alternating colours: the far end sends its
     * vector, every PE on the way adds its own and forwards, PE 0 adds into its vector.
     */
    public static void reduceChain(RouteBook f, CodeMap code, Line line, int[] colours, int addr, int elems,
                                   DType type) {
        reduceChain(f, code, line, colours, addr, elems, type, VecOpCode.ADD);
    }

    /**
     * Chain reduce with an element-wise combining operation ({@link VecOpCode#ADD} for sums,
     * {@link VecOpCode#MAX} for maxima).
     */
    public static void reduceChain(RouteBook f, CodeMap code, Line line, int[] colours, int addr, int elems,
                                   DType type, VecOpCode combine) {
        int n = line.length();
        if (n == 1) {
            return;
        }
        need(colours, 2, "reduce-chain");
        for (int k = n - 1; k >= 1; k--) {
            path(f, line, k, k - 1, colours[(k - 1) & 1]);
        }
        // The middle PEs' instructions: one instance per (output, input) queue pair and parity, shared
        // by every PE with those queues (see CodeMap#op).
        Operand mine = Operand.mem(addr);
        Op[] middle = new Op[2];
        int[] middleQueues = {-1, -1};
        for (int k = 0; k < n; k++) {
            CodeMap.PeCode pc = code.at(line.x(k), line.y(k));
            if (k == n - 1) {
                pc.op(mov(type, elems, fabricOut(pc.out(colours[(k - 1) & 1])), mine));
            } else if (k > 0) {
                int qo = pc.out(colours[(k - 1) & 1]);
                int qi = pc.in(colours[k & 1]);
                int queues = qo << 16 | qi;
                if (middleQueues[k & 1] != queues) {
                    middle[k & 1] = Op.vec(combine, type, elems, fabricOut(qo), fabricIn(qi), mine);
                    middleQueues[k & 1] = queues;
                }
                pc.op(middle[k & 1]);
            } else {
                pc.op(Op.vec(combine, type, elems, mine, fabricIn(pc.in(colours[0])), mine));
            }
        }
    }

    /**
     * Star reduce towards PE 0 on one colour: every other PE sends its whole vector to PE 0, nearest
     * first, and PE 0 adds them one after the other. Routers between hold two configurations, "from
     * my PE" then "pass through"; the control wavelet each PE sends after its vector switches its
     * router, opening the way for the PEs behind it.
     */
    public static void reduceStar(RouteBook f, CodeMap code, Line line, int colour, int addr, int elems, DType type) {
        int n = line.length();
        if (n == 1) {
            return;
        }
        f.setRoute(line.x(0), line.y(0), colour, bit(line.away()), bit(RAMP));
        for (int k = 1; k < n; k++) {
            if (k < n - 1) {
                f.setRoute(line.x(k), line.y(k), colour,
                        new int[] {bit(RAMP), bit(line.away())}, new int[] {bit(line.toward()), bit(line.toward())});
            } else {
                f.setRoute(line.x(k), line.y(k), colour, bit(RAMP), bit(line.toward()));
            }
            CodeMap.PeCode pc = code.at(line.x(k), line.y(k));
            int q = pc.out(colour);
            pc.op(mov(type, elems, fabricOut(q), Operand.mem(addr)));
            pc.op(Op.control(q));
        }
        CodeMap.PeCode root = code.at(line.x(0), line.y(0));
        int q = root.in(colour);
        for (int k = 1; k < n; k++) {
            root.op(add(type, elems, Operand.mem(addr), fabricIn(q), Operand.mem(addr)));
        }
    }

    /** Colours a binary tree reduce over {@code n} PEs needs: one per level, ceil(log2 n). */
    public static int treeColours(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    /**
     * Binary tree reduce towards PE 0, one colour per level: at level j, PE i with lowest set bit
     * 2^j sends its partial sum to PE i - 2^j, which adds it. A PE adds its children level by level
     * into memory and streams the last addition straight out to its parent.
     */
    public static void reduceTree(RouteBook f, CodeMap code, Line line, int[] colours, int addr, int elems, DType type) {
        int n = line.length();
        int levels = treeColours(n);
        if (n == 1) {
            return;
        }
        need(colours, levels, "reduce-tree");
        for (int i = 1; i < n; i++) {
            int k = Integer.numberOfTrailingZeros(i);
            path(f, line, i, i - (1 << k), colours[k]);
        }
        for (int i = 0; i < n; i++) {
            CodeMap.PeCode pc = code.at(line.x(i), line.y(i));
            int level = i == 0 ? levels : Integer.numberOfTrailingZeros(i);
            List<Integer> kids = new ArrayList<>();
            for (int j = 0; j < level; j++) {
                if (i + (1 << j) < n) {
                    kids.add(j);
                }
            }
            Operand mine = Operand.mem(addr);
            for (int m = 0; m < kids.size(); m++) {
                int j = kids.get(m);
                boolean last = m == kids.size() - 1;
                if (last && i != 0) {
                    pc.op(add(type, elems, fabricOut(pc.out(colours[level])), fabricIn(pc.in(colours[j])), mine));
                } else {
                    pc.op(add(type, elems, mine, fabricIn(pc.in(colours[j])), mine));
                }
            }
            if (kids.isEmpty() && i != 0) {
                pc.op(mov(type, elems, fabricOut(pc.out(colours[level])), mine));
            }
        }
    }

    /** Group size of the two-phase reduce: round(sqrt(n)), which minimizes 2B + (2T_R+2)(g + n/g). */
    public static int twoPhaseGroup(int n) {
        return Math.max(1, (int) Math.round(Math.sqrt(n)));
    }

    /**
     * Two-phase reduce towards PE 0 on four colours: a chain reduce inside each group of
     * {@code group} consecutive PEs towards the group's first PE (its leader), then a chain reduce
     * across the leaders towards PE 0.
     */
    public static void reduceTwoPhase(RouteBook f, CodeMap code, Line line, int[] colours, int group, int addr,
                                      int elems, DType type) {
        reduceTwoPhase(f, code, line, colours, group, addr, elems, type, VecOpCode.ADD);
    }

    /**
     * Two-phase reduce with an element-wise combining operation ({@link VecOpCode#ADD} for sums,
     * {@link VecOpCode#MAX} for maxima).
     */
    public static void reduceTwoPhase(RouteBook f, CodeMap code, Line line, int[] colours, int group, int addr,
                                      int elems, DType type, VecOpCode combine) {
        int n = line.length();
        if (n == 1) {
            return;
        }
        need(colours, 4, "reduce-two-phase");
        if (group < 1) {
            throw new IllegalArgumentException("group size must be >= 1");
        }
        int groups = (n + group - 1) / group;
        for (int g = 0; g < groups; g++) {
            int start = g * group;
            int len = Math.min(group, n - start);
            reduceChain(f, code, line.sub(start, len), new int[] {colours[0], colours[1]}, addr, elems, type,
                    combine);
        }
        if (groups == 1) {
            return;
        }
        for (int g = groups - 1; g >= 1; g--) {
            path(f, line, g * group, (g - 1) * group, colours[2 + ((g - 1) & 1)]);
        }
        for (int g = 0; g < groups; g++) {
            int k = g * group;
            CodeMap.PeCode pc = code.at(line.x(k), line.y(k));
            Operand mine = Operand.mem(addr);
            if (g == groups - 1) {
                pc.op(mov(type, elems, fabricOut(pc.out(colours[2 + ((g - 1) & 1)])), mine));
            } else if (g > 0) {
                pc.op(Op.vec(combine, type, elems, fabricOut(pc.out(colours[2 + ((g - 1) & 1)])),
                        fabricIn(pc.in(colours[2 + (g & 1)])), mine));
            } else {
                pc.op(Op.vec(combine, type, elems, mine, fabricIn(pc.in(colours[2])), mine));
            }
        }
    }

    /** Ring order folded onto a line: even PEs outwards, odd PEs back, so ring links span at most 2 hops. */
    static int[] foldedRing(int n) {
        int[] ring = new int[n];
        int pos = 0;
        for (int i = 0; i < n; i += 2) {
            ring[pos++] = i;
        }
        int lastOdd = (n - 1) % 2 == 1 ? n - 1 : n - 2;
        for (int i = lastOdd; i >= 1; i -= 2) {
            ring[pos++] = i;
        }
        return ring;
    }

    /**
     * Ring allreduce along {@code line}: the vector is cut into n chunks of whole wavelets; in the
     * reduce-scatter each PE streams chunk partial sums round the ring (receive, add its own, forward),
     * in the allgather each reduced chunk goes round the ring once (receive into memory, then send).
     * Ring links are coloured greedily from the four given colours so no router carries one colour
     * twice.
     *
     * @param wavelets the vector's length in wavelets (chunks are cut on wavelet boundaries)
     * @param perWavelet elements per wavelet
     */
    public static void allreduceRing(RouteBook f, CodeMap code, Line line, int[] colours, int addr, int wavelets,
                                     int perWavelet, DType type) {
        int n = line.length();
        if (n == 1) {
            return;
        }
        need(colours, 4, "allreduce-ring");
        if (wavelets < n) {
            throw new ConfigException("allreduce-ring over " + n + " PEs needs at least " + n + " wavelets (one chunk"
                    + " per PE); got " + wavelets);
        }
        int[] ring = foldedRing(n);
        int[] linkColour = new int[n];
        // used[k][ci]: router k of the line carries colour ci already.
        boolean[][] used = new boolean[n][colours.length];
        for (int pos = 0; pos < n; pos++) {
            int a = ring[pos];
            int b = ring[(pos + 1) % n];
            int lo = Math.min(a, b);
            int hi = Math.max(a, b);
            int pick = -1;
            for (int ci = 0; ci < colours.length && pick < 0; ci++) {
                boolean free = true;
                for (int k = lo; k <= hi; k++) {
                    free &= !used[k][ci];
                }
                if (free) {
                    pick = ci;
                }
            }
            if (pick < 0) {
                throw new IllegalStateException("ring link colouring failed");
            }
            for (int k = lo; k <= hi; k++) {
                used[k][pick] = true;
            }
            linkColour[pos] = colours[pick];
            path(f, line, a, b, colours[pick]);
        }
        int bytes = type.sourceBytes();
        for (int pos = 0; pos < n; pos++) {
            int i = ring[pos];
            CodeMap.PeCode pc = code.at(line.x(i), line.y(i));
            int outQ = pc.out(linkColour[pos]);
            int inQ = pc.in(linkColour[(pos - 1 + n) % n]);
            // Reduce-scatter.
            pc.op(mov(type, chunkLen(pos, n, wavelets, perWavelet), fabricOut(outQ), chunk(addr, pos, n, wavelets,
                    perWavelet, bytes)));
            for (int s = 1; s <= n - 2; s++) {
                int c = Math.floorMod(pos - s, n);
                Operand mine = chunk(addr, c, n, wavelets, perWavelet, bytes);
                pc.op(add(type, chunkLen(c, n, wavelets, perWavelet), fabricOut(outQ), fabricIn(inQ), mine));
            }
            int own = Math.floorMod(pos + 1, n);
            Operand mineOwn = chunk(addr, own, n, wavelets, perWavelet, bytes);
            pc.op(add(type, chunkLen(own, n, wavelets, perWavelet), mineOwn, fabricIn(inQ), mineOwn));
            // Allgather.
            pc.op(mov(type, chunkLen(own, n, wavelets, perWavelet), fabricOut(outQ), mineOwn));
            for (int s = 1; s <= n - 1; s++) {
                int c = Math.floorMod(pos + 1 - s, n);
                Operand dst = chunk(addr, c, n, wavelets, perWavelet, bytes);
                int len = chunkLen(c, n, wavelets, perWavelet);
                pc.op(mov(type, len, dst, fabricIn(inQ)));
                if (s < n - 1) {
                    pc.op(mov(type, len, fabricOut(outQ), dst));
                }
            }
        }
    }

    private static int chunkStartWavelet(int c, int n, int wavelets) {
        return (int) ((long) c * wavelets / n);
    }

    private static int chunkLen(int c, int n, int wavelets, int perWavelet) {
        return (chunkStartWavelet(c + 1, n, wavelets) - chunkStartWavelet(c, n, wavelets)) * perWavelet;
    }

    private static Operand chunk(int addr, int c, int n, int wavelets, int perWavelet, int bytes) {
        return Operand.mem(addr + chunkStartWavelet(c, n, wavelets) * perWavelet * bytes);
    }

    /**
     * 2D reduce over a {@code cols} x {@code rows} rectangle towards its corner (x0, y0): a chain
     * reduce along every row towards the first column (colours 0 and 1), then along the first column
     * towards the corner (colours 2 and 3). A first-column PE finishes its row before it forwards the
     * column's partial sum.
     */
    public static void reduce2d(RouteBook f, CodeMap code, int x0, int y0, int cols, int rows, int[] colours, int addr,
                                int elems, DType type) {
        need(colours, 4, "reduce-2d");
        for (int j = 0; j < rows; j++) {
            reduceChain(f, code, Line.row(x0, y0 + j, cols), new int[] {colours[0], colours[1]}, addr, elems, type);
        }
        reduceChain(f, code, Line.column(x0, y0, rows), new int[] {colours[2], colours[3]}, addr, elems, type);
    }

    private static void need(int[] colours, int n, String who) {
        if (colours.length < n) {
            throw new IllegalArgumentException(who + " needs " + n + " colours, got " + colours.length);
        }
    }
}
