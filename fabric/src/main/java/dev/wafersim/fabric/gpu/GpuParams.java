package dev.wafersim.fabric.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.memory.hbm.HbmParams;
import java.util.Locale;
import java.util.Objects;

/**
 * The validated parameters of the GPU-cluster machine model: one GPU (HBM, tensor cores, kernel
 * launch), its node (GPUs per node, NVLink through NVSwitch) and the network between nodes
 * (InfiniBand), plus the collective-cost parameters. Built once from a {@link ParamSet} by
 * {@link #from}; presets live in {@code presets/gpu/*.yaml} and are loaded by {@link GpuPresets}.
 *
 * <p>Units: bytes, bytes per second, FLOP per second and picoseconds. Presets use GB, GB/s, Gbit/s,
 * TFLOP/s and ns (all decimal); {@link #from} converts once, rounding times to the nearest ps.
 *
 * @param presetName                     the preset the values came from (for messages)
 * @param hbm                            the HBM of one GPU
 * @param peakBf16FlopsPerSec            dense BF16/FP16 tensor-core peak, FLOP/s
 * @param peakFp8FlopsPerSec             dense FP8 tensor-core peak, FLOP/s; 0 when the part has none
 * @param computeEfficiency              fraction of the peak a large GEMM sustains
 * @param rooflineExponent               n of the smooth roofline {@code (tm^n + tc^n)^(1/n)}; large
 *                                       values approach {@code max(tm, tc)}
 * @param launchOverheadPs               host time to launch one kernel without CUDA graphs, ps
 * @param deviceGapPs                    device gap before every kernel of a stream (with or without CUDA graphs), ps
 * @param cudaGraphs                     whether programs are replayed as CUDA graphs
 * @param gpusPerNode                    GPUs joined by NVSwitch in one node
 * @param nvlinkBidirectionalBytesPerSec NVLink bandwidth per GPU, both directions together, bytes/s
 * @param nvlinkStepLatencyPs            latency of one collective step between GPUs of a node, ps
 * @param nvlinkP2pLatencyPs             fixed time of a send/receive inside a node, ps
 * @param nvlinkP2pBandwidthFraction     fraction of one direction of NVLink a send/receive reaches
 * @param ibPortBytesPerSec              InfiniBand bandwidth of one port, one direction, bytes/s
 * @param ibPortsPerNode                 InfiniBand ports (NICs) per node used by collectives
 * @param ibStepLatencyPs                latency of one collective step that crosses nodes, ps
 * @param ibP2pLatencyPs                 fixed time of a send/receive between nodes, ps
 * @param ibP2pBandwidthFraction         fraction of one port a send/receive between nodes reaches
 * @param collectiveBaseLatencyPs        fixed time of every collective call, ps
 * @param collectiveSmallBandwidthFraction bus bandwidth of a tiny collective, as a fraction of the
 *                                       bottleneck link bandwidth
 * @param collectiveLargeBandwidthFraction bus bandwidth of a huge collective, same reference
 * @param collectiveHalfBandwidthBytes   message size at which the bus bandwidth is half-way between
 *                                       the small and the large value, bytes
 * @param collectiveAlgorithm            NCCL's all-reduce algorithm: ring, tree or auto (the cheaper per call)
 * @param nvlinkSharp                    whether the node's NVSwitch reduces in the network (NVLink SHARP, NVLS)
 * @param oneShotLatencyPs               fixed time of a one-shot all-reduce (launch to last flag), ps
 * @param oneShotBandwidthFraction       fraction of one NVLink direction a one-shot all-reduce's peer reads reach
 * @param twoShotLatencyPs               fixed time of a two-shot all-reduce (two barriers), ps
 * @param twoShotBandwidthFraction       fraction of one NVLink direction a two-shot all-reduce reaches
 * @param nvlsLatencyPs                  fixed time of an NVLS all-reduce, ps
 * @param nvlsBandwidthFraction          fraction of one NVLink direction an NVLS all-reduce reaches, per byte of
 *                                       the buffer
 * @param stack                          the software stack ({@link GpuStack}); {@code launchOverheadPs} and
 *                                       {@code cudaGraphs} above are its values
 */
public record GpuParams(
        String presetName,
        HbmParams hbm,
        double peakBf16FlopsPerSec,
        double peakFp8FlopsPerSec,
        double computeEfficiency,
        double rooflineExponent,
        long launchOverheadPs,
        long deviceGapPs,
        boolean cudaGraphs,
        int gpusPerNode,
        double nvlinkBidirectionalBytesPerSec,
        long nvlinkStepLatencyPs,
        long nvlinkP2pLatencyPs,
        double nvlinkP2pBandwidthFraction,
        double ibPortBytesPerSec,
        int ibPortsPerNode,
        long ibStepLatencyPs,
        long ibP2pLatencyPs,
        double ibP2pBandwidthFraction,
        long collectiveBaseLatencyPs,
        double collectiveSmallBandwidthFraction,
        double collectiveLargeBandwidthFraction,
        long collectiveHalfBandwidthBytes,
        CollectiveAlgorithm collectiveAlgorithm,
        boolean nvlinkSharp,
        long oneShotLatencyPs,
        double oneShotBandwidthFraction,
        long twoShotLatencyPs,
        double twoShotBandwidthFraction,
        long nvlsLatencyPs,
        double nvlsBandwidthFraction,
        GpuStack stack) {

    /**
     * The GPU, node, network, kernel and collective parameters of the hardware (the HBM ones are in
     * {@link HbmParams#SCHEMA}; the software stack's in {@link GpuStack#SCHEMA}).
     */
    static final ParamSchema OWN_SCHEMA = ParamSchema.of(
            ParamSpec.real("gpu.peakBf16Tflops", "TFLOP/s", 1, 100_000,
                    "Dense (no sparsity) BF16/FP16 tensor-core peak per GPU."),
            ParamSpec.real("gpu.peakFp8Tflops", "TFLOP/s", 0, 100_000,
                    "Dense FP8 tensor-core peak per GPU; 0 when the GPU has no FP8 tensor cores."),
            ParamSpec.real("gpu.computeEfficiency", "-", 0.01, 1,
                    "Fraction of the dense peak a large GEMM sustains."),
            ParamSpec.integer("gpu.gpusPerNode", "GPUs", 1, 72,
                    "GPUs per node, joined all-to-all by NVSwitch."),
            ParamSpec.real("kernel.rooflineExponent", "-", 1, 64,
                    "Exponent n of the smooth roofline t = t0 + (tm^n + tc^n)^(1/n); large n is max(tm, tc)."),
            ParamSpec.real("kernel.deviceGapNs", "ns", 0, 1_000_000,
                    "Device dispatch gap before every kernel of a stream, with or without CUDA graphs "
                            + "(the per-kernel overhead that remains with graphs)."),
            ParamSpec.real("nvlink.bidirectionalGBps", "GB/s", 1, 100_000,
                    "NVLink bandwidth per GPU, both directions together (the vendor figure); one direction is half."),
            ParamSpec.real("nvlink.stepLatencyNs", "ns", 0, 1_000_000,
                    "Latency of one collective step between GPUs of a node (NCCL per-hop latency)."),
            ParamSpec.real("nvlink.p2pLatencyNs", "ns", 0, 1_000_000,
                    "Fixed time of one send/receive between GPUs of a node."),
            ParamSpec.real("nvlink.p2pBandwidthFraction", "-", 0.01, 1,
                    "Fraction of one NVLink direction a large send/receive inside a node reaches."),
            ParamSpec.real("ib.portGbps", "Gbit/s", 1, 100_000,
                    "InfiniBand bandwidth of one port, one direction (the vendor figure)."),
            ParamSpec.integer("ib.portsPerNode", "ports", 1, 64,
                    "InfiniBand ports (NICs) per node that carry GPU traffic."),
            ParamSpec.real("ib.stepLatencyNs", "ns", 0, 10_000_000,
                    "Latency of one collective step that crosses nodes."),
            ParamSpec.real("ib.p2pLatencyNs", "ns", 0, 10_000_000,
                    "Fixed time of one send/receive between GPUs of different nodes."),
            ParamSpec.real("ib.p2pBandwidthFraction", "-", 0.01, 1,
                    "Fraction of one port a large send/receive between nodes reaches."),
            ParamSpec.real("collective.baseLatencyNs", "ns", 0, 10_000_000,
                    "Fixed time of every collective call, on top of its per-step latencies."),
            ParamSpec.real("collective.smallMessageBandwidthFraction", "-", 0.0001, 2,
                    "Bus bandwidth of a tiny collective as a fraction of the bottleneck link bandwidth."),
            ParamSpec.real("collective.largeMessageBandwidthFraction", "-", 0.0001, 2,
                    "Bus bandwidth of a huge collective as a fraction of the bottleneck link bandwidth "
                            + "(above 1 when the switch reduces in-network, e.g. NVLink SHARP)."),
            ParamSpec.longInt("collective.halfBandwidthBytes", "bytes", 1, 1L << 40,
                    "Message size at which the bus bandwidth is half-way from the small to the large value."),
            ParamSpec.choice("collective.algorithm",
                    "NCCL's all-reduce algorithm: ring, tree, or auto (the cheaper of the two per call).",
                    "ring", "tree", "auto"),
            ParamSpec.flag("nvlink.sharp",
                    "The node's NVSwitch reduces and multicasts in the network (NVLink SHARP, NVLS)."),
            ParamSpec.real("collective.oneShotLatencyNs", "ns", 0, 10_000_000,
                    "Fixed time of a one-shot all-reduce inside a node (kernel start, barrier, local reduce)."),
            ParamSpec.real("collective.oneShotBandwidthFraction", "-", 0.01, 1,
                    "Fraction of one NVLink direction a one-shot all-reduce's reads of the peers' buffers reach."),
            ParamSpec.real("collective.twoShotLatencyNs", "ns", 0, 10_000_000,
                    "Fixed time of a two-shot all-reduce inside a node (reduce-scatter and all-gather, two barriers)."),
            ParamSpec.real("collective.twoShotBandwidthFraction", "-", 0.01, 1,
                    "Fraction of one NVLink direction a two-shot all-reduce reaches."),
            ParamSpec.real("collective.nvlsLatencyNs", "ns", 0, 10_000_000,
                    "Fixed time of an NVLink SHARP all-reduce inside a node."),
            ParamSpec.real("collective.nvlsBandwidthFraction", "-", 0.01, 1,
                    "Fraction of one NVLink direction an NVLS all-reduce reaches per byte of the buffer."));

    /** The hardware parameters: {@code hbm.*} followed by the GPU, node, network and collective ones. */
    public static final ParamSchema HARDWARE_SCHEMA = HbmParams.SCHEMA.plus(OWN_SCHEMA);

    /** Every parameter of the GPU-cluster model: the hardware, then the software stack. */
    public static final ParamSchema SCHEMA = HARDWARE_SCHEMA.plus(GpuStack.SCHEMA);

    public GpuParams {
        Objects.requireNonNull(presetName, "presetName");
        Objects.requireNonNull(hbm, "hbm");
        Objects.requireNonNull(collectiveAlgorithm, "collectiveAlgorithm");
        Objects.requireNonNull(stack, "stack");
        if (!collectiveAlgorithm.isNccl()) {
            throw new ConfigException("collective.algorithm=" + collectiveAlgorithm.key()
                    + " is not allowed; expected ring, tree or auto");
        }
        positive("gpu.peakBf16Tflops", peakBf16FlopsPerSec);
        if (!(peakFp8FlopsPerSec >= 0) || Double.isInfinite(peakFp8FlopsPerSec)) {
            throw new ConfigException("gpu.peakFp8Tflops must be >= 0, got " + peakFp8FlopsPerSec);
        }
        fraction("gpu.computeEfficiency", computeEfficiency, 1);
        if (!(rooflineExponent >= 1) || Double.isInfinite(rooflineExponent)) {
            throw new ConfigException("kernel.rooflineExponent must be >= 1, got " + rooflineExponent);
        }
        nonNegative("kernel.launchOverheadNs", launchOverheadPs);
        nonNegative("kernel.deviceGapNs", deviceGapPs);
        if (gpusPerNode < 1) {
            throw new ConfigException("gpu.gpusPerNode must be >= 1, got " + gpusPerNode);
        }
        positive("nvlink.bidirectionalGBps", nvlinkBidirectionalBytesPerSec);
        nonNegative("nvlink.stepLatencyNs", nvlinkStepLatencyPs);
        nonNegative("nvlink.p2pLatencyNs", nvlinkP2pLatencyPs);
        fraction("nvlink.p2pBandwidthFraction", nvlinkP2pBandwidthFraction, 1);
        positive("ib.portGbps", ibPortBytesPerSec);
        if (ibPortsPerNode < 1) {
            throw new ConfigException("ib.portsPerNode must be >= 1, got " + ibPortsPerNode);
        }
        nonNegative("ib.stepLatencyNs", ibStepLatencyPs);
        nonNegative("ib.p2pLatencyNs", ibP2pLatencyPs);
        fraction("ib.p2pBandwidthFraction", ibP2pBandwidthFraction, 1);
        nonNegative("collective.baseLatencyNs", collectiveBaseLatencyPs);
        fraction("collective.smallMessageBandwidthFraction", collectiveSmallBandwidthFraction, 2);
        fraction("collective.largeMessageBandwidthFraction", collectiveLargeBandwidthFraction, 2);
        if (collectiveSmallBandwidthFraction > collectiveLargeBandwidthFraction) {
            throw new ConfigException(String.format(Locale.ROOT,
                    "collective.smallMessageBandwidthFraction=%s is not allowed; it must not exceed "
                            + "collective.largeMessageBandwidthFraction=%s",
                    collectiveSmallBandwidthFraction, collectiveLargeBandwidthFraction));
        }
        if (collectiveHalfBandwidthBytes < 1) {
            throw new ConfigException("collective.halfBandwidthBytes must be >= 1, got " + collectiveHalfBandwidthBytes);
        }
        nonNegative("collective.oneShotLatencyNs", oneShotLatencyPs);
        fraction("collective.oneShotBandwidthFraction", oneShotBandwidthFraction, 1);
        nonNegative("collective.twoShotLatencyNs", twoShotLatencyPs);
        fraction("collective.twoShotBandwidthFraction", twoShotBandwidthFraction, 1);
        nonNegative("collective.nvlsLatencyNs", nvlsLatencyPs);
        fraction("collective.nvlsBandwidthFraction", nvlsBandwidthFraction, 1);
        if (launchOverheadPs != stack.launchOverheadPs() || cudaGraphs != stack.cudaGraphs()) {
            throw new IllegalArgumentException("launch overhead and CUDA graphs must be the stack's");
        }
    }

    /** Builds the record from a parameter set over {@link #SCHEMA}. */
    public static GpuParams from(ParamSet p) {
        GpuStack stack = GpuStack.from(p);
        return new GpuParams(
                p.name(),
                HbmParams.from(p),
                p.getDouble("gpu.peakBf16Tflops") * 1e12,
                p.getDouble("gpu.peakFp8Tflops") * 1e12,
                p.getDouble("gpu.computeEfficiency"),
                p.getDouble("kernel.rooflineExponent"),
                stack.launchOverheadPs(),
                Ticks.fromNanos(p.getDouble("kernel.deviceGapNs")),
                stack.cudaGraphs(),
                p.getInt("gpu.gpusPerNode"),
                p.getDouble("nvlink.bidirectionalGBps") * 1e9,
                Ticks.fromNanos(p.getDouble("nvlink.stepLatencyNs")),
                Ticks.fromNanos(p.getDouble("nvlink.p2pLatencyNs")),
                p.getDouble("nvlink.p2pBandwidthFraction"),
                p.getDouble("ib.portGbps") * 1e9 / 8,
                p.getInt("ib.portsPerNode"),
                Ticks.fromNanos(p.getDouble("ib.stepLatencyNs")),
                Ticks.fromNanos(p.getDouble("ib.p2pLatencyNs")),
                p.getDouble("ib.p2pBandwidthFraction"),
                Ticks.fromNanos(p.getDouble("collective.baseLatencyNs")),
                p.getDouble("collective.smallMessageBandwidthFraction"),
                p.getDouble("collective.largeMessageBandwidthFraction"),
                p.getLong("collective.halfBandwidthBytes"),
                CollectiveAlgorithm.valueOf(p.getString("collective.algorithm").toUpperCase(Locale.ROOT)),
                p.getBoolean("nvlink.sharp"),
                Ticks.fromNanos(p.getDouble("collective.oneShotLatencyNs")),
                p.getDouble("collective.oneShotBandwidthFraction"),
                Ticks.fromNanos(p.getDouble("collective.twoShotLatencyNs")),
                p.getDouble("collective.twoShotBandwidthFraction"),
                Ticks.fromNanos(p.getDouble("collective.nvlsLatencyNs")),
                p.getDouble("collective.nvlsBandwidthFraction"),
                stack);
    }

    /**
     * The dense tensor-core peak for {@code type}, FLOP/s.
     *
     * @throws ConfigException when the GPU has no tensor cores for that type (FP8 on an A100)
     */
    public double peakFlopsPerSec(DataType type) {
        return switch (type) {
            case BF16 -> peakBf16FlopsPerSec;
            case FP8 -> {
                if (peakFp8FlopsPerSec == 0) {
                    throw new ConfigException(presetName + " has no FP8 tensor cores (gpu.peakFp8Tflops=0); "
                            + "use bf16 or a GPU with FP8 (h100-sxm, h200, b200)");
                }
                yield peakFp8FlopsPerSec;
            }
        };
    }

    /** NVLink bandwidth per GPU in one direction, bytes/s: half the bidirectional figure. */
    public double nvlinkUnidirectionalBytesPerSec() {
        return nvlinkBidirectionalBytesPerSec / 2;
    }

    /** InfiniBand bandwidth of a whole node in one direction, bytes/s: ports x port rate. */
    public double ibNodeBytesPerSec() {
        return ibPortsPerNode * ibPortBytesPerSec;
    }

    private static void positive(String key, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new ConfigException(key + " must be a positive finite number, got " + v);
        }
    }

    private static void nonNegative(String key, long ps) {
        if (ps < 0) {
            throw new ConfigException(key + " must be >= 0, got " + ps + " ps");
        }
    }

    private static void fraction(String key, double v, double max) {
        if (!(v > 0 && v <= max)) {
            throw new ConfigException(key + "=" + v + " is not allowed; expected a number in (0, " + max + "]");
        }
    }
}
