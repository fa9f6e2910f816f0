package dev.wafersim.memory.hbm;

import dev.wafersim.core.config.ConfigException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The HBM of one GPU: the capacity held by named regions, and the time a kernel needs to stream a
 * given number of bytes through it.
 *
 * <p>Capacity: {@link #allocate} reserves a named region (weights, KV cache, activations); asking
 * for more than is free is a {@link ConfigException} that names the region, what is in use and the
 * shortfall in bytes. Usable capacity is the vendor capacity minus the runtime reserve.
 *
 * <p>Timing: see the block comment below.
 */
public final class HbmModel {
    /*
     * The achievable-bandwidth curve.
     *
     * A kernel that moves B bytes through HBM takes
     *
     *     t(B) = t0 + B / (effMax * peak)
     *
     * where peak is the vendor bandwidth, effMax the fraction a long stream sustains and t0 a fixed
     * per-kernel ramp (launch on the device, first-access latency, the partly filled last wave).
     * The bandwidth reached is therefore
     *
     *     bw(B) = B / t(B) = effMax * peak * B / (B + B_half),   with B_half = t0 * effMax * peak,
     *
     * the saturating curve eff(B) = effMax * B / (B + B_half) in fraction of peak: a transfer of
     * B_half bytes reaches half of effMax, a long one approaches effMax. The two forms are the same
     * law; the ramp t0 is the parameter because it is a time, which carries across GPU generations
     * better than a size.
     *
     * Calibration (A100 80GB preset): least squares on relative error over the 1- and 16-token rows of
     * microsoft/vidur data/profiling/compute/a100/meta-llama/Llama-2-{7b,70b}-hf/mlp.csv (64 weight
     * GEMV kernel times, 4 MB to 940 MB, TP 1/2/4/8) gives effMax = 0.78 and t0 = 4.4 us. It
     * reproduces the reference's "decode weight GEMMs reach 69 to 79% of 2.039 TB/s": a 70B layer's
     * four linear kernels take 1.07 ms at TP1 (78%) and 0.15 ms at TP8 (69%). The ramp was fitted on
     * weight GEMVs; small element-wise kernels (a residual add takes 2 us in the same tables) are
     * over-estimated by it. See GpuCalibration in the fabric module for every point and its error.
     */

    private final String deviceName;
    private final HbmParams params;
    private final double sustainedPsPerByte;
    private final Map<String, Long> regions = new LinkedHashMap<>();
    private long usedBytes;

    /**
     * An empty HBM.
     *
     * @param deviceName name used in error messages (e.g. {@code a100-80gb gpu 3})
     */
    public HbmModel(String deviceName, HbmParams params) {
        this.deviceName = Objects.requireNonNull(deviceName, "deviceName");
        this.params = Objects.requireNonNull(params, "params");
        this.sustainedPsPerByte = 1e12 / params.sustainedBandwidthBytesPerSec();
    }

    /** The parameters. */
    public HbmParams params() {
        return params;
    }

    // ---- timing ----------------------------------------------------------------------------

    /**
     * Time to stream {@code bytes} at the sustained rate, without the ramp, in ps (rounded to the
     * nearest ps): {@code bytes / (effMax * peak)}.
     */
    public long streamTimePs(long bytes) {
        checkBytes(bytes);
        return Math.round(bytes * sustainedPsPerByte);
    }

    /**
     * Time for one kernel to move {@code bytes} through HBM, in ps: the ramp plus
     * {@link #streamTimePs}. Zero bytes cost the ramp alone.
     */
    public long transferTimePs(long bytes) {
        return params.rampLatencyPs() + streamTimePs(bytes);
    }

    /** Bandwidth reached by one kernel that moves {@code bytes}, in bytes per second. */
    public double achievedBandwidthBytesPerSec(long bytes) {
        checkBytes(bytes);
        if (bytes == 0) {
            return 0;
        }
        return bytes / (transferTimePs(bytes) / 1e12);
    }

    /** Fraction of the vendor peak reached by a kernel that moves {@code bytes}: eff(B). */
    public double efficiency(long bytes) {
        return achievedBandwidthBytesPerSec(bytes) / params.peakBandwidthBytesPerSec();
    }

    /** The transfer size at which a kernel reaches half of effMax, in bytes: t0 * effMax * peak. */
    public double halfEfficiencyBytes() {
        return params.rampLatencyPs() / 1e12 * params.sustainedBandwidthBytesPerSec();
    }

    private static void checkBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
    }

    // ---- capacity --------------------------------------------------------------------------

    /**
     * Reserves {@code bytes} for a new region.
     *
     * @throws ConfigException when the region does not fit: the message names the region, the bytes
     *                         in use by each region and the shortfall
     * @throws IllegalArgumentException when the name is taken or the size is negative
     */
    public void allocate(String region, long bytes) {
        Objects.requireNonNull(region, "region");
        checkBytes(bytes);
        if (regions.containsKey(region)) {
            throw new IllegalArgumentException(deviceName + ": HBM region '" + region + "' is already allocated");
        }
        long free = freeBytes();
        if (bytes > free) {
            StringBuilder inUse = new StringBuilder();
            for (Map.Entry<String, Long> e : regions.entrySet()) {
                inUse.append(inUse.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(HbmParams.gb(e.getValue()));
            }
            throw new ConfigException(String.format(Locale.ROOT,
                    "%s: HBM region '%s' needs %s but only %s of %s usable are free (%s in use%s); short by %s (%d bytes)",
                    deviceName, region, HbmParams.gb(bytes), HbmParams.gb(free), HbmParams.gb(usableBytes()),
                    HbmParams.gb(usedBytes), inUse.length() == 0 ? "" : ": " + inUse,
                    HbmParams.gb(bytes - free), bytes - free));
        }
        regions.put(region, bytes);
        usedBytes += bytes;
    }

    /** Releases a region; an unknown name is an error. */
    public void free(String region) {
        Long b = regions.remove(region);
        if (b == null) {
            throw new IllegalArgumentException(deviceName + ": no HBM region named '" + region + "'");
        }
        usedBytes -= b;
    }

    /** Bytes held by allocated regions. */
    public long usedBytes() {
        return usedBytes;
    }

    /** Bytes available to regions in total: capacity minus the runtime reserve. */
    public long usableBytes() {
        return params.usableBytes();
    }

    /** Bytes still free. */
    public long freeBytes() {
        return usableBytes() - usedBytes;
    }

    /** The allocated regions and their sizes in bytes, in allocation order. */
    public Map<String, Long> regions() {
        return Collections.unmodifiableMap(regions);
    }
}
