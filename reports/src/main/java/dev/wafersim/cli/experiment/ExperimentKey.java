package dev.wafersim.cli.experiment;

import dev.wafersim.workloads.run.SystemKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys of an experiment other than the system parameters: what runs (system, model) and the
 * workload with its machine options. Each has a dotted key (as in experiment files and {@code --set}),
 * a short name (the key inside the file's {@code workload:} section, and in compare's system specs) and
 * the command-line option that sets it.
 */
public enum ExperimentKey {
    SYSTEM("system", "system", "--system", null, "a system name (wafersim list systems)"),
    MODEL("model", "model", "--model", null, "a model preset (wafersim list models) or the path of a config.json"),
    MODEL_FILE("modelFile", "modelFile", "--model-file", null, "the path of a Hugging Face config.json"),
    BATCH("workload.batch", "batch", "--batch", null, "sequences decoded together"),
    CONTEXT("workload.context", "context", "--context", null, "tokens per sequence in the KV cache"),
    TOKENS("workload.tokens", "tokens", "--tokens", null, "tokens generated per sequence"),
    PROMPT_TOKENS("workload.promptTokens", "promptTokens", "--prompt-tokens", null,
            "prompt tokens whose time to first token (prefill on the idle machine, then the first decode step) is also"
                    + " reported"),
    PRECISION("workload.precision", "precision", "--precision", null, "weights bf16, fp8, int8 or int4 (int4:g64 sets the group size)"),
    GPUS("workload.gpus", "gpus", "--gpus", SystemKind.GPU, "GPUs, or auto"),
    TP("workload.tp", "tp", "--tp", SystemKind.GPU, "tensor-parallel degree, or auto"),
    PP("workload.pp", "pp", "--pp", SystemKind.GPU, "pipeline-parallel stages, or auto"),
    CUDA_GRAPHS("workload.cudaGraphs", "cudaGraphs", "--cuda-graphs", SystemKind.GPU, "on or off"),
    STACK("workload.stack", "stack", "--stack", SystemKind.GPU, "a GPU software stack: eager, cuda-graphs, compiled or trtllm"),
    MAX_GPUS("workload.maxGpus", "maxGpus", "--max-gpus", SystemKind.GPU, "most GPUs the --gpus auto search tries"),
    WAFERS("workload.wafers", "wafers", "--wafers", SystemKind.WAFER, "wafers, or auto"),
    EXACT("workload.exact", "exact", "--exact", SystemKind.WAFER, "true or false"),
    BEYOND_MAX_POSITIONS("workload.beyondMaxPositions", "beyondMaxPositions", "--beyond-max-positions", null,
            "true or false: simulate context + tokens beyond the model's max_position_embeddings (with a warning)");

    private final String key;
    private final String shortName;
    private final String option;
    private final SystemKind kind;
    private final String meaning;

    ExperimentKey(String key, String shortName, String option, SystemKind kind, String meaning) {
        this.key = key;
        this.shortName = shortName;
        this.option = option;
        this.kind = kind;
        this.meaning = meaning;
    }

    /** The dotted key, e.g. {@code workload.batch}. */
    public String key() {
        return key;
    }

    /** The name inside {@code workload:} and in system specs, e.g. {@code batch}. */
    public String shortName() {
        return shortName;
    }

    /** The command-line option, e.g. {@code --batch}. */
    public String option() {
        return option;
    }

    /** The kind of machine the key applies to; null when it applies to every system. */
    public SystemKind kind() {
        return kind;
    }

    /** One phrase saying what the key holds. */
    public String meaning() {
        return meaning;
    }

    /** True for the keys under {@code workload:}. */
    public boolean isWorkload() {
        return key.startsWith("workload.");
    }

    /**
     * The key named {@code name}: its dotted key, or its short name (so {@code gpus} is
     * {@code workload.gpus}); null when {@code name} is not an experiment key (then it is a system
     * parameter).
     */
    public static ExperimentKey find(String name) {
        for (ExperimentKey k : values()) {
            if (k.key.equals(name) || k.shortName.equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** The short names of the workload keys, in order. */
    public static List<String> workloadNames() {
        List<String> out = new ArrayList<>();
        for (ExperimentKey k : values()) {
            if (k.isWorkload()) {
                out.add(k.shortName);
            }
        }
        return out;
    }

    /** Every dotted key, in order. */
    public static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (ExperimentKey k : values()) {
            out.add(k.key);
        }
        return out;
    }
}
