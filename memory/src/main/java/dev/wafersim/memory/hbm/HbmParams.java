package dev.wafersim.memory.hbm;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.time.Ticks;
import java.util.Locale;

/**
 * The validated parameters of one GPU's HBM: capacity and the achievable-bandwidth curve.
 *
 * <p>Presets give the values in human units ({@code GB}, {@code GB/s}, {@code ns}); this record holds
 * them in base units. Conversions happen once, in {@link #from(ParamSet)}: GB and GB/s are decimal
 * (10^9), rounded to the nearest byte; nanoseconds are rounded to the nearest picosecond.
 *
 * @param capacityBytes            HBM capacity in bytes, as the vendor states it (decimal GB)
 * @param reservedBytes            bytes the runtime keeps for itself (CUDA context, library
 *                                 workspaces, communication buffers); not available to the model
 * @param peakBandwidthBytesPerSec vendor peak HBM bandwidth in bytes per second
 * @param streamEfficiency         fraction of the peak that a long streaming kernel sustains
 *                                 (effMax of the curve in {@link HbmModel}), in (0, 1]
 * @param rampLatencyPs            fixed time each kernel pays before its stream reaches the sustained
 *                                 rate, in ps (start-up, first-access latency, tail of the last wave)
 */
public record HbmParams(long capacityBytes, long reservedBytes, double peakBandwidthBytesPerSec,
                        double streamEfficiency, long rampLatencyPs) {

    /** Key of the capacity in GB (10^9 bytes). */
    public static final String CAPACITY_GB = "hbm.capacityGB";
    /** Key of the runtime reserve in GB. */
    public static final String RESERVED_GB = "hbm.reservedGB";
    /** Key of the peak bandwidth in GB/s. */
    public static final String PEAK_BANDWIDTH_GBPS = "hbm.peakBandwidthGBps";
    /** Key of the sustained fraction of the peak. */
    public static final String STREAM_EFFICIENCY = "hbm.streamEfficiency";
    /** Key of the per-kernel ramp latency in ns. */
    public static final String RAMP_LATENCY_NS = "hbm.rampLatencyNs";

    /** The parameters of the HBM model, in declaration order. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.real(CAPACITY_GB, "GB", 1, 10_000,
                    "HBM capacity per GPU in decimal GB (10^9 bytes), as the vendor states it."),
            ParamSpec.real(RESERVED_GB, "GB", 0, 1_000,
                    "HBM the runtime keeps per GPU (CUDA context, library workspaces, NCCL buffers); "
                            + "weights, KV cache and activations must fit in capacity minus this."),
            ParamSpec.real(PEAK_BANDWIDTH_GBPS, "GB/s", 1, 1_000_000,
                    "Vendor peak HBM bandwidth per GPU in decimal GB/s."),
            ParamSpec.real(STREAM_EFFICIENCY, "-", 0.01, 1,
                    "Fraction of the peak bandwidth a long streaming kernel sustains (effMax)."),
            ParamSpec.real(RAMP_LATENCY_NS, "ns", 0, 1_000_000,
                    "Fixed time per kernel before its stream runs at the sustained rate; sets the "
                            + "size at which a transfer reaches half of effMax."));

    public HbmParams {
        if (capacityBytes <= 0) {
            throw new ConfigException("hbm: capacity must be positive, got " + capacityBytes + " bytes");
        }
        if (reservedBytes < 0 || reservedBytes >= capacityBytes) {
            throw new ConfigException(String.format(Locale.ROOT,
                    "%s=%s is not allowed; the reserve must be smaller than %s=%s",
                    RESERVED_GB, gb(reservedBytes), CAPACITY_GB, gb(capacityBytes)));
        }
        if (!(peakBandwidthBytesPerSec > 0) || Double.isInfinite(peakBandwidthBytesPerSec)) {
            throw new ConfigException("hbm: peak bandwidth must be a positive finite number of bytes/s, got "
                    + peakBandwidthBytesPerSec);
        }
        if (!(streamEfficiency > 0 && streamEfficiency <= 1)) {
            throw new ConfigException(STREAM_EFFICIENCY + "=" + streamEfficiency + " is not allowed; expected (0, 1]");
        }
        if (rampLatencyPs < 0) {
            throw new ConfigException(RAMP_LATENCY_NS + " must be >= 0, got " + rampLatencyPs + " ps");
        }
    }

    /** Builds the record from the {@code hbm.*} values of a parameter set. */
    public static HbmParams from(ParamSet p) {
        return new HbmParams(
                Math.round(p.getDouble(CAPACITY_GB) * 1e9),
                Math.round(p.getDouble(RESERVED_GB) * 1e9),
                p.getDouble(PEAK_BANDWIDTH_GBPS) * 1e9,
                p.getDouble(STREAM_EFFICIENCY),
                Ticks.fromNanos(p.getDouble(RAMP_LATENCY_NS)));
    }

    /** Bytes available to weights, KV cache and activations: capacity minus the runtime reserve. */
    public long usableBytes() {
        return capacityBytes - reservedBytes;
    }

    /** The sustained streaming bandwidth {@code streamEfficiency * peak}, in bytes per second. */
    public double sustainedBandwidthBytesPerSec() {
        return streamEfficiency * peakBandwidthBytesPerSec;
    }

    /** Formats bytes as decimal GB with two decimals, for messages. */
    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
