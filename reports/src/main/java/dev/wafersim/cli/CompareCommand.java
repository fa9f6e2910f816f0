package dev.wafersim.cli;

import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.chart.BreakdownChart;
import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.report.CompareReport;
import dev.wafersim.cli.report.Reporter;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.SystemKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim compare}: the same model and workload on several systems, side by side.
 *
 * <p>Each {@code --systems} entry ({@link SystemSpec}) is layered over the shared experiment (defaults,
 * {@code --config}, options, {@code --set}); options of the other kind of machine are dropped for that
 * system with a note, so one command can hold wafers and GPUs. Every experiment is resolved before any
 * runs (a bad entry fails fast, exit 2); the runs go in parallel, one per core, and the output keeps the
 * order of {@code --systems}. Speed-up is the first system's mean per-token latency over each system's:
 * above 1 the system is faster than the first.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run the same model and workload on several systems, side by side.",
            "",
            "Prints per-token latency (mean, p50, p99), tokens/s per user, the speed-up against the first",
            "system and where the time goes; --chart draws the breakdowns as stacked bars.",
            "",
            "A system spec is name[:key=value]*, keys being gpus, tp, pp, cudaGraphs, stack, maxGpus, wafers, exact,",
            "batch, context, tokens, precision, or set.PARAM; e.g. --systems wse3,h100-sxm:gpus=8:tp=8,h200:stack=compiled.",
            "A GPU system without gpus, tp or pp searches its layout (gpus=auto): the fastest that fits wins.",
            "",
            "Exit codes: 0 ok, 2 bad input (a system that does not exist, is not available or cannot hold the model;",
            "an output path that cannot be written), 3 a simulation failed, 4 internal error.",
            "",
            AtomicFiles.HELP})
public final class CompareCommand implements Callable<Integer> {
    /**
     * The comparison the command makes with no --systems: the WSE-3 against the best 8-GPU H100 server: the
     * default (fastest) software stack, and the layout searched among every split of up to 8 GPUs.
     */
    static final String DEFAULT_SYSTEMS = "wse3,h100-sxm:gpus=auto:maxGpus=8";

    @Spec
    CommandSpec spec;

    @Option(names = "--systems", paramLabel = "SPEC[,SPEC...]",
            description = "Systems to compare, the first being the reference (default: " + DEFAULT_SYSTEMS + ").")
    String systems;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Experiment file (YAML or JSON): model or modelFile, workload, set, and optionally systems.")
    Path config;

    @Mixin
    WorkloadOptions workload;

    @Mixin
    TimelineOptions timelineOptions;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a system parameter or an experiment key for every system; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results and speed-ups as JSON to FILE.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Write one CSV row per system (its label, speed-up and the columns of a sweep row) to FILE.")
    Path csv;

    @Option(names = "--chart", paramLabel = "FILE.png",
            description = "Draw per-token latency as stacked bars of the breakdown, one bar per system.")
    Path chart;

    @Option(names = "--svg", description = "Write the chart as SVG too.")
    boolean svg;

    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    boolean quiet;

    @Option(names = "--threads", paramLabel = "N", description = "Systems simulated at once (default: the number of cores).")
    Integer threads;

    @Override
    public Integer call() {
        if (chart != null) {
            ChartFiles.checkName(chart, "--chart");
        }
        ExperimentFile.Contents contents = Experiments.read(config, Set.of("systems"));
        List<SystemSpec> specs;
        if (systems != null) {
            specs = SystemSpec.parseList(systems, "--systems");
        } else if (contents != null && !contents.systems().isEmpty()) {
            specs = new ArrayList<>();
            for (String s : contents.systems()) {
                specs.add(SystemSpec.parse(s));
            }
        } else {
            specs = SystemSpec.parseList(DEFAULT_SYSTEMS, "--systems");
        }
        Set<String> labels = new LinkedHashSet<>();
        for (SystemSpec s : specs) {
            if (!labels.add(s.label())) {
                throw new ConfigException("--systems lists " + s.label() + " twice");
            }
        }
        ExperimentSpec base = Experiments.spec(contents, null, workload, sets);
        List<Experiment> experiments = new ArrayList<>();
        Set<String> shared = Experiments.parameterKeys(specs.stream().map(SystemSpec::name).toList());
        for (SystemSpec s : specs) {
            ExperimentSpec e = base.with(ExperimentKey.SYSTEM, s.name(), "system spec " + s.label(), "system")
                    .overlay(s.layer());
            experiments.add(withLayoutSearch(e, s.name()).resolve(false, shared));
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : Parallel.threads(threads, "--threads");
        ProgressMeter progress = ProgressMeter.of(spec.commandLine().getErr(), "compare", "systems", quiet, null);
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        List<DecodeResult> results;
        List<String> labelList = List.copyOf(labels);
        try (TimelineOptions.Session timeline = timelineOptions.open()) {
            // One timeline file takes its systems one after the other (the writer is a single stream).
            int threadsUsed = timeline.enabled() ? 1 : n;
            List<dev.wafersim.core.trace.TraceSink> sinks = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                sinks.add(timeline.sink(i, labelList.get(i) + ": "));
            }
            try {
                results = Parallel.map(experiments, e -> {
                    int i = experiments.indexOf(e);
                    DecodeResult r = e.run(dev.wafersim.workloads.run.Progress.NONE, sinks.get(i), timeline.tokens());
                    synchronized (progress) {
                        progress.update(finished.incrementAndGet(), experiments.size(), "last done: "
                                + e.entry().name());
                    }
                    return r;
                }, threadsUsed, i -> specs.get(i).label());
            } finally {
                progress.done();
            }
            CompareReport report = new CompareReport(labelList, experiments, results, WafersimCommand.version());
            Reporter.emit(spec.commandLine().getOut(), report, new Reporter.Outputs(json, csv, null));
            if (chart != null) {
                ChartFiles.save(chart(report), chart, svg);
            }
            DecodeResult r0 = results.get(0);
            timeline.finish(labelList, results.stream().map(r -> r.tokenLatencyPs(0)).toList(),
                    "One decode step: " + r0.model(), String.format(java.util.Locale.ROOT,
                            "batch %d, context %d tokens; time from the start of each system's step", r0.batch(),
                            r0.contextTokens()));
        }
        return Main.EXIT_OK;
    }

    /**
     * {@code e} with {@code gpus=auto} (the layout search) when {@code system} is a GPU system and nothing
     * sets gpus, tp or pp: compare puts each GPU system in its fastest layout unless told otherwise.
     */
    static ExperimentSpec withLayoutSearch(ExperimentSpec e, String system) {
        if (e.get(ExperimentKey.GPUS) != null || e.get(ExperimentKey.TP) != null || e.get(ExperimentKey.PP) != null) {
            return e;
        }
        SystemKind kind;
        try {
            kind = SystemCatalog.kind(system);
        } catch (ConfigException unknown) {
            return e;
        }
        return kind == SystemKind.GPU ? e.with(ExperimentKey.GPUS, "auto", "compare default", "gpus") : e;
    }

    private static org.jfree.chart.JFreeChart chart(CompareReport report) {
        List<BreakdownChart.Bar> bars = new ArrayList<>();
        for (int i = 0; i < report.labels().size(); i++) {
            DecodeResult r = report.results().get(i);
            bars.add(new BreakdownChart.Bar(report.labels().get(i), new LinkedHashMap<>(r.breakdownMsByKey()), r.meanMs()));
        }
        DecodeResult r = report.results().get(0);
        return BreakdownChart.of("Per-token latency: " + r.model(), String.format(Locale.ROOT,
                "%s; batch %d, context %d tokens, mean of %d tokens; stacked by where the time goes", report.precision(),
                r.batch(), r.contextTokens(), r.tokens()), bars);
    }
}
