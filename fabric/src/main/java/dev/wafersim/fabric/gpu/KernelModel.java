package dev.wafersim.fabric.gpu;

import dev.wafersim.memory.hbm.HbmModel;
import java.util.Objects;

/**
 * The device time of one kernel from the bytes it moves through HBM and the FLOPs it performs.
 * Launch overhead is not included: the simulation adds it (see {@link GpuClusterSim}).
 */
public final class KernelModel {
    /*
     * A kernel that moves B bytes and performs F FLOPs in data type d takes
     *
     *     t = t0 + (tm^n + tc^n)^(1/n)
     *     tm = B / (effMem * peakBw)            memory time at the sustained HBM rate (HbmModel)
     *     tc = F / (effFlop * peakFlops(d))     compute time at the sustained tensor-core rate
     *
     * t0 is the per-kernel ramp of the HBM curve (HbmModel: hbm.rampLatencyNs) and n the roofline
     * exponent (kernel.rooflineExponent). With n -> infinity this is the classic roofline
     * t0 + max(tm, tc); a finite n rounds the corner, so a GEMM whose memory and compute times are
     * close takes longer than either, as measured. Both halves are the saturating curves of the
     * brief: the bandwidth reached is B / (t0 + tm) = effMem * peakBw * B / (B + B_half) for a
     * memory-bound kernel, the FLOP/s reached F / (t0 + tc) for a compute-bound one.
     *
     * Calibration on microsoft/vidur data/profiling/compute/{a100,h100}/meta-llama/Llama-2-{7b,70b}-hf
     * /mlp.csv (kernel times of the QKV, output, gate/up and down projections at TP 1/2/4/8):
     *   - effMem and t0 by least squares on relative error over the 1- and 16-token rows
     *     (A100 0.78 and 4.4 us; H100 0.85 and 3.1 us);
     *   - effFlop over the 2048- and 4096-token rows (A100 0.75, H100 0.75);
     *   - n = 2 gives the smallest error over all 256 rows of each GPU (A100 rms 9%, against 14% for
     *     max(); H100 13% against 16%).
     * GpuCalibration lists the points and their errors.
     */

    private final GpuParams params;
    private final HbmModel hbm;
    private final double exponent;

    /** The kernel timing of one GPU with the given parameters. */
    public KernelModel(GpuParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.hbm = new HbmModel(params.presetName(), params.hbm());
        this.exponent = params.rooflineExponent();
    }

    /** The parameters. */
    public GpuParams params() {
        return params;
    }

    /** The HBM timing model used for the memory half (capacity regions of this instance are unused). */
    public HbmModel hbm() {
        return hbm;
    }

    /** Memory time tm: {@code bytes} at the sustained HBM rate, without the ramp, in ps. */
    public long memoryTimePs(long bytes) {
        return hbm.streamTimePs(bytes);
    }

    /** Compute time tc: {@code flops} at the sustained tensor-core rate of {@code type}, in ps. */
    public long computeTimePs(long flops, DataType type) {
        if (flops < 0) {
            throw new IllegalArgumentException("flops must be >= 0, got " + flops);
        }
        if (flops == 0) {
            return 0;
        }
        return Math.round(flops / (params.computeEfficiency() * params.peakFlopsPerSec(type)) * 1e12);
    }

    /**
     * Device time of a kernel, in ps: {@code t0 + (tm^n + tc^n)^(1/n)}.
     *
     * @param bytes bytes moved through HBM (reads plus writes)
     * @param flops floating-point operations (a multiply-add counts as two)
     * @param type  the data type the tensor cores run in
     */
    public long durationPs(long bytes, long flops, DataType type) {
        return params.hbm().rampLatencyPs() + combine(memoryTimePs(bytes), computeTimePs(flops, type));
    }

    /** True when the kernel's compute time exceeds its memory time. */
    public boolean isComputeBound(long bytes, long flops, DataType type) {
        return computeTimePs(flops, type) > memoryTimePs(bytes);
    }

    /** Bytes per second a kernel that moves {@code bytes} and performs {@code flops} reaches. */
    public double achievedBandwidthBytesPerSec(long bytes, long flops, DataType type) {
        return bytes / (durationPs(bytes, flops, type) / 1e12);
    }

    /** FLOP per second a kernel that moves {@code bytes} and performs {@code flops} reaches. */
    public double achievedFlopsPerSec(long bytes, long flops, DataType type) {
        return flops / (durationPs(bytes, flops, type) / 1e12);
    }

    /** The smooth roofline of two times in ps; exact when either is zero. */
    private long combine(long tm, long tc) {
        if (tm == 0 || tc == 0) {
            return tm + tc;
        }
        double a = Math.max(tm, tc);
        double b = Math.min(tm, tc);
        // (a^n + b^n)^(1/n) = a * (1 + (b/a)^n)^(1/n): no overflow for large n.
        return Math.round(a * Math.pow(1 + Math.pow(b / a, exponent), 1 / exponent));
    }
}
