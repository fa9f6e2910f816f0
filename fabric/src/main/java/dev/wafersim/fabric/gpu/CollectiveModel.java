package dev.wafersim.fabric.gpu;

import java.util.Objects;

/**
 * The time of collectives (all-reduce, all-gather, reduce-scatter) and of point-to-point transfers
 * between GPUs, from message size, GPU count and placement: NCCL's ring and tree, and the intra-node
 * all-reduces serving stacks use instead of NCCL for small messages (one-shot, two-shot, NVLink SHARP).
 * These are kernel times as the profilers report them (launch overhead is added by the simulation).
 */
public final class CollectiveModel {
    /*
     * Alpha-beta cost in the shape of NCCL's own tuning model (NVIDIA/nccl src/graph/tuning.cc):
     *
     *     T = base + (stepsIntra * alphaNvlink + stepsInter * alphaIb) + wireBytes / busBw(S)
     *
     * for p members on n nodes with at most k members per node, message size S:
     *
     *   all-reduce, ring:  2(p-1) steps, of which 2(n-1) cross nodes; wireBytes = 2(p-1)/p * S
     *   all-reduce, tree:  2((k-1) intra + ceil(log2 n) inter) steps (a chain in each node, a binary
     *                      tree across nodes); wireBytes = 2 S (reduce up, broadcast down)
     *   all-gather and reduce-scatter, ring: p-1 steps, n-1 crossing nodes; wireBytes = (p-1)/p * S
     *   auto: the cheaper of ring and tree for each call (NCCL's tuner does the same).
     *
     * busBw(S) is the bus bandwidth one member drives, a fraction of the bottleneck link bandwidth
     * L: inside a node L is one direction of the GPU's NVLink (NVSwitch gives every pair the full
     * rate); across nodes L = min(NVLink one direction, ports per node x port rate), as NCCL runs one
     * ring per NIC. The fraction grows with the message:
     *
     *     busBw(S) = L * (f_small + (f_large - f_small) * S / (S + S_half))
     *
     * a smooth stand-in for NCCL switching protocol (LL -> LL128 -> Simple) and channel count with
     * size: small messages get a few percent of the link, large ones most of it. (A plain
     * S/(S+S_half) efficiency would only add a constant latency; this form bends the curve the way the
     * measurements do: steep from 8 B to 32 KB, flat to 1 MB, then bandwidth-bound.)
     *
     * Calibration (A100 preset; all kernel times, medians):
     *   base = 6 us, alphaNvlink = 1.1 us, f_small = 0.0175, f_large = 0.63, S_half = 6 MB: least
     *   squares on relative error over the 4 x A100 points of LLMCompass (8 B, 16 KB, 1 MB) and the
     *   4- and 8-GPU DGX points of microsoft/vidur data/profiling/network/a100_dgx/all_reduce.csv
     *   (10-35 KB, 8 MB, 64 MB); alphaIb = 21 us on vidur's 16-GPU, 2-node points (2-35 KB), where
     *   the tree wins. Every point is within 7%. H100 preset: f_large = 0.82 and S_half = 2 MB fitted
     *   on vidur h100_dgx 8-GPU points from 1 MB to 64 MB (NVLink SHARP lets large all-reduces beat
     *   the ring); the latencies are the A100 ones (the H100 small-message data is not monotone).
     *
     * Intra-node all-reduces of the serving stacks (GpuStack.allReduceAlgorithms), for p GPUs of one
     * node, B the NVLink bandwidth of one direction, S the buffer:
     *
     *   one-shot (TensorRT-LLM ONESHOT, vLLM cross_device_reduce_1stage): every GPU reads the whole
     *       buffer of each of its p-1 peers over NVLink and sums locally, after one barrier:
     *       T = a1 + (p-1) S / (f1 B)
     *   two-shot (TWOSHOT, 2stage): reduce-scatter then all-gather through peer memory, two barriers:
     *       T = a2 + 2 (p-1)/p S / (f2 B)
     *   NVLS (NVLink SHARP, NVSwitch 3+): the switch reduces (multimem.ld_reduce) and multicasts
     *       (multimem.st), so each GPU moves about the buffer once each way:  T = an + S / (fn B)
     *
     * One-shot and two-shot need all members in one node, at most 8 of them (TensorRT-LLM's
     * MAX_RANKS_PER_NODE; vLLM takes 2, 4, 6 or 8) and a message within the stack's registered buffer
     * (stack.customAllReduceMaxBytes); NVLS needs one node whose NVSwitch has SHARP (nvlink.sharp).
     * Calibration (H100): a, f of each by least squares on relative error over the six sizes (0.5 to 4
     * MiB) of the H100 TP=6 table of vllm-project/vllm PR #24111 (ca_1stage, ca_2stage,
     * symm_mem_multimem), every point within 8%; GpuCalibration lists them with held-out checks.
     *
     * Choice. cost(kind, S, where) is what the configured stack runs: the cheapest of NCCL (with
     * collective.algorithm) and each of the stack's algorithms that applies. Both stacks that have these
     * kernels choose per message size from measurements of which is fastest (TensorRT-LLM's
     * AllReduceBestStrategyTable per SM, TP, hidden size and tokens; vLLM's size thresholds), so the
     * cheapest-by-the-model is their rule wherever the model ranks the algorithms as the measurements do;
     * CollectiveModelTest holds it to TensorRT-LLM's H100 table.
     *
     * Point-to-point: T = latency + S / (fraction * link), with the NVLink or the InfiniBand values
     * depending on whether the two GPUs share a node (vidur send_recv.csv fits).
     *
     * A group of one GPU costs nothing.
     */

    /** Most members a one-shot or two-shot all-reduce takes (TensorRT-LLM MAX_RANKS_PER_NODE). */
    public static final int MAX_CUSTOM_ALL_REDUCE_GPUS = 8;

    private final GpuParams params;

    /** The collective timing of a cluster of GPUs with the given parameters. */
    public CollectiveModel(GpuParams params) {
        this.params = Objects.requireNonNull(params, "params");
    }

    /** The parameters. */
    public GpuParams params() {
        return params;
    }

    /**
     * Cost of a collective as the configured stack runs it: the cheapest of NCCL (with
     * {@code collective.algorithm}) and each of the stack's fast all-reduces that applies
     * ({@link #applies}).
     */
    public CollectiveCost cost(CollectiveKind kind, long bytes, GroupPlacement where) {
        CollectiveCost best = ncclCost(kind, bytes, where);
        if (kind != CollectiveKind.ALL_REDUCE || where.gpus() == 1) {
            return best;
        }
        for (CollectiveAlgorithm a : CollectiveAlgorithm.values()) {
            if (params.stack().allReduceAlgorithms().contains(a) && applies(a, kind, bytes, where)) {
                CollectiveCost c = cost(kind, bytes, where, a);
                if (c.totalPs() < best.totalPs()) {
                    best = c;
                }
            }
        }
        return best;
    }

    /** Cost of a collective through NCCL with the configured algorithm ({@code collective.algorithm}). */
    public CollectiveCost ncclCost(CollectiveKind kind, long bytes, GroupPlacement where) {
        return cost(kind, bytes, where, params.collectiveAlgorithm());
    }

    /**
     * True when {@code algorithm} can run this collective: NCCL's always; one-shot and two-shot for an
     * all-reduce of 2 to {@link #MAX_CUSTOM_ALL_REDUCE_GPUS} GPUs of one node within
     * {@code stack.customAllReduceMaxBytes}; NVLS for an all-reduce inside one node with {@code nvlink.sharp}.
     */
    public boolean applies(CollectiveAlgorithm algorithm, CollectiveKind kind, long bytes, GroupPlacement where) {
        if (algorithm.isNccl()) {
            return true;
        }
        if (kind != CollectiveKind.ALL_REDUCE || !where.isIntraNode() || where.gpus() < 2) {
            return false;
        }
        return switch (algorithm) {
            case ONE_SHOT, TWO_SHOT -> where.gpus() <= MAX_CUSTOM_ALL_REDUCE_GPUS
                    && bytes <= params.stack().customAllReduceMaxBytes();
            case NVLS -> params.nvlinkSharp();
            default -> false;
        };
    }

    /**
     * Cost of a collective with the given algorithm. NCCL's tree exists for all-reduce only; NCCL's other
     * collectives always use the ring, whatever {@code algorithm} says.
     *
     * @throws IllegalArgumentException for one-shot, two-shot or NVLS where it does not {@link #applies apply}
     */
    public CollectiveCost cost(CollectiveKind kind, long bytes, GroupPlacement where, CollectiveAlgorithm algorithm) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(algorithm, "algorithm");
        if (bytes < 0) {
            throw new IllegalArgumentException("collective bytes must be >= 0, got " + bytes);
        }
        if (where.gpus() == 1) {
            return new CollectiveCost(CollectiveAlgorithm.RING, 0, 0);
        }
        if (!algorithm.isNccl()) {
            if (!applies(algorithm, kind, bytes, where)) {
                throw new IllegalArgumentException(algorithm.key() + " cannot run a " + kind + " of " + bytes
                        + " bytes over " + where);
            }
            return fastAllReduce(algorithm, bytes, where.gpus());
        }
        if (kind != CollectiveKind.ALL_REDUCE || algorithm == CollectiveAlgorithm.RING) {
            return ring(kind, bytes, where);
        }
        if (algorithm == CollectiveAlgorithm.TREE) {
            return tree(bytes, where);
        }
        CollectiveCost r = ring(kind, bytes, where);
        CollectiveCost t = tree(bytes, where);
        return t.totalPs() < r.totalPs() ? t : r;
    }

    /** Total time of a collective as the configured stack runs it, in ps. */
    public long timePs(CollectiveKind kind, long bytes, GroupPlacement where) {
        return cost(kind, bytes, where).totalPs();
    }

    private CollectiveCost fastAllReduce(CollectiveAlgorithm a, long bytes, int p) {
        double link = params.nvlinkUnidirectionalBytesPerSec();
        long latency;
        double wire;
        double fraction;
        switch (a) {
            case ONE_SHOT -> {
                latency = params.oneShotLatencyPs();
                wire = (double) (p - 1) * bytes;
                fraction = params.oneShotBandwidthFraction();
            }
            case TWO_SHOT -> {
                latency = params.twoShotLatencyPs();
                wire = 2.0 * (p - 1) / p * bytes;
                fraction = params.twoShotBandwidthFraction();
            }
            case NVLS -> {
                latency = params.nvlsLatencyPs();
                wire = bytes;
                fraction = params.nvlsBandwidthFraction();
            }
            default -> throw new IllegalStateException(a.key());
        }
        return new CollectiveCost(a, latency, Math.round(wire / (fraction * link) * 1e12));
    }

    private CollectiveCost ring(CollectiveKind kind, long bytes, GroupPlacement w) {
        int p = w.gpus();
        int n = w.nodes();
        boolean allReduce = kind == CollectiveKind.ALL_REDUCE;
        long steps = allReduce ? 2L * (p - 1) : p - 1;
        long inter = allReduce ? 2L * (n - 1) : n - 1;
        long latency = params.collectiveBaseLatencyPs() + (steps - inter) * params.nvlinkStepLatencyPs()
                + inter * params.ibStepLatencyPs();
        double wire = (allReduce ? 2.0 : 1.0) * (p - 1) / p * bytes;
        return new CollectiveCost(CollectiveAlgorithm.RING, latency, transferPs(wire, bytes, w));
    }

    private CollectiveCost tree(long bytes, GroupPlacement w) {
        int k = w.maxGpusPerNode();
        int depth = ceilLog2(w.nodes());
        long latency = params.collectiveBaseLatencyPs()
                + 2L * ((k - 1) * params.nvlinkStepLatencyPs() + depth * params.ibStepLatencyPs());
        return new CollectiveCost(CollectiveAlgorithm.TREE, latency, transferPs(2.0 * bytes, bytes, w));
    }

    private long transferPs(double wireBytes, long messageBytes, GroupPlacement w) {
        if (wireBytes == 0) {
            return 0;
        }
        return Math.round(wireBytes / busBandwidthBytesPerSec(messageBytes, w) * 1e12);
    }

    /** The bottleneck link bandwidth L of a group, one direction, bytes/s. */
    public double linkBandwidthBytesPerSec(GroupPlacement where) {
        double nvlink = params.nvlinkUnidirectionalBytesPerSec();
        return where.isIntraNode() ? nvlink : Math.min(nvlink, params.ibNodeBytesPerSec());
    }

    /** The bus bandwidth busBw(S) a member drives for a message of {@code bytes}, bytes/s. */
    public double busBandwidthBytesPerSec(long bytes, GroupPlacement where) {
        double s = bytes;
        double fSmall = params.collectiveSmallBandwidthFraction();
        double fLarge = params.collectiveLargeBandwidthFraction();
        double fraction = fSmall + (fLarge - fSmall) * s / (s + params.collectiveHalfBandwidthBytes());
        return linkBandwidthBytesPerSec(where) * fraction;
    }

    /**
     * Time of one send/receive of {@code bytes} between two GPUs, in ps: the latency plus the bytes at
     * the reached fraction of NVLink (same node) or of one InfiniBand port (different nodes).
     */
    public long p2pTimePs(long bytes, boolean sameNode) {
        if (bytes < 0) {
            throw new IllegalArgumentException("send bytes must be >= 0, got " + bytes);
        }
        long latency = sameNode ? params.nvlinkP2pLatencyPs() : params.ibP2pLatencyPs();
        double bw = sameNode ? params.nvlinkUnidirectionalBytesPerSec() * params.nvlinkP2pBandwidthFraction()
                : params.ibPortBytesPerSec() * params.ibP2pBandwidthFraction();
        return latency + Math.round(bytes / bw * 1e12);
    }

    private static int ceilLog2(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
