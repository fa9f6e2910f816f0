package dev.wafersim.workloads.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.gpu.CollectiveKind;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuCluster;
import dev.wafersim.fabric.gpu.GpuParams;
import dev.wafersim.fabric.gpu.GpuRunResult;
import dev.wafersim.fabric.gpu.TimeCategory;
import dev.wafersim.workloads.model.DecodeStep;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.DecodeSimulator;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.MemoryUse;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelFactory;
import dev.wafersim.workloads.step.StepModelRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decode on a GPU cluster: lays the model out over the GPUs ({@link GpuLayout}), checks that it fits in
 * HBM ({@link GpuMemoryPlan}), and simulates every generated token's step on the discrete-event GPU
 * model ({@code fabric.gpu.GpuClusterSim}).
 */
public final class GpuDecodeSimulator implements DecodeSimulator, StepModelFactory {
    /*
     * Per token. Step t of the workload (context + t cached tokens, attending over context + t + 1 keys)
     * is built as a program (GpuDecodeMapping) and run on a fresh engine; its wall time is token t's
     * latency. Every token is simulated: nothing is interpolated or reused, so the per-token list is
     * exact (a 70B TP8 step is about 7,000 items, a few ms of wall time). Steps do not overlap: the next
     * token's step needs the sampled token. Each step starts with every GPU's host launching its first
     * item (one CUDA-graph launch per GPU per token with graphs, one launch per item without).
     *
     * CUDA graphs (kernel.cudaGraphs, --cuda-graphs): with graphs the host launches each GPU's step as
     * one graph (kernel.launchOverheadNs once per token) and the device still pays kernel.deviceGapNs
     * before each kernel; without, the host pays the launch overhead for every kernel and collective,
     * and when kernels are shorter than that the device waits for the host (LAUNCH time).
     *
     * Breakdown. The cluster books every ps of every GPU to one TimeCategory, so each GPU's categories
     * sum to the step's wall time. The result's breakdown is that of one GPU: the one with the least IDLE
     * time in the first step (the lowest index on ties), the GPU on the critical path; with tensor
     * parallelism alone all GPUs are alike and it is GPU 0. TimeCategory maps one to one onto
     * LatencyCategory: WEIGHT_READ -> weightReads, KV_CACHE_READ -> kvCacheReads, ELEMENTWISE ->
     * elementwise, COMPUTE -> compute, COMMUNICATION -> communication, LAUNCH -> launchOverhead,
     * IDLE -> idle.
     *
     * Layout. Given counts are checked (gpus = tp x pp, tp splits the heads, pp <= layers). Counts not
     * given: with --gpus alone, tp = gpus and pp = 1; with --tp/--pp alone, gpus = tp x pp (the other 1);
     * with nothing, the smallest count that fits, trying 1, 2, 4, ... up to a node (gpu.gpusPerNode),
     * then whole nodes (2, 3, ... nodes): each count G as tp = G, pp = 1 when G splits the heads, else
     * as tp = gpusPerNode, pp = G / gpusPerNode. The capacity error names the smallest such count.
     *
     * Layout search (--gpus auto, GpuOptions.search): every layout of G GPUs, G in the same counts up to
     * maxGpus (default: 4 nodes), as tp x pp for every tp the heads allow that divides G (pp = G / tp <=
     * layers), is checked for capacity; each that fits is simulated for the first and the last token of the
     * run (two full programs, the latency range of the run), and the one with the lowest mean of the two
     * wins (fewer GPUs on a tie). The whole run is then simulated on the winner; the notes say how many
     * layouts were tried and how many fit.
     *
     * The software stack (GpuStack, presets/gpu/stack/*.yaml) is part of the parameters: the machine line
     * and the JSON say which, and which all-reduce algorithm the layout's decode all-reduce uses.
     */

    /** The shared instance (the simulator holds no state). */
    public static final GpuDecodeSimulator INSTANCE = new GpuDecodeSimulator();

    private static final TimeCategory[] TIME_CATEGORIES = TimeCategory.values();
    private static final LatencyCategory[] TO_LATENCY = new LatencyCategory[TIME_CATEGORIES.length];

    static {
        TO_LATENCY[TimeCategory.WEIGHT_READ.ordinal()] = LatencyCategory.WEIGHT_READS;
        TO_LATENCY[TimeCategory.KV_CACHE_READ.ordinal()] = LatencyCategory.KV_CACHE_READS;
        TO_LATENCY[TimeCategory.ELEMENTWISE.ordinal()] = LatencyCategory.ELEMENTWISE;
        TO_LATENCY[TimeCategory.COMPUTE.ordinal()] = LatencyCategory.COMPUTE;
        TO_LATENCY[TimeCategory.COMMUNICATION.ordinal()] = LatencyCategory.COMMUNICATION;
        TO_LATENCY[TimeCategory.LAUNCH.ordinal()] = LatencyCategory.LAUNCH_OVERHEAD;
        TO_LATENCY[TimeCategory.IDLE.ordinal()] = LatencyCategory.IDLE;
    }

    private GpuDecodeSimulator() {
    }

    /** The latency category a GPU time category is reported as. */
    public static LatencyCategory latencyCategory(TimeCategory c) {
        return TO_LATENCY[c.ordinal()];
    }

    /** The step model of a GPU cluster for serving ({@link GpuStepModel}). */
    @Override
    public StepModel stepModel(StepModelRequest request) {
        return new GpuStepModel(request);
    }

    @Override
    public DecodeResult simulate(DecodeRequest request) {
        GpuOptions o = request.options(GpuOptions.class);
        GpuParams params = GpuParams.from(request.params());
        ModelSpec m = request.model();
        DecodeWorkload w = request.workload();
        checkComputeType(params, o.computeType());
        Plan plan = o.search() ? search(m, w, params, o) : plan(m, w, params, o);
        GpuLayout layout = plan.layout();
        GpuMemoryPlan memory = plan.memory();
        GpuCluster cluster = new GpuCluster(params, layout.gpus());
        GpuDecodeMapping mapping = new GpuDecodeMapping(cluster, layout, m, w.precision(), o.computeType(),
                o.replicatedLmHead());

        int tokens = w.tokensToGenerate();
        long[] latencies = new long[tokens];
        long[] byTimeCategory = new long[TIME_CATEGORIES.length];
        int critical = -1;
        int itemsOnCritical = 0;
        for (int t = 0; t < tokens; t++) {
            DecodeStep step = w.step(m, t);
            var program = mapping.program(step);
            GpuRunResult r = cluster.run(program);
            if (critical < 0) {
                critical = leastIdleGpu(r);
                itemsOnCritical = program.itemCount(critical);
            }
            latencies[t] = r.endPs();
            long[] bd = r.breakdownPs(critical);
            for (int c = 0; c < bd.length; c++) {
                byTimeCategory[c] += bd[c];
            }
        }

        DecodeResult.Builder b = DecodeResult.builder(request, SystemKind.GPU).tokenLatenciesPs(latencies);
        for (TimeCategory c : TIME_CATEGORIES) {
            b.addBreakdownPs(latencyCategory(c), byTimeCategory[c.ordinal()]);
        }
        int stage = memory.fullestStage();
        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("weights", memory.weightBytes(stage));
        parts.put("kvCache", memory.kvCacheBytes(stage));
        parts.put("activations", memory.activationBytes(stage));
        long usable = params.hbm().usableBytes();
        b.memory(new MemoryUse("HBM per GPU", memory.totalBytes(stage), usable, parts));
        int nodes = cluster.topology().nodeCount();
        String compute = o.computeType().name().toLowerCase(Locale.ROOT);
        String lmHead = o.replicatedLmHead() ? "replicated" : "vocab-parallel";
        String allReduce = allReduceAlgorithm(cluster, layout, m, w.batchSize());
        b.machine(machineLine(cluster, layout, allReduce, compute, lmHead));
        b.extra("gpus", (long) layout.gpus())
                .extra("tp", (long) layout.tp())
                .extra("pp", (long) layout.pp())
                .extra("nodes", (long) nodes)
                .extra("layout", o.search() ? "searched" : layout.automatic() ? "auto" : "given")
                .extra("stack", params.stack().name())
                .extra("allReduce", allReduce)
                .extra("cudaGraphs", params.cudaGraphs())
                .extra("computeType", compute)
                .extra("lmHead", lmHead)
                .extra("criticalGpu", (long) critical)
                .extra("itemsPerTokenOnCriticalGpu", (long) itemsOnCritical)
                .extra("hbmBytesUsedPerGpu", memory.maxBytesPerGpu())
                .extra("hbmBytesUsablePerGpu", usable)
                .extra("weightBytesPerGpu", memory.weightBytes(stage))
                .extra("kvCacheBytesPerGpu", memory.kvCacheBytes(stage))
                .extra("activationBytesPerGpu", memory.activationBytes(stage));
        if (o.search()) {
            b.extra("layoutsTried", (long) plan.tried()).extra("layoutsFit", (long) plan.fit());
        }
        for (String note : plan.notes()) {
            b.note(note);
        }
        b.note(String.format(Locale.ROOT, "the breakdown is GPU %d's, the GPU with the least idle time", critical));
        return b.build();
    }

    /**
     * The machine line: GPUs, nodes, layout, the software stack with the decode all-reduce it uses, CUDA
     * graphs, compute type and LM head, e.g. {@code 8 x h100-sxm (1 node), tp 8, pp 1, stack trtllm
     * (all-reduce one-shot), CUDA graphs on, compute bf16, LM head vocab-parallel}.
     */
    static String machineLine(GpuCluster cluster, GpuLayout layout, String allReduce, String compute, String lmHead) {
        GpuParams params = cluster.params();
        int nodes = cluster.topology().nodeCount();
        String ar = layout.tp() > 1 ? " (all-reduce " + allReduce + ")" : "";
        return String.format(Locale.ROOT, "%d x %s (%d node%s), tp %d, pp %d, stack %s%s, CUDA graphs %s, compute %s, "
                        + "LM head %s", layout.gpus(), params.presetName(), nodes, nodes == 1 ? "" : "s", layout.tp(),
                layout.pp(), params.stack().name(), ar, params.cudaGraphs() ? "on" : "off", compute, lmHead);
    }

    /**
     * The algorithm of the decode all-reduce (B x hidden bf16 over a stage's GPUs) as the stack chooses it, or
     * {@code none} without tensor parallelism.
     */
    static String allReduceAlgorithm(GpuCluster cluster, GpuLayout layout, ModelSpec m, long rows) {
        if (layout.tp() == 1) {
            return "none";
        }
        long bytes = rows * m.hiddenSize() * Precision.ACTIVATION_BYTES;
        var where = cluster.topology().placement(layout.stageGpus(0));
        return cluster.collectives().cost(CollectiveKind.ALL_REDUCE, bytes, where).algorithm().key();
    }

    /**
     * A layout and its memory plan, with notes on how it was chosen; {@code tried} and {@code fit} count
     * the layouts a search looked at.
     */
    record Plan(GpuLayout layout, GpuMemoryPlan memory, List<String> notes, int tried, int fit) {
        Plan(GpuLayout layout, GpuMemoryPlan memory, List<String> notes) {
            this(layout, memory, notes, 1, 1);
        }
    }

    /**
     * The layout search of {@code --gpus auto}: see the class comment.
     *
     * @throws ConfigException when no layout of up to the cap holds the model
     */
    static Plan search(ModelSpec m, DecodeWorkload w, GpuParams params, GpuOptions o) {
        int cap = o.maxGpus() == GpuOptions.AUTO ? GpuOptions.DEFAULT_SEARCH_NODES * params.gpusPerNode() : o.maxGpus();
        int tried = 0;
        int fit = 0;
        Plan best = null;
        double bestMs = Double.MAX_VALUE;
        for (int g : candidateCounts(params.gpusPerNode())) {
            if (g > cap) {
                break;
            }
            for (int tp : GpuLayout.validTps(m)) {
                if (g % tp != 0 || g / tp > m.numLayers()) {
                    continue;
                }
                tried++;
                GpuLayout layout = GpuLayout.of(m, tp, g / tp, true);
                GpuMemoryPlan mem = GpuMemoryPlan.of(m, w, layout, o.replicatedLmHead());
                if (!mem.fits(params.hbm())) {
                    continue;
                }
                fit++;
                double ms = estimateMs(m, w, params, o, layout);
                if (ms < bestMs) {
                    bestMs = ms;
                    best = new Plan(layout, mem, List.of());
                }
            }
        }
        if (best == null) {
            throw new ConfigException(m.name() + " " + w.precision().label() + " at batch " + w.batchSize() + ", "
                    + w.finalPositions() + " positions does not fit on up to " + cap + " x " + params.presetName()
                    + " in any of the " + tried + " layouts tried; expected a larger --max-gpus, or a smaller model,"
                    + " batch or context");
        }
        GpuLayout l = best.layout();
        String note = String.format(Locale.ROOT, "layout searched (--gpus auto): %d layouts of up to %d GPUs tried, %d fit;"
                        + " the fastest is %d GPU%s as tp %d x pp %d (%.3f ms/token over the first and last tokens)",
                tried, cap, fit, l.gpus(), l.gpus() == 1 ? "" : "s", l.tp(), l.pp(), bestMs);
        return new Plan(l, best.memory(), List.of(note), tried, fit);
    }

    /** Mean latency of the first and the last token of the run on {@code layout}, ms. */
    private static double estimateMs(ModelSpec m, DecodeWorkload w, GpuParams params, GpuOptions o, GpuLayout layout) {
        GpuCluster cluster = new GpuCluster(params, layout.gpus());
        GpuDecodeMapping mapping = new GpuDecodeMapping(cluster, layout, m, w.precision(), o.computeType(),
                o.replicatedLmHead());
        long first = cluster.run(mapping.program(w.step(m, 0))).endPs();
        long last = cluster.run(mapping.program(w.step(m, w.tokensToGenerate() - 1))).endPs();
        return (first + last) / 2e9;
    }

    private static void checkComputeType(GpuParams params, DataType type) {
        if (type == DataType.FP8 && params.peakFp8FlopsPerSec() == 0) {
            throw new ConfigException("precision fp8 is not allowed on " + params.presetName()
                    + ": it has no FP8 tensor cores (gpu.peakFp8Tflops=0); expected bf16, or a GPU with FP8 "
                    + "(h100-sxm, h200, b200)");
        }
    }

    /**
     * Resolves the layout of {@code o} (choosing the missing counts) and checks that it fits.
     *
     * @throws ConfigException for inconsistent counts, a degree the model cannot take, or a model that does
     *                         not fit (naming the smallest GPU count that holds it)
     */
    static Plan plan(ModelSpec m, DecodeWorkload w, GpuParams params, GpuOptions o) {
        String what = m.name() + " " + w.precision().label() + " at batch " + w.batchSize() + ", "
                + w.finalPositions() + " positions";
        List<String> notes = new ArrayList<>();
        if (o.gpus() == GpuOptions.AUTO && o.tp() == GpuOptions.AUTO && o.pp() == GpuOptions.AUTO) {
            for (int g : candidateCounts(params.gpusPerNode())) {
                GpuLayout layout = candidate(m, g, params.gpusPerNode());
                if (layout == null) {
                    continue;
                }
                GpuMemoryPlan mem = GpuMemoryPlan.of(m, w, layout, o.replicatedLmHead());
                if (mem.fits(params.hbm())) {
                    notes.add(String.format(Locale.ROOT, "layout chosen automatically: %d GPU%s (tp %d, pp %d), the "
                                    + "smallest count (1, 2, 4, ... up to a node, then whole nodes) that holds the model",
                            layout.gpus(), layout.gpus() == 1 ? "" : "s", layout.tp(), layout.pp()));
                    return new Plan(layout, mem, notes);
                }
            }
            throw new ConfigException(what + " does not fit on up to " + GpuOptions.MAX_GPUS + " x "
                    + params.presetName() + " in any layout the simulator tries; expected a smaller model, batch or context");
        }
        int g = o.gpus();
        int tp = o.tp();
        int pp = o.pp();
        if (pp == GpuOptions.AUTO) {
            pp = g != GpuOptions.AUTO && tp != GpuOptions.AUTO ? divide(g, tp, "--tp", "--gpus") : 1;
        }
        if (tp == GpuOptions.AUTO) {
            tp = g != GpuOptions.AUTO ? divide(g, pp, "--pp", "--gpus") : 1;
        }
        if (g == GpuOptions.AUTO) {
            g = tp * pp;
        }
        if (g != tp * pp) {
            throw new ConfigException(String.format(Locale.ROOT,
                    "--gpus=%d is not allowed with --tp=%d and --pp=%d; expected gpus = tp x pp = %d", g, tp, pp, tp * pp));
        }
        GpuLayout layout = GpuLayout.of(m, tp, pp, false);
        GpuMemoryPlan mem = GpuMemoryPlan.of(m, w, layout, o.replicatedLmHead());
        if (!mem.fits(params.hbm())) {
            mem.requireFits(params.hbm(), String.format(Locale.ROOT, "%s on %d x %s (tp %d, pp %d)", what, g,
                    params.presetName(), tp, pp), minimumHint(m, w, params, o.replicatedLmHead()));
        }
        return new Plan(layout, mem, notes);
    }

    private static String minimumHint(ModelSpec m, DecodeWorkload w, GpuParams params, boolean replicatedLmHead) {
        for (int g : candidateCounts(params.gpusPerNode())) {
            GpuLayout layout = candidate(m, g, params.gpusPerNode());
            if (layout != null && GpuMemoryPlan.of(m, w, layout, replicatedLmHead).fits(params.hbm())) {
                return String.format(Locale.ROOT, "the smallest GPU count that holds it is %d (--gpus %d --tp %d --pp %d)",
                        g, g, layout.tp(), layout.pp());
            }
        }
        return "no GPU count up to " + GpuOptions.MAX_GPUS + " holds it";
    }

    /** 1, 2, 4, ... up to a node (and the node itself), then whole nodes, up to {@link GpuOptions#MAX_GPUS}. */
    static List<Integer> candidateCounts(int gpusPerNode) {
        List<Integer> out = new ArrayList<>();
        for (int g = 1; g < gpusPerNode; g *= 2) {
            out.add(g);
        }
        for (int g = gpusPerNode; g <= GpuOptions.MAX_GPUS; g += gpusPerNode) {
            out.add(g);
        }
        return out;
    }

    /** The layout tried for {@code g} GPUs, or null when none suits the model. */
    private static GpuLayout candidate(ModelSpec m, int g, int gpusPerNode) {
        if (GpuLayout.validTp(m, g)) {
            return GpuLayout.of(m, g, 1, true);
        }
        if (g % gpusPerNode == 0 && GpuLayout.validTp(m, gpusPerNode) && g / gpusPerNode <= m.numLayers()) {
            return GpuLayout.of(m, gpusPerNode, g / gpusPerNode, true);
        }
        return null;
    }

    private static int divide(int total, int part, String partOption, String totalOption) {
        if (total % part != 0) {
            throw new ConfigException(String.format(Locale.ROOT, "%s=%d is not allowed with %s=%d; expected a divisor of %d",
                    partOption, part, totalOption, total, total));
        }
        return total / part;
    }

    /** The GPU with the least IDLE time, the lowest index on ties. */
    static int leastIdleGpu(GpuRunResult r) {
        int best = 0;
        for (int g = 1; g < r.gpuCount(); g++) {
            if (r.timePs(g, TimeCategory.IDLE) < r.timePs(best, TimeCategory.IDLE)) {
                best = g;
            }
        }
        return best;
    }
}
