package dev.wafersim.cli;

import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.HfConfigReader;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.MachineOptions;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.run.WaferOptions;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim run}: simulates decode of one model on one system and prints the per-token latency,
 * its breakdown and the memory use; {@code --json} also writes the result file.
 *
 * <p>Every system goes through {@link SystemCatalog}: the command loads the system's preset, applies
 * {@code --set} (and {@code --cuda-graphs}, which is the GPU parameter {@code kernel.cudaGraphs}), builds
 * the {@link DecodeRequest} with the options of the system's kind and runs the catalog's simulator.
 * Options of the other kind of machine are rejected (exit 2).
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Simulate decode (token generation) of a model on a system: a GPU cluster (a100-80gb, h100-sxm,",
            "h200, b200) or a wafer (wse2, wse3). Prints the per-token latency (mean, p50, p99), tokens/s",
            "per user, where the time goes and the memory used; --json also writes the result.",
            "",
            "Exit codes: 0 ok, 2 bad input (unknown system, model or key; a model that does not fit),",
            "3 the simulation failed."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM", required = true,
            description = "System to simulate: a GPU preset (a100-80gb, h100-sxm, h200, b200) or a wafer (wse2, wse3).")
    String system;

    @Option(names = "--model", paramLabel = "M",
            description = "Model preset (e.g. llama-3.1-8b, llama-3.1-70b, mixtral-8x7b).")
    String model;

    @Option(names = "--model-file", paramLabel = "PATH", description = "A Hugging Face config.json instead of a preset.")
    String modelFile;

    @Option(names = "--gpus", paramLabel = "G",
            description = "GPUs (GPU systems). Default: the smallest count (1, 2, 4, ..., a node, then whole nodes) that holds the model.")
    Integer gpus;

    @Option(names = "--tp", paramLabel = "T", description = "Tensor-parallel degree (GPU systems). Default: gpus / pp.")
    Integer tp;

    @Option(names = "--pp", paramLabel = "P", description = "Pipeline-parallel stages (GPU systems). Default: 1.")
    Integer pp;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences decoded together (default: ${DEFAULT-VALUE}).")
    int batch = 1;

    @Option(names = "--context", paramLabel = "L",
            description = "Tokens per sequence already in the KV cache (default: ${DEFAULT-VALUE}).")
    long context = 4096;

    @Option(names = "--tokens", paramLabel = "N", description = "Tokens to generate per sequence (default: ${DEFAULT-VALUE}).")
    int tokens = 128;

    @Option(names = "--precision", paramLabel = "P",
            description = "Weights: bf16 or fp8 (fp8 also computes in FP8 where the GPU has it) (default: ${DEFAULT-VALUE}).")
    String precision = "bf16";

    @Option(names = "--cuda-graphs", paramLabel = "on|off",
            description = "Replay each GPU's step as one CUDA graph (GPU systems; sets kernel.cudaGraphs). Default: on (the presets' value).")
    String cudaGraphs;

    @Option(names = "--wafers", paramLabel = "N", description = "Wafers (wafer systems). Default: chosen by the simulator.")
    Integer wafers;

    @Option(names = "--exact", description = "Simulate the wafer exactly (wafer systems).")
    boolean exact;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a parameter of the system's preset; repeatable, applied in order.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
    Path json;

    @Override
    public Integer call() {
        SystemCatalog.Entry entry = SystemCatalog.get(system);
        ModelSpec spec = model();
        DecodeWorkload workload = workload();
        MachineOptions options = options(entry.kind());
        ParamSet params = params(entry);
        DecodeResult result = entry.simulate(new DecodeRequest(entry.name(), params, spec, workload, options));
        PrintWriter out = this.spec.commandLine().getOut();
        out.print(RunSummary.text(result));
        out.flush();
        if (json != null) {
            Json.write(json, result.toJson(WafersimCommand.version()));
        }
        return Main.EXIT_OK;
    }

    private ModelSpec model() {
        if ((model == null) == (modelFile == null)) {
            throw new ConfigException("give exactly one of --model (a preset: " + String.join(", ", ModelCatalog.names())
                    + ") or --model-file (a Hugging Face config.json)");
        }
        if (model != null) {
            return ModelCatalog.resolve(model);
        }
        Path path;
        try {
            path = Path.of(modelFile);
        } catch (InvalidPathException e) {
            throw new ConfigException("--model-file=" + modelFile + " is not a valid path; expected a config.json file");
        }
        try {
            return HfConfigReader.read(path);
        } catch (ConfigException e) {
            throw new ConfigException("--model-file: " + e.getMessage(), e);
        }
    }

    private DecodeWorkload workload() {
        if (batch < 1 || batch > DecodeWorkload.MAX_BATCH) {
            throw new ConfigException("--batch=" + batch + " is not allowed; expected an integer in [1, "
                    + DecodeWorkload.MAX_BATCH + "]");
        }
        if (context < 1 || context > DecodeWorkload.MAX_CONTEXT) {
            throw new ConfigException("--context=" + context + " is not allowed; expected an integer in [1, "
                    + DecodeWorkload.MAX_CONTEXT + "] (tokens)");
        }
        if (tokens < 1 || tokens > MAX_TOKENS) {
            throw new ConfigException("--tokens=" + tokens + " is not allowed; expected an integer in [1, " + MAX_TOKENS + "]");
        }
        if (!precision.equals("bf16") && !precision.equals("fp8")) {
            throw new ConfigException("--precision=" + precision + " is not allowed; expected bf16 or fp8");
        }
        return new DecodeWorkload(batch, context, tokens, Precision.parse(precision, "bf16"),
                ExpertRouting.UNIFORM_EXPECTED);
    }

    /** Largest accepted --tokens: every token is a simulated step. */
    static final int MAX_TOKENS = 1 << 20;

    private MachineOptions options(SystemKind kind) {
        if (kind == SystemKind.GPU) {
            if (wafers != null || exact) {
                throw new ConfigException((wafers != null ? "--wafers" : "--exact") + " applies to wafer systems; "
                        + system + " is a GPU system");
            }
            DataType compute = precision.equals("fp8") ? DataType.FP8 : DataType.BF16;
            return new GpuOptions(count("--gpus", gpus), count("--tp", tp), count("--pp", pp), compute, false);
        }
        String gpuOption = gpus != null ? "--gpus" : tp != null ? "--tp" : pp != null ? "--pp"
                : cudaGraphs != null ? "--cuda-graphs" : null;
        if (gpuOption != null) {
            throw new ConfigException(gpuOption + " applies to GPU systems; " + system + " is a wafer system");
        }
        return new WaferOptions(wafers == null ? WaferOptions.AUTO : positive("--wafers", wafers, WaferOptions.MAX_WAFERS),
                exact);
    }

    private static int count(String option, Integer v) {
        return v == null ? GpuOptions.AUTO : positive(option, v, GpuOptions.MAX_GPUS);
    }

    private static int positive(String option, int v, int max) {
        if (v < 1 || v > max) {
            throw new ConfigException(option + "=" + v + " is not allowed; expected an integer in [1, " + max + "]");
        }
        return v;
    }

    private ParamSet params(SystemCatalog.Entry entry) {
        ParamSet p = entry.load();
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set " + s + " is not allowed; expected KEY=VALUE, e.g. --set hbm.reservedGB=2");
            }
            p = p.with(s.substring(0, eq).trim(), s.substring(eq + 1).trim(), "--set");
        }
        if (cudaGraphs != null) {
            if (!cudaGraphs.equals("on") && !cudaGraphs.equals("off")) {
                throw new ConfigException("--cuda-graphs=" + cudaGraphs + " is not allowed; expected on or off");
            }
            p = p.with("kernel.cudaGraphs", cudaGraphs.equals("on") ? "true" : "false", "--cuda-graphs");
        }
        return p;
    }
}
