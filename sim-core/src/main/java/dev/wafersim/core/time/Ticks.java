package dev.wafersim.core.time;

import java.util.Locale;

/**
 * Simulated time: one tick is one picosecond, held in a {@code long}.
 *
 * <p>A {@code long} of picoseconds covers about 106 days of simulated time, far beyond any run; an
 * {@code int} would overflow after 2.1 ms. Conversions from floating-point units (nanoseconds,
 * microseconds, GHz) happen only at the configuration edge, through the methods here, and round to
 * the nearest picosecond. Conversions back to floating point are for reporting only.
 */
public final class Ticks {
    /** Picoseconds per nanosecond. */
    public static final long PS_PER_NS = 1_000L;
    /** Picoseconds per microsecond. */
    public static final long PS_PER_US = 1_000_000L;
    /** Picoseconds per millisecond. */
    public static final long PS_PER_MS = 1_000_000_000L;
    /** Picoseconds per second. */
    public static final long PS_PER_S = 1_000_000_000_000L;

    private Ticks() {
    }

    /** Converts a duration in nanoseconds (configuration edge) to ticks, rounding to the nearest ps. */
    public static long fromNanos(double nanos) {
        return fromDouble(nanos * PS_PER_NS, nanos, "ns");
    }

    /** Converts a duration in microseconds (configuration edge) to ticks, rounding to the nearest ps. */
    public static long fromMicros(double micros) {
        return fromDouble(micros * PS_PER_US, micros, "us");
    }

    /** Converts a duration in seconds (configuration edge) to ticks, rounding to the nearest ps. */
    public static long fromSeconds(double seconds) {
        return fromDouble(seconds * PS_PER_S, seconds, "s");
    }

    private static long fromDouble(double ps, double original, String unit) {
        if (!(ps >= 0) || Double.isInfinite(ps)) {
            throw new SimTimeException(String.format(Locale.ROOT,
                    "duration must be a finite, non-negative number of %s, got %s", unit, original));
        }
        if (ps >= 0x1p63) {
            throw new SimTimeException(String.format(Locale.ROOT,
                    "duration %s %s overflows a long count of picoseconds", original, unit));
        }
        return Math.round(ps);
    }

    /** Ticks to milliseconds, for reports. */
    public static double toMillis(long ticks) {
        return ticks / (double) PS_PER_MS;
    }

    /** Ticks to microseconds, for reports. */
    public static double toMicros(long ticks) {
        return ticks / (double) PS_PER_US;
    }

    /** Ticks to seconds, for reports. */
    public static double toSeconds(long ticks) {
        return ticks / (double) PS_PER_S;
    }

    /** {@code a + b} for times and non-negative delays; throws on overflow or a negative delay. */
    public static long add(long timePs, long delayPs) {
        if (delayPs < 0) {
            throw new SimTimeException("negative delay: " + delayPs + " ps");
        }
        long r = timePs + delayPs;
        if (r < timePs) {
            throw new SimTimeException("simulated time overflows: " + timePs + " ps + " + delayPs + " ps");
        }
        return r;
    }
}
