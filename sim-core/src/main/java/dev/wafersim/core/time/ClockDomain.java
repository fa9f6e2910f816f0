package dev.wafersim.core.time;

import java.util.Locale;
import java.util.Objects;

/**
 * A clock domain with an integer period in picoseconds. Cycle counts are converted to ticks and back
 * exactly; the only rounding happens once, when a frequency given in GHz is turned into a period.
 *
 * <p>Rounding rule ({@link #fromGHz}): the period is {@code round(1000 / GHz)} picoseconds. For the
 * presets this gives WSE-2 0.85 GHz: 1176 ps (exact 1176.47, effective 0.85034 GHz, +0.04%);
 * WSE-3 0.875 GHz: 1143 ps (exact 1142.86, effective 0.87489 GHz, -0.01%); 1.1 GHz: 909 ps
 * (exact 909.09, +0.01%). Reports that convert cycles to milliseconds use the rounded period, so a
 * result in cycles and a result in milliseconds always agree with each other.
 *
 * @param name     the domain's name, used in error messages
 * @param periodPs the clock period in picoseconds, at least 1
 */
public record ClockDomain(String name, long periodPs) {

    public ClockDomain {
        Objects.requireNonNull(name, "name");
        if (periodPs < 1) {
            throw new IllegalArgumentException("clock domain '" + name + "': period must be >= 1 ps, got " + periodPs);
        }
    }

    /** Builds a domain from a frequency in GHz, rounding the period to the nearest picosecond. */
    public static ClockDomain fromGHz(String name, double ghz) {
        if (!(ghz > 0) || Double.isInfinite(ghz)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "clock domain '%s': frequency must be a positive number of GHz, got %s", name, ghz));
        }
        long period = Math.round(1000.0 / ghz);
        if (period < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "clock domain '%s': %s GHz is above 1000 GHz, the resolution of a 1 ps tick", name, ghz));
        }
        return new ClockDomain(name, period);
    }

    /** The frequency this domain really runs at after rounding, in GHz. */
    public double effectiveGHz() {
        return 1000.0 / periodPs;
    }

    /** Converts a cycle count to ticks; throws {@link SimTimeException} on overflow or negative input. */
    public long cyclesToTicks(long cycles) {
        if (cycles < 0) {
            throw new SimTimeException("clock domain '" + name + "': negative cycle count " + cycles);
        }
        try {
            return Math.multiplyExact(cycles, periodPs);
        } catch (ArithmeticException e) {
            throw new SimTimeException("clock domain '" + name + "': " + cycles + " cycles of " + periodPs
                    + " ps overflow a long count of picoseconds");
        }
    }

    /** Whole cycles elapsed in {@code ticks} (rounded down). */
    public long ticksToCycles(long ticks) {
        if (ticks < 0) {
            throw new SimTimeException("clock domain '" + name + "': negative time " + ticks + " ps");
        }
        return ticks / periodPs;
    }

    /** Cycles needed to cover {@code ticks} (rounded up). */
    public long ticksToCyclesCeil(long ticks) {
        if (ticks < 0) {
            throw new SimTimeException("clock domain '" + name + "': negative time " + ticks + " ps");
        }
        return ticks / periodPs + (ticks % periodPs == 0 ? 0 : 1);
    }

    /** The first clock edge at or after {@code ticks}. */
    public long nextEdge(long ticks) {
        return cyclesToTicks(ticksToCyclesCeil(ticks));
    }

    /** Cycles to milliseconds at this domain's rounded period, for reports. */
    public double cyclesToMillis(long cycles) {
        return cycles * (double) periodPs / Ticks.PS_PER_MS;
    }
}
