package dev.wafersim.cli.sweep;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.wafer.MappingParams;

/**
 * An a-priori estimate of how long a sweep point takes to simulate, in microseconds of one core, from what
 * drives the simulators' work: the kind of system, the model's layer count, the tokens generated, the batch,
 * the context and the machine options. It is known before anything runs and only balances the shards of a
 * sweep ({@link ShardPartition}); nothing it says enters a result.
 *
 * <p>Its constants are orders of magnitude, not calibrations: they come from single-core timings of points on
 * the 2-core build machine while other builds ran (scatter of about 2x between repeats), quoted at each
 * constant. An estimate off by a factor of two costs the balance at most that point's own time; what matters
 * is that a wafer point is counted as thousands of GPU points and a long run as many short ones.
 */
public final class PointCost {
    /*
     * GPU systems (workloads.gpu.GpuDecodeSimulator). Every generated token is one discrete-event program of
     * the kernels and collectives of every layer on every GPU of a pipeline stage: its size is layers x tp
     * items (pp splits the layers, so it does not add any), and batch and context change the items'
     * durations, not their number. The layout search (gpus=auto) also simulates two tokens of every layout it
     * tries: every count 1, 2, 4, ... up to a node, then whole nodes, up to maxGpus, as tp x pp for every tp
     * dividing the count (an upper bound: the model's heads rule some out); its winner is estimated as tp =
     * one node. A count left to the smallest-fit rule is estimated as one GPU.
     *
     *   gpu = GPU_POINT + tokens x layers x (GPU_LAYER_STEP + GPU_LAYER_STEP_PER_TP x (tp - 1))
     *
     * Wafer systems (workloads.wafer.WaferDecodeSimulator). Default mode simulates each distinct layer
     * cycle-level on its region once per attention length (mapping.contextBucketTokens apart) and
     * interpolates; a region's size is set by the wafer, not by the model, so the model size hardly enters.
     * The wavelet traffic of a layer grows with the batch (vectors B times longer, partly overlapped) and with
     * the attention stream (the KV tokens each PE column holds, which grow with the context):
     *
     *   wafer = WAFER_POINT x batch^WAFER_BATCH_EXPONENT x (1 + (context + tokens) / WAFER_CONTEXT_TOKENS)
     *           x (1 + tokens / contextBucketTokens)
     *
     * --exact simulates every layer of every token: tokens x layers layer episodes, each about
     * 1 / WAFER_EPISODES_PER_RUN of a default run (which simulates that many distinct episodes).
     *
     * A point with a prompt (workload.promptTokens) also times its first token on the step model. On a GPU the
     * prefill is ceil(prompt / chunk) passes, each one program like a decode token's:
     *
     *   gpu prefill = ceil(prompt / chunk) x layers x (GPU_LAYER_STEP + GPU_LAYER_STEP_PER_TP x (tp - 1))
     *
     * On a wafer it is the fabric episodes of the prompt's contexts (mapping.stepContextBucketTokens, then spacings mapping.stepContextGrowth times wider),
     * each longer as the attention grows:
     *
     *   wafer prefill = WAFER_PREFILL x (1 + prompt / WAFER_PREFILL_TOKENS)
     */

    /** Fixed cost of a GPU point (presets, layout, memory plan), us. Measured: 1B, 2 tokens, 1 GPU: about 5 ms. */
    static final double GPU_POINT_US = 2_000;
    /**
     * One layer of one token on one GPU, us. Measured: Llama-3.1-8B (32 layers), 128 tokens, 1 GPU: 65 to 100 ms,
     * i.e. 16 to 25 us per layer-token.
     */
    static final double GPU_LAYER_STEP_US = 15;
    /**
     * Each further GPU of a tensor-parallel group, per layer-token, us. Measured: the same on 8 GPUs (tp 8):
     * 143 to 326 ms, i.e. 35 to 80 us per layer-token.
     */
    static final double GPU_LAYER_STEP_PER_TP_US = 4;
    /**
     * A default-mode wafer point at batch 1 and a short context, us. Measured on wse3: Llama-3.2-1B, context
     * 512, 2 tokens: 3.5 to 4.8 s; Llama-3.1-8B, context 512: 4.1 s.
     */
    static final double WAFER_POINT_US = 3_000_000;
    /** Context at which the attention doubles a wafer point's cost, tokens. Measured: 8B at 4,096: 10.3 s (512: 4.1 s). */
    static final double WAFER_CONTEXT_TOKENS = 2_000;
    /** Growth of a wafer point's cost with the batch. Measured on 1B, context 512: batch 4: 8.8 s; batch 16: 37 s. */
    static final double WAFER_BATCH_EXPONENT = 0.8;
    /**
     * Distinct layer episodes of a default-mode run, for the cost of one episode in exact mode. Measured
     * ({@code scripts/wafersim bench decode}): 8B, 128 tokens, default 7.6 s; one exact token 60 s = 32
     * episodes of about 1.9 s.
     */
    static final double WAFER_EPISODES_PER_RUN = 4;

    /**
     * A wafer prompt's time to first token, short prompt, us. Measured (TTFT sweep of Llama-3.1-8B on wse3 in
     * the README, other builds running): 1,024 tokens about 50 s; 32,768 about 2 to 3 min; 131,071 about 6 min.
     */
    static final double WAFER_PREFILL_US = 60_000_000;
    /** Prompt at which a wafer prefill's cost doubles, tokens (same measurements). */
    static final double WAFER_PREFILL_TOKENS = 32_768;

    private PointCost() {
    }

    /** The estimated simulation time of {@code e}, us (at least 1). */
    public static long micros(Experiment e) {
        boolean gpu = e.entry().kind() == SystemKind.GPU;
        double us = gpu ? gpu(e) : wafer(e);
        Long prompt = e.promptTokens();
        if (prompt != null) {
            us += gpu ? Math.ceil((double) prompt / Math.max(1, e.prefillChunkTokens(prompt))) * e.model().numLayers()
                    * step(tp(e)) : WAFER_PREFILL_US * (1 + prompt / WAFER_PREFILL_TOKENS);
        }
        return Math.max(1, Math.round(us));
    }

    /** The tensor-parallel degree a GPU point's run is estimated at (as in {@link #gpu}). */
    private static int tp(Experiment e) {
        GpuOptions o = e.options() instanceof GpuOptions g ? g : GpuOptions.auto();
        if (o.search()) {
            int node = Math.max(1, e.params().getInt("gpu.gpusPerNode"));
            return Math.min(node, o.maxGpus() == GpuOptions.AUTO ? GpuOptions.DEFAULT_SEARCH_NODES * node : o.maxGpus());
        }
        if (o.tp() != GpuOptions.AUTO) {
            return o.tp();
        }
        if (o.gpus() != GpuOptions.AUTO) {
            return o.pp() != GpuOptions.AUTO ? Math.max(1, o.gpus() / o.pp()) : o.gpus();
        }
        return 1;
    }

    private static double gpu(Experiment e) {
        GpuOptions o = e.options() instanceof GpuOptions g ? g : GpuOptions.auto();
        int layers = e.model().numLayers();
        long tokens = e.workload().tokensToGenerate();
        double search = 0;
        if (o.search()) {
            int node = Math.max(1, e.params().getInt("gpu.gpusPerNode"));
            int max = o.maxGpus() == GpuOptions.AUTO ? GpuOptions.DEFAULT_SEARCH_NODES * node : o.maxGpus();
            for (int g : searchCounts(node, max)) {
                for (int t = 1; t <= g; t++) {
                    if (g % t == 0) {
                        search += 2.0 * layers * step(t);
                    }
                }
            }
        }
        return GPU_POINT_US + search + (double) tokens * layers * step(tp(e));
    }

    /** Per layer-token cost on a tensor-parallel group of {@code tp} GPUs, us. */
    private static double step(int tp) {
        return GPU_LAYER_STEP_US + GPU_LAYER_STEP_PER_TP_US * (tp - 1);
    }

    /** The GPU counts the layout search tries: 1, 2, 4, ... below a node, then whole nodes, up to {@code max}. */
    static int[] searchCounts(int node, int max) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int g = 1; g < node && g <= max; g *= 2) {
            out.add(g);
        }
        for (long g = node; g <= max; g += node) {
            out.add((int) g);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double wafer(Experiment e) {
        long tokens = e.workload().tokensToGenerate();
        double batch = StrictMath.pow(e.workload().batchSize(), WAFER_BATCH_EXPONENT);
        double attention = 1 + (e.workload().contextTokens() + tokens) / WAFER_CONTEXT_TOKENS;
        double run = WAFER_POINT_US * batch * attention;
        boolean exact = e.options() instanceof WaferOptions w && w.exact();
        if (exact) {
            return run / WAFER_EPISODES_PER_RUN * tokens * e.model().numLayers();
        }
        long bucket = Math.max(1, e.params().getLong(MappingParams.BUCKET));
        return run * (1 + (double) tokens / bucket);
    }
}
