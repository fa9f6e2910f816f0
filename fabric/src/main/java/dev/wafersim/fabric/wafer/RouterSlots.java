package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import java.util.Arrays;

/**
 * The state of the routers: per router, the colours it routes; per (router, colour) with a route, a
 * <em>slot</em>: the colour's input buffer in that router, its route configurations and where its
 * outputs lead. This class owns the layout of that state and every rule for setting routes; the
 * move algorithm that works on it is {@link Routers}, and PEs inject into slots only through the
 * methods here ({@link #canInject}, {@link #push}, {@link #markWaiting}).
 *
 * <h2>Model</h2>
 * A slot holds a FIFO of up to {@code fabric.routerBufferDepthWavelets} wavelets, shared by the
 * colour's inputs (a router accepts a wavelet only from a direction its current configuration
 * receives from). Each wavelet carries the cycle from which it may move on (its ready cycle) and
 * whether it is a control wavelet. A route has 1 to {@code fabric.routeConfigsPerColour}
 * configurations, each a set of input directions and a set of output directions (5 bits each:
 * N, E, S, W, ramp); a control wavelet forwarded on the colour advances the router to the next
 * configuration (staying at the last). A place freed by a pop at cycle t becomes a credit visible
 * to senders from t + 1: a slot pops at most one wavelet per cycle (a router is visited once per
 * cycle and moves one head per colour), so "popped in cycle t" is one stored cycle number.
 */
final class RouterSlots {
    /*
     * Layout. Slots live in one int array, `stride` ints per slot (a multiple of 16: 64 bytes for
     * the presets in timing mode), numbered in (router, colour) order once prepared so that state
     * follows the grid: the routers visited in one cycle touch consecutive memory (measured on the
     * original implementation: per-field arrays gave 4.8 M wavelet-hops/s on a 256 x 256 2D
     * broadcast; blocks of this size took bench fabric from 18.6 M to 21.9 M).
     *
     *   STATE      count (bits 0-15) | head, the ring position of the oldest wavelet (16-31): room
     *              for depths up to 65,535 (fabric.routerBufferDepthWavelets allows up to 1,024)
     *   POP_CYCLE  the cycle of the last pop (low 32 bits); its place is a credit from the next cycle
     *   CUR        the current configuration: inputs (bits 0-4) | outputs (5-9) | senders waiting for a
     *              credit here, by the direction they send from (10-14; bit 10 + RAMP: the PE)
     *   RAMP_QUEUE the PE input queue the ramp output feeds (-1 if none)
     *   NEXT..+3   the same colour's slot in the neighbour N, E, S, W (-1 where the route never sends)
     *   FUSION     receive fusion (see ReceiveFusion): wavelets the router may account (bits 0-15) |
     *              accounted and not yet taken by the PE (16-31)
     *   ID         router << 6 | colour
     *   ROUTE      offset of this route's configuration list in `configs`, or -1 for a route with a
     *              single configuration (then CUR's bits 0-9 are that configuration, forever)
     *   then       `depth` wavelet stamps (ready cycle << 1 | control, see stamp()), and in functional
     *              mode `depth` payloads (timing runs never look at values)
     *
     * A configuration list in `configs` (cold: read only when a control wavelet switches a route):
     * current position, number of configurations, then the configurations (inputs | outputs << 5).
     *
     * Per router r, `rt` holds 4 ints at 4 r: the round-robin pointer (a colour), the first slot of
     * the router (before renumbering: its newest pending slot + 1, the head of the chain through the
     * pending records), and the 64-bit set of colours it routes (low, high word). Its slots are consecutive
     * from the first, in colour order, so the slot of colour c is first + (colours below c).
     *
     * Cycles in stamps are the low 31 bits of the cycle number, compared with wrap-around arithmetic
     * ((stamp - stamp(t)) >> 1 is the signed distance in cycles), which is exact while the cycles
     * compared are less than 2^30 apart; they are at most a few thousand.
     */
    static final int STATE = 0;
    static final int POP_CYCLE = 1;
    static final int CUR = 2;
    static final int RAMP_QUEUE = 3;
    static final int NEXT = 4;
    static final int FUSION = 8;
    static final int ID = 9;
    static final int ROUTE = 10;
    static final int HEADER = 11;

    static final int COUNT_MASK = 0xFFFF;
    static final int HEAD_SHIFT = 16;
    static final int CFG_MASK = 0x3FF;
    static final int OUT_SHIFT = 5;
    static final int WAIT_SHIFT = 10;
    static final int WAIT_MASK = 31 << WAIT_SHIFT;
    static final int COLOUR_BITS = 6;

    /** Per-router words in {@link #rt}. */
    static final int RT_RR = 0;
    static final int RT_FIRST = 1;
    static final int RT_COLOURS_LO = 2;
    static final int RT_COLOURS_HI = 3;

    final Grid grid;
    final int colours;
    final int maxConfigs;
    final int depth;
    final int stride;
    final boolean payloads;
    /** Slot blocks (see the layout above); allocated by {@link #renumber}. */
    int[] words;
    /** Number of slots. */
    int count;
    /**
     * Before {@link #renumber}: per slot in the order routes were set, its ID, initial CUR and
     * ROUTE words and the router's previously set slot (+1, 0 for none) (16 bytes a slot while
     * routes are set, instead of a whole block grown by copying: the garbage of building a 512 x 512
     * 2D reduce was dominated by those copies). The chain lets {@link #sameRoute} find a route
     * before the slots are numbered; each router's newest pending slot (+1) is kept in its
     * {@link #RT_FIRST} word, which {@link #renumber} then overwrites.
     */
    private int[] pending = new int[PENDING * 64];
    private static final int PENDING = 4;
    /** Configuration lists of routes with several configurations. */
    int[] configs = new int[16];
    private int configsUsed;
    /** Per router: round-robin pointer, first slot, colour set (see the layout above). */
    final int[] rt;
    private boolean numbered;

    RouterSlots(Grid grid, WseParams p, boolean payloads) {
        this.grid = grid;
        this.colours = p.colours();
        this.maxConfigs = p.routeConfigsPerColour();
        this.depth = p.routerBufferDepthWavelets();
        this.payloads = payloads;
        this.stride = (HEADER + (payloads ? 2 : 1) * depth + 15) & ~15;
        this.rt = new int[grid.routers * 4];
    }

    // ---------------------------------------------------------------------------------------------
    // Setting routes (before prepare)

    /** One configuration: the common case, without arrays. */
    void addRoute(int r, int colour, int inMask, int outMask) {
        checkColour(r, colour);
        checkFree(r, colour);
        checkConfig(r, colour, 0, inMask, outMask);
        newSlot(r, colour, inMask | (outMask << OUT_SHIFT), -1);
    }

    /**
     * Configuration k receives from the directions in {@code inMasks[k]} and sends to those in
     * {@code outMasks[k]}; the first is active at start.
     *
     * @throws ConfigException naming the PE, colour and rule when the hardware cannot hold the route
     */
    void addRoute(int r, int colour, int[] inMasks, int[] outMasks) {
        checkColour(r, colour);
        if (inMasks.length != outMasks.length || inMasks.length == 0) {
            throw new IllegalArgumentException("need one output set per input set, and at least one configuration");
        }
        if (inMasks.length > maxConfigs) {
            throw new ConfigException(grid.pe(r) + ", colour " + colour + ": " + inMasks.length
                    + " route configurations, but a router holds " + maxConfigs + " per colour ("
                    + WseParams.ROUTE_CONFIGS + ")");
        }
        checkFree(r, colour);
        for (int k = 0; k < inMasks.length; k++) {
            checkConfig(r, colour, k, inMasks[k], outMasks[k]);
        }
        if (inMasks.length == 1) {
            addRoute(r, colour, inMasks[0], outMasks[0]);
            return;
        }
        int n = inMasks.length;
        if (configsUsed + 2 + n > configs.length) {
            configs = Arrays.copyOf(configs, Math.max(configsUsed + 2 + n, configs.length * 2));
        }
        int o = configsUsed;
        configs[o] = 0;
        configs[o + 1] = n;
        for (int k = 0; k < n; k++) {
            configs[o + 2 + k] = inMasks[k] | (outMasks[k] << OUT_SHIFT);
        }
        configsUsed += 2 + n;
        newSlot(r, colour, configs[o + 2], o);
    }

    private void checkColour(int r, int colour) {
        if (numbered) {
            throw new IllegalStateException("the fabric is prepared; routes can no longer change");
        }
        if (colour < 0 || colour >= colours) {
            throw new ConfigException(grid.pe(r) + ": colour " + colour + " does not exist; the fabric has " + colours
                    + " colours (0.." + (colours - 1) + ")");
        }
    }

    private void checkFree(int r, int colour) {
        if (routes(r, colour)) {
            throw new ConfigException(grid.pe(r) + ", colour " + colour + ": the colour already has a route at this"
                    + " router; one colour holds one route per router (use another colour or a route configuration)");
        }
    }

    private void checkConfig(int r, int colour, int k, int in, int out) {
        if (in <= 0 || in > 31 || out <= 0 || out > 31) {
            throw new ConfigException(grid.pe(r) + ", colour " + colour + ", configuration " + k
                    + ": a route needs at least one input and one output direction");
        }
        for (int d = 0; d < 4; d++) {
            if ((out & (1 << d)) != 0 && grid.neighbour(r, d) < 0) {
                throw new ConfigException(grid.pe(r) + ", colour " + colour + ", configuration " + k
                        + ": the route sends " + Grid.DIR_NAMES[d] + ", off the edge of the " + grid.width + " x "
                        + grid.height + " grid");
            }
            if ((in & (1 << d)) != 0 && grid.neighbour(r, d) < 0) {
                throw new ConfigException(grid.pe(r) + ", colour " + colour + ", configuration " + k
                        + ": the route receives from the " + Grid.DIR_NAMES[d] + ", off the edge of the " + grid.width
                        + " x " + grid.height + " grid");
            }
        }
    }

    /** Records a slot for (r, colour) with its first configuration and configuration list (or -1). */
    private void newSlot(int r, int colour, int cur, int route) {
        if ((long) (count + 1) * stride > Integer.MAX_VALUE - 16) {
            throw new ConfigException("too many routes for one simulation (" + (count + 1) + " router colour slots)");
        }
        if (PENDING * count + PENDING > pending.length) {
            pending = Arrays.copyOf(pending, pending.length * 2);
        }
        int o = PENDING * count;
        pending[o] = r << COLOUR_BITS | colour;
        pending[o + 1] = cur;
        pending[o + 2] = route;
        pending[o + 3] = rt[4 * r + RT_FIRST];
        rt[4 * r + RT_FIRST] = count + 1;
        count++;
        rt[4 * r + (colour < 32 ? RT_COLOURS_LO : RT_COLOURS_HI)] |= 1 << (colour & 31);
    }

    /**
     * True when router r's route for colour c (which it must have) is exactly the configurations
     * {@code inMasks[k]}, {@code outMasks[k]}: the same number, in the same order. Before
     * {@link #renumber} it walks the router's few pending slots; it allocates nothing.
     */
    boolean sameRoute(int r, int c, int[] inMasks, int[] outMasks) {
        long stored = stored(r, c);
        int cur = (int) stored;
        int route = (int) (stored >> 32);
        int n = inMasks.length;
        if (n != outMasks.length || n != (route < 0 ? 1 : configs[route + 1])) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            int cfg = route < 0 ? cur : configs[route + 2 + k];
            if (inMasks[k] != (inMasks[k] & 31) || outMasks[k] != (outMasks[k] & 31)
                    || cfg != (inMasks[k] | (outMasks[k] << OUT_SHIFT))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Router r's route for colour c (which it must have): its first configuration (low word) and
     * its configuration list's offset in {@link #configs} or -1 (high word).
     */
    private long stored(int r, int c) {
        int cur;
        int route;
        if (numbered) {
            int b = slot(r, c) * stride;
            cur = words[b + CUR] & CFG_MASK;
            route = words[b + ROUTE];
        } else {
            int id = r << COLOUR_BITS | c;
            int s = rt[4 * r + RT_FIRST] - 1;
            while (pending[PENDING * s] != id) {
                s = pending[PENDING * s + 3] - 1;
            }
            cur = pending[PENDING * s + 1];
            route = pending[PENDING * s + 2];
        }
        return (cur & 0xFFFFFFFFL) | ((long) route << 32);
    }

    /** {@link #sameRoute(int, int, int[], int[])} for one configuration, without arrays. */
    boolean sameRoute(int r, int c, int inMask, int outMask) {
        long stored = stored(r, c);
        int cur = (int) stored;
        int route = (int) (stored >> 32);
        return route < 0 && inMask == (inMask & 31) && outMask == (outMask & 31)
                && cur == (inMask | (outMask << OUT_SHIFT));
    }

    /** True when router r has a route for colour c. */
    boolean routes(int r, int c) {
        return (colourSet(r) & (1L << c)) != 0;
    }

    /** The colours router r routes, as a 64-bit set. */
    long colourSet(int r) {
        return (rt[4 * r + RT_COLOURS_LO] & 0xFFFFFFFFL) | ((long) rt[4 * r + RT_COLOURS_HI] << 32);
    }

    /**
     * Lays the slots out in (router, colour) order, so that state follows the grid, and records each
     * router's first slot. A counting sort: the position of a slot is the number of slots of the
     * routers before its own plus the number of its router's colours below its own.
     */
    void renumber() {
        numbered = true;
        int next = 0;
        for (int r = 0; r < grid.routers; r++) {
            rt[4 * r + RT_FIRST] = next;
            next += Long.bitCount(colourSet(r));
        }
        int[] w = new int[Math.max(stride, count * stride)];
        for (int s = 0; s < count; s++) {
            int id = pending[PENDING * s];
            int b = slot(id >>> COLOUR_BITS, id & ((1 << COLOUR_BITS) - 1)) * stride;
            w[b + POP_CYCLE] = -1;
            w[b + CUR] = pending[PENDING * s + 1];
            w[b + RAMP_QUEUE] = -1;
            for (int d = 0; d < 4; d++) {
                w[b + NEXT + d] = -1;
            }
            w[b + ID] = id;
            w[b + ROUTE] = pending[PENDING * s + 2];
        }
        words = w;
        pending = null;
    }

    /**
     * Checks that every route leads somewhere that accepts it and records the neighbour slots each
     * route sends to (after {@link #renumber} and the binding of the PEs' queues).
     *
     * @throws ConfigException naming the PE, colour and rule of the first route that leads nowhere
     */
    void link(PeEngine pes) {
        for (int s = 0; s < count; s++) {
            int b = s * stride;
            int r = router(b);
            int c = colour(b);
            for (int k = 0; k < configCount(b); k++) {
                int out = config(b, k) >>> OUT_SHIFT;
                for (int d = 0; d < 4; d++) {
                    if ((out & (1 << d)) == 0) {
                        continue;
                    }
                    int r2 = grid.neighbour(r, d);
                    int s2 = slot(r2, c);
                    if (s2 < 0 || !anyConfigAccepts(s2, (d + 2) & 3)) {
                        throw new ConfigException(grid.pe(r) + ", colour " + c + ": the route sends " + Grid.DIR_NAMES[d]
                                + " to " + grid.pe(r2) + ", which has no route for colour " + c + " receiving from the "
                                + Grid.DIR_NAMES[(d + 2) & 3]);
                    }
                    words[b + NEXT + d] = s2;
                }
                if ((out & (1 << Fabric.RAMP)) != 0 && words[b + RAMP_QUEUE] < 0) {
                    String program = pes.programName(r);
                    throw new ConfigException(grid.pe(r) + ", colour " + c + ": the route delivers to the ramp, but "
                            + (program == null ? "the PE runs no program"
                            : "program " + program + " binds no input queue to colour " + c));
                }
            }
        }
    }

    /** The slot of router r's route for colour c (after {@link #renumber}), or -1 if it has none. */
    int slot(int r, int c) {
        long set = colourSet(r);
        if ((set & (1L << c)) == 0) {
            return -1;
        }
        return rt[4 * r + RT_FIRST] + Long.bitCount(set & ((1L << c) - 1));
    }

    // ---------------------------------------------------------------------------------------------
    // Reading a slot

    /** The router of the slot in block b. */
    int router(int b) {
        return words[b + ID] >>> COLOUR_BITS;
    }

    /** The colour of the slot in block b. */
    int colour(int b) {
        return words[b + ID] & ((1 << COLOUR_BITS) - 1);
    }

    /** Wavelets in the buffer of block b. */
    int held(int b) {
        return words[b + STATE] & COUNT_MASK;
    }

    /** The current configuration of block b: inputs | outputs << 5. */
    int current(int b) {
        return words[b + CUR] & CFG_MASK;
    }

    /** Number of configurations of the route in block b. */
    int configCount(int b) {
        int o = words[b + ROUTE];
        return o < 0 ? 1 : configs[o + 1];
    }

    /** Configuration k of the route in block b: inputs | outputs << 5. */
    int config(int b, int k) {
        int o = words[b + ROUTE];
        return o < 0 ? words[b + CUR] & CFG_MASK : configs[o + 2 + k];
    }

    /** True when some configuration of slot s receives from direction {@code dir}. */
    boolean anyConfigAccepts(int s, int dir) {
        int b = s * stride;
        for (int k = 0; k < configCount(b); k++) {
            if ((config(b, k) & (1 << dir)) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * After a control wavelet was forwarded from block b: moves the route to its next configuration
     * unless it is at the last. Returns true when the configuration changed.
     */
    boolean advanceConfig(int b) {
        int o = words[b + ROUTE];
        if (o < 0) {
            return false;
        }
        int pos = configs[o];
        if (pos >= configs[o + 1] - 1) {
            return false;
        }
        configs[o] = pos + 1;
        words[b + CUR] = (words[b + CUR] & ~CFG_MASK) | configs[o + 3 + pos];
        return true;
    }

    /** Wavelets in all buffers. */
    long heldTotal() {
        if (!numbered) {
            return 0;
        }
        long held = 0;
        for (int s = 0; s < count; s++) {
            held += words[s * stride + STATE] & COUNT_MASK;
        }
        return held;
    }

    // ---------------------------------------------------------------------------------------------
    // What PEs do to the slot their output queue feeds

    /** The stamp of a wavelet ready at {@code cycle}: the low 31 bits of the cycle << 1 | control. */
    static int stamp(long cycle, boolean control) {
        return ((int) cycle << 1) | (control ? 1 : 0);
    }

    /**
     * True when block b has a credit at cycle ti (a place not freed in ti itself) and its current
     * configuration receives from the ramp.
     */
    boolean canInject(int b, int ti) {
        int[] w = words;
        int used = (w[b + STATE] & COUNT_MASK) + (w[b + POP_CYCLE] == ti ? 1 : 0);
        return used < depth && (w[b + CUR] & (1 << Fabric.RAMP)) != 0;
    }

    /** Registers a sender in direction {@code dir} (RAMP: the PE) to be woken by block b's next pop. */
    void markWaiting(int b, int dir) {
        words[b + CUR] |= 1 << (WAIT_SHIFT + dir);
    }

    /** Appends a wavelet with stamp {@code stamp} and {@code value} (kept in functional mode) to block b. */
    void push(int b, int value, int stamp) {
        int[] w = words;
        int st = w[b + STATE];
        int pos = (st >>> HEAD_SHIFT) + (st & COUNT_MASK);
        if (pos >= depth) {
            pos -= depth;
        }
        w[b + HEADER + pos] = stamp;
        if (payloads) {
            w[b + HEADER + depth + pos] = value;
        }
        w[b + STATE] = st + 1;
    }
}
