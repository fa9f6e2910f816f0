package dev.wafersim.cli.experiment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.HfConfigReader;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.MachineOptions;
import dev.wafersim.workloads.run.ResultFile;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.TimeToFirstToken;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated experiment, ready to run: the system, its effective parameters, the model, the workload
 * and the machine options.
 *
 * <p>{@link #hash()} is the identity of the experiment: SHA-256 over the system, the effective
 * parameters ({@link ParamSet#hash()}), the whole model spec, the workload and the machine options. Two
 * experiments with the same hash run the same simulation, however they were written (command line,
 * file, sweep). {@code DecodeResult}'s {@code configHash} covers the hardware parameters only; result
 * files carry both.
 *
 * @param entry     the system
 * @param params    the effective parameters (preset plus overrides)
 * @param model     the model
 * @param modelName the model preset as given, or null when the model came from a file
 * @param modelFile the config.json path, or null for a preset
 * @param workload  batch, context, tokens, precision
 * @param options   machine options of the system's kind
 * @param overrides the parameters set away from the preset, key to effective value, in order
 * @param notes     options that were given but do not apply to this system (dropped), and warnings
 *                  (positions beyond the model's maximum, allowed by {@code --beyond-max-positions})
 * @param modelReport what reading the model's config.json gave (keys read and ignored); null for a preset
 * @param beyondMaxPositions true when positions beyond the model's maximum were allowed
 * @param promptTokens the prompt whose time to first token is also reported ({@code workload.promptTokens}),
 *                  or null for none
 */
public record Experiment(SystemCatalog.Entry entry, ParamSet params, ModelSpec model, String modelName,
                         String modelFile, DecodeWorkload workload, MachineOptions options,
                         Map<String, Object> overrides, List<String> notes, HfConfigReader.Report modelReport,
                         boolean beyondMaxPositions, Long promptTokens) {
    /** The parameter that sets the prompt tokens per prefill pass, on systems that have it. */
    public static final String CHUNK_KEY = "serving.prefillChunkTokens";

    public Experiment {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(options, "options");
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        notes = List.copyOf(notes);
    }

    /** The request for the system's simulator. */
    public DecodeRequest request() {
        return new DecodeRequest(entry.name(), params, model, workload, options);
    }

    /** Runs the experiment on the system's simulator. */
    public DecodeResult run() {
        return entry.simulate(request());
    }

    /** Runs the experiment, reporting to {@code progress} as it goes. */
    public DecodeResult run(dev.wafersim.workloads.run.Progress progress) {
        return entry.simulate(request(), progress);
    }

    /** Runs the experiment, reporting to {@code progress} and writing the first {@code tokens} steps to {@code trace}. */
    public DecodeResult run(dev.wafersim.workloads.run.Progress progress, dev.wafersim.core.trace.TraceSink trace,
                            int tokens) {
        return entry.simulate(request(), progress, trace, tokens);
    }

    /**
     * The step model of the machine for one prompt of {@code prompt} tokens and its first output token, on an
     * otherwise idle machine. Call it before a long run: a system without a step model, or a prompt that does not
     * fit, is refused here.
     *
     * @throws ConfigException when {@code prompt < 1}, the system has no step model or the prompt does not fit
     */
    public StepModel ttftStepModel(long prompt) {
        if (prompt < 1) {
            throw new ConfigException("--prompt-tokens=" + prompt + " is not allowed; expected an integer >= 1");
        }
        StepModelRequest r = new StepModelRequest(entry.name(), params, model, workload.precision(),
                workload.routing(), options, 1, prompt + 1);
        return entry.stepModel(r);
    }

    /** The parameter that sets the prompt tokens per prefill pass on wafer systems. */
    public static final String WAFER_CHUNK_KEY = dev.wafersim.workloads.wafer.MappingParams.PREFILL_CHUNK;

    /**
     * Prompt tokens per prefill pass: the system's {@value #CHUNK_KEY} (GPU systems: their software stack's) or
     * {@code mapping.prefillChunkTokens} (wafer systems), or the whole prompt.
     */
    public int prefillChunkTokens(long prompt) {
        if (params.schema().has(CHUNK_KEY)) {
            return params.getInt(CHUNK_KEY);
        }
        if (params.schema().has(WAFER_CHUNK_KEY)) {
            return params.getInt(WAFER_CHUNK_KEY);
        }
        return (int) Math.min(prompt, Integer.MAX_VALUE);
    }

    /** The time to first token of {@code prompt} tokens on {@code model} (from {@link #ttftStepModel}). */
    public TimeToFirstToken timeToFirstToken(StepModel model, long prompt) {
        return TimeToFirstToken.of(model, prompt, prefillChunkTokens(prompt));
    }

    /** The time to first token of {@link #promptTokens()}; null when the experiment has none. */
    public TimeToFirstToken timeToFirstToken() {
        return promptTokens == null ? null : timeToFirstToken(ttftStepModel(promptTokens), promptTokens);
    }

    /** SHA-256 (hex) of everything that determines the simulation; see the class comment. */
    public String hash() {
        String text = "system=" + entry.name() + "\n"
                + "params=" + params.hash() + "\n"
                + "model=" + model + "\n"
                + "workload=" + workload + "\n"
                + "options=" + options + "\n"
                + (promptTokens == null ? "" : "prompt=" + promptTokens + "\n");
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The experiment as written into result files, in the experiment-file format (so a result file can
     * be given back to {@code --config} to run the same experiment): {@code system}, {@code model} or
     * {@code modelFile}, {@code workload} (batch, context, tokens, precision and the machine options of the
     * system's kind, {@code auto} where the simulator chooses; {@code gpus} is {@code auto} for the layout
     * search and left out when the smallest-fit rule chooses it; {@code stack} for GPU systems) and {@code set}
     * (the parameters set away from the preset).
     */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("system", entry.name());
        if (modelName != null) {
            o.put("model", modelName);
        } else {
            o.put("modelFile", modelFile);
        }
        ObjectNode w = o.putObject("workload");
        w.put("batch", workload.batchSize());
        w.put("context", workload.contextTokens());
        w.put("tokens", workload.tokensToGenerate());
        w.put("precision", precisionWord());
        if (promptTokens != null) {
            w.put("promptTokens", promptTokens);
        }
        if (beyondMaxPositions) {
            w.put("beyondMaxPositions", true);
        }
        if (options instanceof GpuOptions g) {
            // gpus=auto is the layout search; a count the simulator chooses by its smallest-fit rule is left out.
            if (g.search()) {
                w.put("gpus", "auto");
                if (g.maxGpus() != GpuOptions.AUTO) {
                    w.put("maxGpus", g.maxGpus());
                }
            } else if (g.gpus() != GpuOptions.AUTO) {
                w.put("gpus", g.gpus());
            }
            count(w, "tp", g.tp());
            count(w, "pp", g.pp());
            if (params.schema().has(dev.wafersim.fabric.gpu.GpuStacks.NAME_KEY)) {
                w.put("stack", params.getString(dev.wafersim.fabric.gpu.GpuStacks.NAME_KEY));
            }
        } else if (options instanceof WaferOptions wo) {
            count(w, "wafers", wo.wafers());
            w.put("exact", wo.exact());
        }
        // Override values are parameter values (Integer, Long, Double, Boolean, String): Jackson maps them.
        o.set("set", dev.wafersim.cli.io.Json.tree(overrides));
        return o;
    }

    /**
     * The precision as {@code --precision} takes it: the weights part of {@link Precision#label()}
     * ({@code bf16}, {@code fp8}, {@code int4:g128:block}), which parses back to the same precision (the KV
     * cache is bf16 here). Written whole so a rerun from a result file runs int8 or int4 as int8 or int4.
     */
    String precisionWord() {
        String label = workload.precision().label();
        int kv = label.indexOf("/kv=");
        return kv < 0 ? label : label.substring(0, kv);
    }

    private static void count(ObjectNode w, String key, int v) {
        if (v == 0) {
            w.put(key, "auto");
        } else {
            w.put(key, v);
        }
    }

    /**
     * The result file of {@code r}: the result's keys plus {@code experiment} ({@link #toJson()}) and
     * {@code experimentHash} ({@link #hash()}).
     */
    public ResultFile resultFile(DecodeResult r, String wafersimVersion) {
        return new ResultFile(wafersimVersion, r, null, toJson(), hash(), null);
    }
}
