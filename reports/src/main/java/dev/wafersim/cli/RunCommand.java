package dev.wafersim.cli;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.LatencyCdfChart;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.io.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.TimeToFirstToken;
import java.util.Locale;
import dev.wafersim.workloads.run.SystemCatalog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim run}: simulates decode of one model on one system and prints the per-token latency,
 * its breakdown and the memory use; {@code --json} also writes the result file, {@code --cdf} the
 * latency distribution chart.
 *
 * <p>Every system goes through {@link SystemCatalog}. The experiment is layered: defaults, then the
 * {@code --config} file, then the options, then {@code --set} (see {@link Experiments}); options of the
 * other kind of machine are rejected (exit 2). Output files are written only after the run succeeded.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Simulate decode of a model on one system.",
            "",
            "The system is a GPU cluster (a100-80gb, h100-sxm, h200, b200) or a wafer (wse2, wse3). Prints the",
            "per-token latency (mean, p50, p99), tokens/s per user, where the time goes and the memory used;",
            "--json also writes the result, --cdf draws the latency distribution.",
            "",
            "Precedence: --set beats the other options, which beat the --config file, which beats the presets.",
            "",
            "Exit codes: 0 ok, 2 bad input (unknown system, model or key; a model that does not fit),",
            "3 the simulation failed."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM",
            description = "System to simulate: a GPU preset (a100-80gb, h100-sxm, h200, b200) or a wafer (wse2, wse3).")
    String system;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Experiment file (YAML or JSON): system, model or modelFile, workload, set. A result JSON works too.")
    Path config;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a system parameter (e.g. hbm.reservedGB=2) or an experiment key (workload.batch=8); repeatable, applied in order, last.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
    Path json;

    @Option(names = "--cdf", paramLabel = "FILE.png",
            description = "Also draw the per-token latency distribution (CDF) to FILE (PNG; .svg also writes an SVG).")
    Path cdf;

    @Option(names = "--svg", description = "Write every chart as SVG too.")
    boolean svg;

    @Option(names = "--heatmap", paramLabel = "FILE.png",
            description = "Wafer systems: also draw the fabric link utilization over one layer's region during the"
                    + " first decode step (the busiest outgoing link of each PE's router).")
    Path heatmap;

    @Option(names = "--heatmap-layer", paramLabel = "L", description = "Layer of the heatmap (default: ${DEFAULT-VALUE}).")
    int heatmapLayer = 0;

    @Option(names = "--prompt-tokens", paramLabel = "N",
            description = "Also report the time to first token of an N-token prompt on the idle machine: its prefill in"
                    + " chunks of serving.prefillChunkTokens, the last chunk giving the first token (GPU systems).")
    Long promptTokens;

    @Override
    public Integer call() {
        ExperimentFile.Contents contents = Experiments.read(config, Set.of());
        Experiment experiment = Experiments.spec(contents, system, workload, sets).resolve(true);
        if (heatmap != null && experiment.entry().kind() != dev.wafersim.workloads.run.SystemKind.WAFER) {
            throw new dev.wafersim.core.config.ConfigException("--heatmap applies to wafer systems; "
                    + experiment.entry().name() + " is a " + experiment.entry().kind().word() + " system");
        }
        StepModel stepModel = promptTokens == null ? null : stepModel(experiment, promptTokens);
        ProgressLine progress = ProgressLine.onTerminal(spec.commandLine().getErr(), "simulating "
                + experiment.entry().name());
        DecodeResult result;
        try {
            result = experiment.run(progress);
        } finally {
            progress.done();
        }
        TimeToFirstToken ttft = stepModel == null ? null
                : TimeToFirstToken.of(stepModel, promptTokens, chunkTokens(experiment, promptTokens));
        PrintWriter out = spec.commandLine().getOut();
        out.print(RunSummary.text(result));
        if (ttft != null) {
            out.print(ttftLine(ttft, result.kind()));
        }
        out.flush();
        if (json != null) {
            ObjectNode o = experiment.resultJson(result, WafersimCommand.version());
            if (ttft != null) {
                putTtft(o, ttft, result.kind());
            }
            Json.write(json, o);
        }
        if (cdf != null) {
            ChartFiles.save(LatencyCdfChart.of(List.of(LatencyCdfChart.Series.of(result))), cdf, svg);
        }
        if (heatmap != null) {
            dev.wafersim.workloads.wafer.WaferDecodeSimulator.LinkUtilization lu =
                    dev.wafersim.workloads.wafer.WaferDecodeSimulator.INSTANCE.linkUtilization(experiment.request(),
                            heatmapLayer);
            dev.wafersim.cli.chart.LinkUtilizationGrid grid = new dev.wafersim.cli.chart.LinkUtilizationGrid(
                    lu.title(), lu.width(), lu.height(), lu.utilization());
            int[] size = dev.wafersim.cli.chart.HeatmapChart.preferredSize(grid);
            ChartFiles.save(dev.wafersim.cli.chart.HeatmapChart.of(grid), heatmap, svg, size[0], size[1]);
        }
        return Main.EXIT_OK;
    }

    /** The parameter that sets the prompt tokens per prefill pass. */
    static final String CHUNK_KEY = "serving.prefillChunkTokens";

    /**
     * The step model of the experiment's machine for one prompt of {@code prompt} tokens. A system without a
     * step model (the wafers, for now) refuses here, in {@code SystemCatalog.Entry.stepModel}, before anything
     * runs.
     */
    private static StepModel stepModel(Experiment e, long prompt) {
        if (prompt < 1) {
            throw new ConfigException("--prompt-tokens=" + prompt + " is not allowed; expected an integer >= 1");
        }
        StepModelRequest r = new StepModelRequest(e.entry().name(), e.params(), e.model(), e.workload().precision(),
                e.workload().routing(), e.options(), 1, prompt + 1);
        return e.entry().stepModel(r);
    }

    /** Prompt tokens per prefill pass: the system's {@code serving.prefillChunkTokens}, or the whole prompt. */
    private static int chunkTokens(Experiment e, long prompt) {
        return e.params().schema().has(CHUNK_KEY) ? e.params().getInt(CHUNK_KEY) : (int) Math.min(prompt, Integer.MAX_VALUE);
    }

    /** The text line of the time to first token and where it goes. */
    static String ttftLine(TimeToFirstToken t, SystemKind kind) {
        StringBuilder parts = new StringBuilder();
        for (LatencyCategory c : LatencyCategory.values()) {
            long ps = t.breakdownPs(c);
            if (c.appliesTo(kind) && ps > 0) {
                parts.append(parts.length() == 0 ? "" : ", ").append(c.key())
                        .append(String.format(Locale.ROOT, " %.3f", Ticks.toMillis(ps)));
            }
        }
        return String.format(Locale.ROOT, "%-11s %.3f ms for a %d-token prompt (%d prefill pass%s of up to %d tokens; the"
                        + " last gives the first token): %s ms%n", "ttft", Ticks.toMillis(t.latencyPs()), t.promptTokens(),
                t.passes(), t.passes() == 1 ? "" : "es", t.chunkTokens(), parts);
    }

    /** Adds {@code promptTokens}, {@code ttftMs}, {@code ttftBreakdownMs} and the prefill passes to a result file. */
    static void putTtft(ObjectNode o, TimeToFirstToken t, SystemKind kind) {
        o.put("promptTokens", t.promptTokens());
        o.put("prefillChunkTokens", t.chunkTokens());
        o.put("ttftPrefillPasses", t.passes());
        o.put("ttftMs", Ticks.toMillis(t.latencyPs()));
        ObjectNode bd = o.putObject("ttftBreakdownMs");
        for (LatencyCategory c : LatencyCategory.values()) {
            if (c.appliesTo(kind)) {
                bd.put(c.key(), Ticks.toMillis(t.breakdownPs(c)));
            }
        }
    }
}
