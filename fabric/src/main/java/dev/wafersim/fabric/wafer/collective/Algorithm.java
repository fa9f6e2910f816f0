package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.WseParams;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The collectives the {@code collective} command runs, with the colours each needs and the cycles
 * the cycle model of Luczynski et al. (HPDC 2024) predicts for it.
 *
 * <p>Expected cycles. Chain reduce and the flooding row broadcast use the paper's closed forms:
 * {@code B + (2 T_R + 2)(P - 1)} and {@code B + P + 2 T_R}. The others are derived here from the
 * paper's general model {@code T = max(C, E/N) + L + (2 T_R + 1) D} (C: most wavelets one PE sends or
 * receives, L: longest distance, D: depth of the dependency chain) applied to this implementation's
 * routes; they are estimates, reported next to the simulated figure, not tests of it.
 */
public enum Algorithm {
    BROADCAST_ROW("broadcast-row", false, "flooding broadcast along a row from its west end"),
    BROADCAST_COL("broadcast-col", false, "flooding broadcast along a column from its north end"),
    BROADCAST_2D("broadcast-2d", true, "flooding broadcast over a rectangle from its north-west corner"),
    REDUCE_CHAIN("reduce-chain", false, "chain reduce along a row towards its west end"),
    REDUCE_STAR("reduce-star", false, "star reduce: every PE sends its vector to the root in turn"),
    REDUCE_TREE("reduce-tree", false, "binary tree reduce, one colour per level"),
    REDUCE_TWO_PHASE("reduce-two-phase", false, "chains in groups of about sqrt(P), then across group leaders"),
    ALLREDUCE_RING("allreduce-ring", false, "ring allreduce (reduce-scatter, allgather) on a folded ring"),
    REDUCE_2D("reduce-2d", true, "chain reduce along rows, then along the first column");

    private final String cliName;
    private final boolean twoDimensional;
    private final String description;

    Algorithm(String cliName, boolean twoDimensional, String description) {
        this.cliName = cliName;
        this.twoDimensional = twoDimensional;
        this.description = description;
    }

    /** The name used on the command line. */
    public String cliName() {
        return cliName;
    }

    /** True for algorithms over a rectangle (rows x columns) rather than a line. */
    public boolean twoDimensional() {
        return twoDimensional;
    }

    /** One line on what it does. */
    public String description() {
        return description;
    }

    /** The algorithm with this command-line name; otherwise a ConfigException listing the names. */
    public static Algorithm byName(String name) {
        for (Algorithm a : values()) {
            if (a.cliName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new ConfigException("--algorithm=" + name + " is not allowed; expected one of " + names());
    }

    /** All command-line names, comma separated. */
    public static String names() {
        return Arrays.stream(values()).map(Algorithm::cliName).collect(Collectors.joining(", "));
    }

    /** Colours needed over a region of {@code rows} x {@code cols} PEs (a line when rows == 1). */
    public int colours(int rows, int cols) {
        int p = Math.max(rows, cols);
        return switch (this) {
            case BROADCAST_ROW, BROADCAST_COL, BROADCAST_2D, REDUCE_STAR -> 1;
            case REDUCE_CHAIN -> 2;
            case REDUCE_TREE -> Math.max(1, Collectives.treeColours(p));
            case REDUCE_TWO_PHASE, ALLREDUCE_RING, REDUCE_2D -> 4;
        };
    }

    /** Whether {@link #expectedCycles} is the paper's closed form (true) or derived here (false). */
    public boolean closedForm() {
        return this == REDUCE_CHAIN || this == BROADCAST_ROW || this == BROADCAST_COL;
    }

    /**
     * Cycles the model predicts for B wavelets per PE over P PEs (or rows x cols), with hop latency 1
     * and the ramp latency T_R of {@code p}.
     */
    public long expectedCycles(WseParams p, int rows, int cols, long b) {
        long tr = p.rampLatencyCycles();
        long n = Math.max(rows, cols);
        return switch (this) {
            case BROADCAST_ROW, BROADCAST_COL -> b + n + 2 * tr;
            case BROADCAST_2D -> b + (rows - 1) + (cols - 1) + 2 * tr + 1;
            case REDUCE_CHAIN -> b + (2 * tr + 2) * (n - 1);
            // C = (P - 1) B at the root, L = P - 1, D = 1.
            case REDUCE_STAR -> (n - 1) * b + (n - 1) + 2 * tr + 1;
            // C = levels x B at the root, L = P - 1, D = levels.
            case REDUCE_TREE -> {
                long levels = Collectives.treeColours((int) n);
                yield levels * b + (n - 1) + (2 * tr + 1) * levels;
            }
            // Phase 1: chain of g; phase 2 starts when a leader has its group's sum: chain over leaders
            // g hops apart, each stage (2 T_R + 1 + g).
            case REDUCE_TWO_PHASE -> {
                long g = Collectives.twoPhaseGroup((int) n);
                long groups = (n + g - 1) / g;
                yield b + (2 * tr + 2) * (g - 1) + b + (groups - 1) * (2 * tr + 1 + g);
            }
            // Reduce-scatter: P - 1 chunk streams one after the other at each PE, each stage 2 T_R + 3
            // (links span 2 hops); allgather: P - 1 steps of receive-then-send (2 chunks each).
            case ALLREDUCE_RING -> {
                long chunk = b / n;
                yield (n - 1) * chunk + (n - 1) * (2 * tr + 3) + (n - 1) * (2 * chunk + 2 * tr + 3);
            }
            // Rows in parallel, then the first column.
            case REDUCE_2D -> 2 * b + (2 * tr + 2) * (cols - 1) + (2 * tr + 2) * (rows - 1);
        };
    }
}
