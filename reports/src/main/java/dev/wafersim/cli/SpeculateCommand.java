package dev.wafersim.cli;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.LineChart;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.report.Reporter;
import dev.wafersim.cli.report.SpeculateReport;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.speculative.AcceptanceProcess;
import dev.wafersim.workloads.speculative.SpeculativeDecode;
import dev.wafersim.workloads.speculative.SpeculativeSpec;
import dev.wafersim.workloads.speculative.SpeculativeStepModel;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code wafersim speculate}: a sweep of speculative decoding's draft length K and acceptance rate A on one or
 * more systems, each point a decode run of verify steps ({@link SpeculativeDecode}) on the system's step models
 * for the target and the draft, next to the plain decode of the same workload; {@code --chart} draws the
 * effective tokens/s per user against A, one line per system and K. Any system with a step model works (GPU
 * systems today; a wafer as soon as its step model exists, without a change here).
 */
@Command(name = "speculate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Sweep speculative decoding's K and acceptance rate on one or more systems.",
            "",
            "Every point decodes the workload (--batch, --context, --tokens) by verify steps: K passes of the draft,",
            "then one pass of the target over K + 1 tokens per sequence, both simulated by the system's step models;",
            "a seeded constant acceptance rate A keeps drafts. Prints tokens per verify step (accepted + 1) against",
            "(1 - A^(K+1)) / (1 - A), effective ms/token and tokens/s per user, the speed-up over plain decode and the",
            "draft's share of the time; --chart draws tokens/s per user against A, a line per system and K.",
            "",
            "Exit codes: 0 ok, 2 bad input (a system without a step model, a bad K or rate), 3 the simulation failed."})
public final class SpeculateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--systems", paramLabel = "SPEC[,SPEC...]", required = true,
            description = "Systems, as compare takes them (e.g. h100-sxm:gpus=8,b200:gpus=8).")
    String systems;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--draft", paramLabel = "MODEL", required = true, description = "Draft model (a preset or a config.json).")
    String draft;

    @Option(names = "--k", paramLabel = "K[,K...]", description = "Drafts per verify step (default: 1,2,4,8).")
    String ks = "1,2,4,8";

    @Option(names = "--acceptance", paramLabel = "A[,A...]",
            description = "Constant acceptance rates (default: 0.5,0.6,0.7,0.8,0.9).")
    String rates = "0.5,0.6,0.7,0.8,0.9";

    @Option(names = "--placement", paramLabel = "same|separate", description = "Where the draft runs (default: same).")
    String placement = "same";

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a parameter of every system; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the acceptance draws (default: 1).")
    long seed = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the sweep as JSON.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per point as CSV.")
    Path csv;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Draw tokens/s per user against the acceptance rate.")
    Path chart;

    @Option(names = "--svg", description = "Write the chart as SVG too.")
    boolean svg;

    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    boolean quiet;

    @Override
    public Integer call() {
        if (chart != null) {
            ChartFiles.checkName(chart, "--chart");
        }
        List<Integer> kList = new ArrayList<>();
        for (String k : ks.split(",")) {
            int v;
            try {
                v = Integer.parseInt(k.trim());
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 1 || v > SpeculativeSpec.MAX_K) {
                throw new ConfigException("--k=" + ks + " is not allowed: '" + k.trim() + "'; expected integers in [1, "
                        + SpeculativeSpec.MAX_K + "]");
            }
            kList.add(v);
        }
        List<Double> aList = new ArrayList<>();
        for (String a : rates.split(",")) {
            double v;
            try {
                v = Double.parseDouble(a.trim());
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            if (!(v >= 0 && v <= 1)) {
                throw new ConfigException("--acceptance=" + rates + " is not allowed: '" + a.trim() + "'; expected rates"
                        + " in [0, 1]");
            }
            aList.add(v);
        }
        List<SystemSpec> specs = SystemSpec.parseList(systems, "--systems");
        ExperimentSpec base = Experiments.spec(null, null, workload, sets);
        Set<String> shared = Experiments.parameterKeys(specs.stream().map(SystemSpec::name).toList());
        List<Experiment> experiments = new ArrayList<>();
        List<SpeculativeStepModel> pairs = new ArrayList<>();
        for (SystemSpec s : specs) {
            Experiment e = base.with(ExperimentKey.SYSTEM, s.name(), "system spec " + s.label(), "system")
                    .overlay(s.layer()).resolve(false, shared);
            experiments.add(e);
            SpeculativeSpec sp = SpeculativeSpec.parse("draft=" + draft + ",k=" + kList.get(0) + ",acceptance=0.5"
                    + ",placement=" + placement, "--draft/--placement", e.model());
            pairs.add(RunCommand.speculativeModel(e, sp(sp, kList.stream().max(Integer::compare).orElse(1))));
        }
        ProgressMeter progress = ProgressMeter.of(spec.commandLine().getErr(), "speculate", "points", quiet, null);
        List<SpeculateReport.SystemPoints> out = new ArrayList<>();
        int done = 0;
        int total = specs.size() * kList.size() * aList.size();
        try {
            for (int i = 0; i < specs.size(); i++) {
                Experiment e = experiments.get(i);
                DecodeResult plain = e.run();
                SpeculativeStepModel widest = pairs.get(i);
                List<SpeculateReport.Point> points = new ArrayList<>();
                for (int k : kList) {
                    SpeculativeSpec sk = SpeculativeSpec.parse("draft=" + draft + ",k=" + k + ",acceptance=0.5,placement="
                            + placement, "--draft", e.model());
                    SpeculativeStepModel pair = new SpeculativeStepModel(widest.target(), widest.draft(), e.model(), sk,
                            e.workload().precision(), positions(e, k));
                    for (double a : aList) {
                        progress.update(done++, total, specs.get(i).label() + " k=" + k + " A=" + a);
                        SpeculativeDecode.Result r = SpeculativeDecode.run(pair, AcceptanceProcess.constant(a, k, seed),
                                e.workload().batchSize(), e.workload().contextTokens(), e.workload().tokensToGenerate());
                        points.add(new SpeculateReport.Point(k, a, r.tokensPerVerifyStep(),
                                r.expectedTokensPerVerifyStep(), r.msPerToken(), r.tokensPerSecondPerUser(),
                                plain.meanMs() / r.msPerToken(), r.draftShare()));
                    }
                }
                out.add(new SpeculateReport.SystemPoints(specs.get(i).label(), widest.target().machine() + "; draft "
                        + widest.draft().machine(), plain.meanMs(),
                        plain.tokensPerSecond(), points));
            }
        } finally {
            progress.done();
        }
        Experiment first = experiments.get(0);
        String wl = String.format(Locale.ROOT, "batch %d, context %d tokens, %d tokens", first.workload().batchSize(),
                first.workload().contextTokens(), first.workload().tokensToGenerate());
        SpeculateReport report = new SpeculateReport(first.model().name(), draft, placement, wl, out);
        Reporter.emit(spec.commandLine().getOut(), report, new Reporter.Outputs(json, csv, null));
        if (chart != null) {
            List<LineChart.Line> lines = new ArrayList<>();
            for (SpeculateReport.SystemPoints s : out) {
                for (int k : kList) {
                    List<LineChart.Point> ps = new ArrayList<>();
                    for (SpeculateReport.Point p : s.points()) {
                        if (p.k() == k) {
                            ps.add(new LineChart.Point(p.acceptance(), String.valueOf(p.acceptance()),
                                    p.tokensPerSecondPerUser(), null));
                        }
                    }
                    lines.add(new LineChart.Line(s.system() + " k=" + k, ps));
                }
                List<LineChart.Point> flat = new ArrayList<>();
                for (double a : aList) {
                    flat.add(new LineChart.Point(a, String.valueOf(a), s.plainTokensPerSecondPerUser(), null));
                }
                lines.add(new LineChart.Line(s.system() + " plain decode", flat));
            }
            ChartFiles.save(LineChart.of(new LineChart.Data(first.model().name() + " with draft " + draft
                    + ": effective tokens/s per user", wl + ", placement " + placement, "acceptance rate A",
                    "tokens/s per user", lines), LineChart.Scale.LINEAR), chart, svg);
        }
        return Main.EXIT_OK;
    }

    private static SpeculativeSpec sp(SpeculativeSpec s, int k) {
        return new SpeculativeSpec(s.text(), s.draftName(), s.draft(), k, java.util.Collections.nCopies(k, 0.5)
                .stream().mapToDouble(Double::doubleValue).toArray(), s.placement());
    }

    private static long positions(Experiment e, int k) {
        return e.workload().contextTokens() + e.workload().tokensToGenerate() + k + 1;
    }
}
