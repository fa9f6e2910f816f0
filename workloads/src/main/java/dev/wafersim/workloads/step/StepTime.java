package dev.wafersim.workloads.step;

import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.PowerState;
import java.util.Arrays;

/**
 * The simulated time of one forward pass on a machine.
 *
 * <p>Two times, because a machine can be a pipeline. {@code latencyPs} is from the pass entering the
 * machine to its last output (its logits, or the last layer's KV written for a prefill chunk without
 * logits). {@code intervalPs} is how soon after this pass the machine can accept the next independent
 * pass: its busiest pipeline stage's time (a wafer's layer region or wafer, a GPU pipeline stage).
 * A machine without pipelining has {@code intervalPs == latencyPs}. Always
 * {@code 0 < intervalPs <= latencyPs}.
 *
 * <p>{@code breakdownPs} books every picosecond of {@code latencyPs} to one {@link LatencyCategory}
 * (indexed by ordinal), so it sums exactly to {@code latencyPs}.
 *
 * <p>{@code busyDevicePs} says what the pass kept the machine's devices doing, for the energy model:
 * device-picoseconds per {@link PowerState} (indexed by ordinal) summed over every device, the
 * {@link PowerState#IDLE} entry 0 (idle time is what a replay's duration leaves). A machine that does not
 * report it gives zeros: its passes then cost idle power only.
 *
 * @param latencyPs    time from entry to the last output, ps
 * @param intervalPs   minimum time between the starts of consecutive passes, ps
 * @param breakdownPs  time per latency category, ps, summing to {@code latencyPs}
 * @param busyDevicePs device time per power state, ps, over all devices; IDLE entry 0
 */
public record StepTime(long latencyPs, long intervalPs, long[] breakdownPs, long[] busyDevicePs) {
    /** A pass with no device activity reported. */
    public StepTime(long latencyPs, long intervalPs, long[] breakdownPs) {
        this(latencyPs, intervalPs, breakdownPs, new long[PowerState.values().length]);
    }

    public StepTime {
        if (latencyPs <= 0 || intervalPs <= 0 || intervalPs > latencyPs) {
            throw new IllegalArgumentException("latency " + latencyPs + " ps, interval " + intervalPs
                    + " ps (expected 0 < interval <= latency)");
        }
        if (breakdownPs.length != LatencyCategory.values().length) {
            throw new IllegalArgumentException("breakdown has " + breakdownPs.length + " categories, expected "
                    + LatencyCategory.values().length);
        }
        long sum = 0;
        for (long v : breakdownPs) {
            if (v < 0) {
                throw new IllegalArgumentException("negative breakdown entry " + v + " ps");
            }
            sum += v;
        }
        if (sum != latencyPs) {
            throw new IllegalArgumentException("breakdown sums to " + sum + " ps, latency is " + latencyPs + " ps");
        }
        breakdownPs = breakdownPs.clone();
        if (busyDevicePs.length != PowerState.values().length || busyDevicePs[PowerState.IDLE.ordinal()] != 0) {
            throw new IllegalArgumentException("busy device time needs one entry per power state, IDLE 0");
        }
        for (long v : busyDevicePs) {
            if (v < 0) {
                throw new IllegalArgumentException("negative busy device time " + v + " ps");
            }
        }
        busyDevicePs = busyDevicePs.clone();
    }

    @Override
    public long[] busyDevicePs() {
        return busyDevicePs.clone();
    }

    /** Busy device time in state {@code s}, ps. */
    public long busyDevicePs(PowerState s) {
        return busyDevicePs[s.ordinal()];
    }

    /** A pass with no pipelining whose whole time is booked to {@code category}. */
    public static StepTime of(long latencyPs, LatencyCategory category) {
        long[] b = new long[LatencyCategory.values().length];
        b[category.ordinal()] = latencyPs;
        return new StepTime(latencyPs, latencyPs, b);
    }

    /** Time booked to {@code c}, ps. */
    public long breakdownPs(LatencyCategory c) {
        return breakdownPs[c.ordinal()];
    }

    @Override
    public long[] breakdownPs() {
        return breakdownPs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepTime t && t.latencyPs == latencyPs && t.intervalPs == intervalPs
                && Arrays.equals(t.breakdownPs, breakdownPs) && Arrays.equals(t.busyDevicePs, busyDevicePs);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(latencyPs) * 31 + Long.hashCode(intervalPs) * 17 + Arrays.hashCode(breakdownPs);
    }
}
