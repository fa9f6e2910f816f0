package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the devices of a run spent the run: device-picoseconds in each {@link PowerState}, summed over every
 * device (GPU or wafer), for the energy model. Contract: the states sum to {@code devices x runPs}.
 *
 * @param devices   devices in the machine
 * @param runPs     simulated time of the whole run, ps
 * @param statePs   device-ps per state, indexed by {@link PowerState#ordinal()}
 */
public record DeviceActivity(int devices, long runPs, long[] statePs) {
    public DeviceActivity {
        if (devices < 1 || runPs <= 0 || statePs.length != PowerState.values().length) {
            throw new IllegalArgumentException("devices " + devices + ", run " + runPs + " ps, " + statePs.length
                    + " states");
        }
        long sum = 0;
        for (long v : statePs) {
            if (v < 0) {
                throw new IllegalArgumentException("negative device time " + v + " ps");
            }
            sum = Math.addExact(sum, v);
        }
        if (sum != Math.multiplyExact((long) devices, runPs)) {
            throw new IllegalArgumentException("device states sum to " + sum + " ps, expected " + devices + " x "
                    + runPs + " ps");
        }
        statePs = statePs.clone();
    }

    /** Device-ps in state {@code s}. */
    public long ps(PowerState s) {
        return statePs[s.ordinal()];
    }

    /** Share of the device time in state {@code s}, 0..1. */
    public double share(PowerState s) {
        return (double) statePs[s.ordinal()] / ((double) devices * runPs);
    }

    /** The states' shares by name, for JSON. */
    public Map<String, Double> shares() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (PowerState s : PowerState.values()) {
            if (statePs[s.ordinal()] > 0) {
                m.put(s.name().toLowerCase(java.util.Locale.ROOT), share(s));
            }
        }
        return m;
    }

    @Override
    @JsonIgnore
    public long[] statePs() {
        return statePs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceActivity a && a.devices == devices && a.runPs == runPs
                && Arrays.equals(a.statePs, statePs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * devices + Long.hashCode(runPs)) + Arrays.hashCode(statePs);
    }

    /** Accumulates device time per state. */
    public static final class Builder {
        private final long[] ps = new long[PowerState.values().length];

        /** Adds {@code devicePs} device-picoseconds to state {@code s}. */
        public Builder add(PowerState s, long devicePs) {
            if (devicePs < 0) {
                throw new IllegalArgumentException("negative device time " + devicePs);
            }
            ps[s.ordinal()] = Math.addExact(ps[s.ordinal()], devicePs);
            return this;
        }

        /** The activity of {@code devices} over {@code runPs}; the rest of the device time is {@link PowerState#IDLE}. */
        public DeviceActivity build(int devices, long runPs) {
            long booked = 0;
            for (long v : ps) {
                booked += v;
            }
            long idle = Math.multiplyExact((long) devices, runPs) - booked;
            if (idle < 0) {
                throw new IllegalStateException("device time booked (" + booked + " ps) exceeds " + devices + " x "
                        + runPs + " ps");
            }
            long[] s = ps.clone();
            s[PowerState.IDLE.ordinal()] += idle;
            return new DeviceActivity(devices, runPs, s);
        }
    }
}
