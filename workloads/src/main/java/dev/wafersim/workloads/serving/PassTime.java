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
    /**
     * Device time the pass keeps busy per power state, ps summed over devices (index: {@code PowerState}
     * ordinal; IDLE 0), for the energy of the replay.
     */
    public final long[] busyDevicePs = new long[dev.wafersim.workloads.run.PowerState.values().length];
}
