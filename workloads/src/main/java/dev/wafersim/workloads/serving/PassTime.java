package dev.wafersim.workloads.serving;

/**
 * The two times of a pass that the engine needs, filled in by {@link StepTimes#time}: a mutable holder,
 * so that looking up a time allocates nothing.
 */
public final class PassTime {
    /** From the pass entering the machine to its last output, ps. */
    public long latencyPs;
    /** How soon after this pass's start the next pass may start, ps; {@code 0 < interval <= latency}. */
    public long intervalPs;
}
