package dev.wafersim.cli;

import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.LatencyCdfChart;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.report.Reporter;
import dev.wafersim.cli.report.RunReport;
import dev.wafersim.cli.report.SpeculativeRunReport;
import dev.wafersim.workloads.speculative.SpeculativeDecode;
import dev.wafersim.workloads.speculative.SpeculativeSpec;
import dev.wafersim.workloads.speculative.SpeculativeStepModel;
import dev.wafersim.core.config.ConfigException;
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
            "Positions (context + tokens) beyond the model's max_position_embeddings are refused unless",
            "--beyond-max-positions is given.",
            "",
            "Time (wall, measured on a 2-core machine): a GPU system takes about 1 ms per generated token. A wafer",
            "builds and simulates each distinct layer episode once (Llama-3.1-8B: 7.6 s for 128 tokens on a quiet",
            "machine), then about 0.1 s per further token as the context grows (512 tokens: 92 s on a loaded one);",
            "--tokens 1000000 would take about a day. A wafer run shows its progress with an ETA on standard error",
            "(a bar on a terminal, else a line every 30 s; --quiet for none).",
            "",
            "Exit codes: 0 ok, 2 bad input (unknown system, model or key; a model that does not fit; an output path",
            "that cannot be written), 3 the simulation failed, 4 internal error.",
            "",
            AtomicFiles.HELP})
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

    @Mixin
    TimelineOptions timelineOptions;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a system parameter (e.g. hbm.reservedGB=2) or an experiment key (workload.batch=8); repeatable, applied in order, last.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Also write the result as one CSV row (the columns of a sweep row) to FILE.")
    Path csv;

    @Option(names = "--cdf", paramLabel = "FILE.png",
            description = "Also draw the per-token latency distribution (CDF) to FILE (PNG; .svg also writes an SVG).")
    Path cdf;

    @Option(names = "--svg", description = "Write every chart as SVG too.")
    boolean svg;

    @Option(names = "--heatmap", paramLabel = "FILE.png",
            description = "Wafer systems: also draw the fabric link utilization over one layer's region during the"
                    + " first decode step (the busiest outgoing link of each PE's router).")
    Path heatmap;

    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    boolean quiet;

    @Option(names = "--heatmap-layer", paramLabel = "L", description = "Layer of the heatmap (default: ${DEFAULT-VALUE}).")
    int heatmapLayer = 0;

    @Option(names = "--speculative", paramLabel = "SPEC",
            description = "Also decode speculatively: draft=MODEL,k=K,acceptance=A (or a1/a2/...),placement=same|separate;"
                    + " every step a verify pass of K+1 tokens per sequence after K draft passes, both from the models'"
                    + " step models (systems with a step model), acceptance seeded with 1.")
    String speculative;

    @Option(names = "--prompt-tokens", paramLabel = "N",
            description = "Also report the time to first token of an N-token prompt on the idle machine: its prefill in"
                    + " chunks of serving.prefillChunkTokens (GPU systems) or mapping.prefillChunkTokens (wafer systems),"
                    + " the last chunk giving the first token.")
    Long promptTokens;

    @Override
    public Integer call() {
        if (cdf != null) {
            ChartFiles.checkName(cdf, "--cdf");
        }
        if (heatmap != null) {
            ChartFiles.checkName(heatmap, "--heatmap");
        }
        ExperimentFile.Contents contents = Experiments.read(config, Set.of());
        ExperimentSpec es = Experiments.spec(contents, system, workload, sets);
        if (promptTokens != null) {
            es = es.with(ExperimentKey.PROMPT_TOKENS, Long.toString(promptTokens), "", "--prompt-tokens");
        }
        Experiment experiment = es.resolve(true);
        if (heatmap != null && experiment.entry().kind() != dev.wafersim.workloads.run.SystemKind.WAFER) {
            throw new dev.wafersim.core.config.ConfigException("--heatmap applies to wafer systems; "
                    + experiment.entry().name() + " is a " + experiment.entry().kind().word() + " system");
        }
        Long prompt = experiment.promptTokens();
        StepModel stepModel = prompt == null ? null : experiment.ttftStepModel(prompt);
        SpeculativeSpec specSpec = speculative == null ? null
                : SpeculativeSpec.parse(speculative, "--speculative", experiment.model());
        SpeculativeStepModel pair = specSpec == null ? null : speculativeModel(experiment, specSpec);
        PrintWriter err = spec.commandLine().getErr();
        for (String note : experiment.notes()) {
            err.println("wafersim: warning: " + note);
        }
        err.flush();
        ProgressMeter progress = ProgressMeter.of(err, "run " + experiment.entry().name(), "steps", quiet, null);
        DecodeResult result;
        try (TimelineOptions.Session timeline = timelineOptions.open()) {
            try {
                result = experiment.run(progress, timeline.sink(0, ""), timeline.tokens());
            } finally {
                progress.done();
            }
            TimeToFirstToken ttft = stepModel == null ? null : experiment.timeToFirstToken(stepModel, prompt);
            List<String> modelLines = ModelDescription.lines(experiment.model(), experiment.modelReport()).stream()
                    .map(l -> String.format(java.util.Locale.ROOT, "  %-15s %s", l.key(), l.value())).toList();
            RunReport report = new RunReport(experiment, result, WafersimCommand.version(), modelLines, ttft);
            Reporter.emit(spec.commandLine().getOut(), pair == null ? report : new SpeculativeRunReport(report,
                    SpeculativeDecode.run(pair, specSpec.acceptance(1), experiment.workload().batchSize(),
                            experiment.workload().contextTokens(), experiment.workload().tokensToGenerate()),
                    specSpec.draftName()), new Reporter.Outputs(json, csv, null));
            timeline.finish(List.of(result.system()), List.of(result.tokenLatencyPs(0)),
                    "One decode step: " + result.model() + " on " + result.system(),
                    result.machine() + "; batch " + result.batch() + ", context " + result.contextTokens());
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

    /**
     * The target and draft pair of a speculative run: the target's step model for the run's batch and positions
     * (a system without a step model refuses here, before anything runs), the draft's on the same system.
     */
    static SpeculativeStepModel speculativeModel(Experiment e, SpeculativeSpec s) {
        long positions = e.workload().contextTokens() + e.workload().tokensToGenerate() + s.k() + 1;
        StepModelRequest r = new StepModelRequest(e.entry().name(), e.params(), e.model(), e.workload().precision(),
                e.workload().routing(), e.options(), e.workload().batchSize(), positions);
        StepModel target = e.entry().stepModel(r);
        return SpeculativeStepModel.of(r, target, s, e.entry()::stepModel);
    }
}
