package dev.wafersim.cli;

import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.core.config.ConfigException;
import picocli.CommandLine.Option;

/**
 * The model and workload options that run, compare and sweep share (a picocli mixin). Every field is
 * null when the option is absent, so an experiment file or the defaults can fill it in; the defaults
 * are in {@link ExperimentSpec#defaults()}.
 */
public final class WorkloadOptions {
    @Option(names = "--model", paramLabel = "M",
            description = "Model preset (e.g. llama-3.1-8b, llama-3.1-70b, mixtral-8x7b; wafersim list models).")
    String model;

    @Option(names = "--model-file", paramLabel = "PATH", description = "A Hugging Face config.json instead of a preset.")
    String modelFile;

    @Option(names = "--gpus", paramLabel = "G|auto",
            description = "GPUs (GPU systems). auto searches every tensor x pipeline layout of up to --max-gpus GPUs"
                    + " that fits and takes the fastest. Default in run: the smallest count (1, 2, 4, ..., a node, then"
                    + " whole nodes) that holds the model; in compare: auto.")
    String gpus;

    @Option(names = "--max-gpus", paramLabel = "N",
            description = "Most GPUs the --gpus auto search tries (default: 4 nodes).")
    String maxGpus;

    @Option(names = "--stack", paramLabel = "S",
            description = "GPU software stack: eager, cuda-graphs, compiled or trtllm (default: trtllm; wafersim describe"
                    + " h100-sxm lists what each sets).")
    String stack;

    @Option(names = "--tp", paramLabel = "T", description = "Tensor-parallel degree (GPU systems). Default: gpus / pp.")
    String tp;

    @Option(names = "--pp", paramLabel = "P", description = "Pipeline-parallel stages (GPU systems). Default: 1.")
    String pp;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences decoded together (default: 1).")
    String batch;

    @Option(names = "--context", paramLabel = "L", description = "Tokens per sequence already in the KV cache (default: 4096).")
    String context;

    @Option(names = "--tokens", paramLabel = "N", description = "Tokens to generate per sequence (default: 128).")
    String tokens;

    @Option(names = "--precision", paramLabel = "P",
            description = "Weights: bf16, fp8, int8 or int4 (int4:g64 sets the scale group; fp8 also computes in FP8"
                    + " where the GPU has it; int8/int4 are weight-only, widened to 16 bits before the multiply) (default: bf16).")
    String precision;

    @Option(names = "--cuda-graphs", paramLabel = "on|off",
            description = "Replay each GPU's step as one CUDA graph (GPU systems; sets kernel.cudaGraphs). Default: the preset's value (on).")
    String cudaGraphs;

    @Option(names = "--wafers", paramLabel = "N", description = "Wafers (wafer systems). Default: chosen by the simulator.")
    String wafers;

    @Option(names = "--exact", description = "Simulate the wafer exactly (wafer systems).")
    Boolean exact;

    /** The options given on the command line, as a layer over the defaults and the experiment file. */
    ExperimentSpec layer() {
        if (model != null && modelFile != null) {
            throw new ConfigException("give exactly one of --model (a preset) or --model-file (a Hugging Face config.json)");
        }
        ExperimentSpec s = ExperimentSpec.empty();
        s = put(s, ExperimentKey.MODEL, model);
        s = put(s, ExperimentKey.MODEL_FILE, modelFile);
        s = put(s, ExperimentKey.GPUS, gpus);
        s = put(s, ExperimentKey.TP, tp);
        s = put(s, ExperimentKey.PP, pp);
        s = put(s, ExperimentKey.BATCH, batch);
        s = put(s, ExperimentKey.CONTEXT, context);
        s = put(s, ExperimentKey.TOKENS, tokens);
        s = put(s, ExperimentKey.PRECISION, precision);
        s = put(s, ExperimentKey.CUDA_GRAPHS, cudaGraphs);
        s = put(s, ExperimentKey.STACK, stack);
        s = put(s, ExperimentKey.MAX_GPUS, maxGpus);
        s = put(s, ExperimentKey.WAFERS, wafers);
        if (exact != null) {
            s = s.with(ExperimentKey.EXACT, exact, "", ExperimentKey.EXACT.option());
        }
        return s;
    }

    private static ExperimentSpec put(ExperimentSpec s, ExperimentKey k, String v) {
        return v == null ? s : s.with(k, v, "", k.option());
    }
}
