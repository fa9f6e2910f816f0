package dev.wafersim.cli;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.WaterfallChart;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.report.ExplainReport;
import dev.wafersim.cli.report.Reporter;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.serving.Distribution;
import dev.wafersim.workloads.serving.ReplayOptions;
import dev.wafersim.workloads.serving.RequestTrace;
import dev.wafersim.workloads.serving.ServingParams;
import dev.wafersim.workloads.serving.ServingReplay;
import dev.wafersim.workloads.serving.ServingResult;
import dev.wafersim.workloads.serving.ServingSummary;
import dev.wafersim.workloads.serving.StepTimes;
import dev.wafersim.workloads.speculative.SpeculativeDecode;
import dev.wafersim.workloads.speculative.SpeculativeSpec;
import dev.wafersim.workloads.speculative.SpeculativeStepModel;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim explain}: decomposes the ratio of per-token latency between two systems (B over A: how many
 * times faster A is) into named factors that multiply to it. Each factor is measured by running the models
 * again with one more thing swapped; the swaps apply cumulatively in a stated order, factor {@code i} is the
 * ratio before swap {@code i} over the ratio after it, and the last factor, {@code remaining}, is the ratio left
 * after every swap, so the factors multiply exactly to the ratio. Another order gives other factors for the
 * same product: the order is part of the answer, and {@code --order} chooses it.
 *
 * <p>Modes: without a workload the metric is the per-token latency of a decode run ({@code run}'s simulators,
 * both machines; speculative decoding through the step models); with one ({@code --trace}, {@code --rate} with
 * {@code --requests} or {@code --workload}) it is the mean client-observed TPOT of a serving replay, and the
 * client-observed tokens/s per request (output tokens over client E2E) is decomposed next to it.
 *
 * <p>Factors ({@link Factor}): {@code decoding} (speculative decoding off on both), {@code model} (B runs A's model,
 * when a {@code --systems} spec gives it another, e.g. {@code h100-sxm:gpus=8:model=llama-3.1-70b}),
 * {@code serving-path} (B gets
 * A's client path; serve mode), {@code batching} (B decodes A's batch; decode mode), {@code memory} (GPUs read
 * HBM at 1 PB/s, the largest hbm.peakBandwidthGBps, at full efficiency: weights and KV as if on chip),
 * {@code launch} (no kernel fixed costs: launch, device gap, HBM ramp), {@code all-reduce} (free communication:
 * every collective and link latency 0, link rates at their maxima) and {@code remaining}. The hardware swaps
 * apply to every GPU system of the pair; a factor that changes nothing is left out.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Decompose the speed-up of system A over system B into factors that multiply to it.",
            "",
            "The ratio is B's per-token latency over A's. Each factor re-runs the models with one more thing",
            "swapped, cumulatively in --order: decoding (speculative decoding off on both), model (B runs A's model,",
            "when a --systems spec sets another), serving-path (B with A's",
            "client path; needs a workload), batching (B decodes A's batch; decode runs), memory (GPUs read HBM at",
            "1 PB/s, full efficiency), launch (no kernel launch, gap or ramp), all-reduce (free collectives), and",
            "remaining (what is left). Factor i = ratio before swap i / ratio after; the product is the ratio.",
            "The order matters: another order gives other factors for the same product.",
            "",
            "Without a workload the metric is a decode run's per-token latency (--batch, --context, --tokens; per",
            "system in --systems specs, e.g. h100-sxm:gpus=8:batch=64); with --trace, --rate/--requests or",
            "--workload it is a serving replay's client TPOT, and client tokens/s per request is decomposed too.",
            "",
            "Exit codes: 0 ok, 2 bad input, 3 the simulation failed."})
public final class ExplainCommand implements Callable<Integer> {
    /** The default order of the swaps. */
    static final List<String> DEFAULT_ORDER = List.of("decoding", "model", "serving-path", "batching", "memory", "launch",
            "all-reduce");

    @Spec
    CommandSpec spec;

    @Option(names = "--systems", paramLabel = "A,B", required = true,
            description = "The two systems, as compare takes them (e.g. wse3,h100-sxm:gpus=8); the ratio is B over A.")
    String systems;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a parameter of both systems; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--order", paramLabel = "F[,F...]",
            description = "Swaps in the order to apply them (default: decoding,serving-path,batching,memory,launch,"
                    + "all-reduce); swaps left out stay in 'remaining'.")
    String order;

    @Option(names = "--speculative", paramLabel = "SPEC", description = "Speculative decoding on both systems"
            + " (draft=MODEL,k=K,acceptance=A[,placement=same|separate]).")
    String speculative;

    @Option(names = "--speculative-a", paramLabel = "SPEC", description = "Speculative decoding on system A only.")
    String speculativeA;

    @Option(names = "--speculative-b", paramLabel = "SPEC", description = "Speculative decoding on system B only.")
    String speculativeB;

    @Option(names = "--client", paramLabel = "PRESET", description = "Client path of both systems (serve mode): none,"
            + " http-sse or persistent-websocket; per system with set.client.name=... in a --systems spec.")
    String client;

    @Option(names = "--trace", paramLabel = "FILE", description = "Serve mode: replay a trace.")
    Path trace;

    @Option(names = "--rate", paramLabel = "R", description = "Serve mode: requests (or sessions) per second.")
    Double rate;

    @Option(names = "--requests", paramLabel = "N", description = "Serve mode: generate N requests.")
    Integer requests;

    @Option(names = "--workload", paramLabel = "SPEC", description = "Serve mode: coding-session[:...] sessions.")
    String sessionWorkload;

    @Option(names = "--prompt-tokens", paramLabel = "DIST", description = "Serve mode: generated prompt lengths.")
    String promptTokens;

    @Option(names = "--output-tokens", paramLabel = "DIST", description = "Serve mode: generated output lengths.")
    String outputTokens;

    @Option(names = "--arrival", paramLabel = "PROCESS", description = "Serve mode: poisson or gamma:cv=C.")
    String arrival;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of generated requests and acceptance (default: 1).")
    Long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Write ratio and factors as JSON.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per step as CSV.")
    Path csv;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Draw the factors as a waterfall (log scale).")
    Path chart;

    @Option(names = "--svg", description = "Write the chart as SVG too.")
    boolean svg;

    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    boolean quiet;

    /** Where step models come from: the catalog; tests put closed-form machines here. */
    java.util.function.Function<StepModelRequest, StepModel> stepModels;

    /**
     * One swap.
     *
     * @param id          the name --order takes
     * @param description what changes, one line
     */
    record Factor(String id, String description) {
    }

    static final Map<String, Factor> FACTORS = factors();

    private static Map<String, Factor> factors() {
        Map<String, Factor> m = new LinkedHashMap<>();
        m.put("decoding", new Factor("decoding", "speculative decoding off on both systems"));
        m.put("model", new Factor("model", "B runs A's model"));
        m.put("serving-path", new Factor("serving-path", "B with A's client path (every client.* value)"));
        m.put("batching", new Factor("batching", "B decodes A's batch"));
        m.put("memory", new Factor("memory", "GPUs read weights and KV at 1 PB/s, full efficiency"
                + " (hbm.peakBandwidthGBps=1000000, hbm.streamEfficiency=1)"));
        m.put("launch", new Factor("launch", "no kernel fixed costs (kernel.launchOverheadNs, kernel.deviceGapNs,"
                + " hbm.rampLatencyNs = 0)"));
        m.put("all-reduce", new Factor("all-reduce", "free communication (collective and link latencies 0, link"
                + " rates at their maxima)"));
        return m;
    }

    /** GPU parameters of the memory swap. */
    static final Map<String, Object> MEMORY = Map.of("hbm.peakBandwidthGBps", 1_000_000.0, "hbm.streamEfficiency", 1.0);
    /** GPU parameters of the launch swap. */
    static final Map<String, Object> LAUNCH = Map.of("kernel.launchOverheadNs", 0.0, "kernel.deviceGapNs", 0.0,
            "hbm.rampLatencyNs", 0.0);
    /** GPU parameters of the all-reduce swap. */
    static final Map<String, Object> COMMUNICATION = communication();

    private static Map<String, Object> communication() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("collective.baseLatencyNs", "collective.oneShotLatencyNs", "collective.twoShotLatencyNs",
                "collective.nvlsLatencyNs", "nvlink.stepLatencyNs", "nvlink.p2pLatencyNs", "ib.stepLatencyNs",
                "ib.p2pLatencyNs")) {
            m.put(k, 0.0);
        }
        m.put("nvlink.bidirectionalGBps", 100_000.0);
        m.put("ib.portGbps", 100_000.0);
        m.put("collective.smallMessageBandwidthFraction", 2.0);
        m.put("collective.largeMessageBandwidthFraction", 2.0);
        for (String k : List.of("collective.oneShotBandwidthFraction", "collective.twoShotBandwidthFraction",
                "collective.nvlsBandwidthFraction", "nvlink.p2pBandwidthFraction", "ib.p2pBandwidthFraction")) {
            m.put(k, 1.0);
        }
        return m;
    }

    /** One system's state: its spec, the parameters swapped so far and its speculative decoding. */
    record Sys(String label, String name, ExperimentSpec spec, Map<String, Object> swaps, String speculative,
               Integer batch, String model) {
        Sys with(Map<String, Object> more) {
            Map<String, Object> m = new LinkedHashMap<>(swaps);
            m.putAll(more);
            return new Sys(label, name, spec, m, speculative, batch, model);
        }

        Sys withSpeculative(String s) {
            return new Sys(label, name, spec, swaps, s, batch, model);
        }

        Sys withBatch(int b) {
            return new Sys(label, name, spec, swaps, speculative, b, model);
        }

        Sys withModel(String m) {
            return new Sys(label, name, spec, swaps, speculative, batch, m);
        }

        String key() {
            return label + "|" + swaps + "|" + speculative + "|" + batch + "|" + model;
        }
    }

    /** A system's metric: per-token latency, ms, and tokens/s per user. */
    record Metric(double perTokenMs, double tokensPerSecond) {
    }

    private final Map<String, Metric> cache = new HashMap<>();
    private Set<String> shared;
    private RequestTrace requestsTrace;
    private ProgressMeter progress;
    private int runs;

    @Override
    public Integer call() {
        List<SystemSpec> specs = SystemSpec.parseList(systems, "--systems");
        if (specs.size() != 2) {
            throw new ConfigException("--systems=" + systems + " is not allowed; expected exactly two systems A,B (the"
                    + " ratio is B's per-token latency over A's)");
        }
        if (speculative != null && (speculativeA != null || speculativeB != null)) {
            throw new ConfigException("give --speculative (both systems) or --speculative-a/--speculative-b, not both");
        }
        List<String> order = order();
        ServeCommand serve = new ServeCommand();
        serve.trace = trace;
        serve.rate = rate;
        serve.requests = requests;
        serve.sessionWorkload = sessionWorkload;
        serve.promptTokens = promptTokens;
        serve.outputTokens = outputTokens;
        serve.arrival = arrival;
        serve.seed = seed;
        boolean serveMode = serve.hasWorkload();
        if (serveMode) {
            for (String[] g : new String[][] {{"--batch", workload.batch}, {"--context", workload.context},
                {"--tokens", workload.tokens}}) {
                if (g[1] != null) {
                    throw new ConfigException(g[0] + " describes a decode run; with a workload (--trace, --rate,"
                            + " --requests, --workload) requests bring their own lengths");
                }
            }
            requestsTrace = serve.requestsAtStartRate();
        } else {
            for (Object[] o : new Object[][] {{"--client", client}, {"--prompt-tokens", promptTokens},
                {"--output-tokens", outputTokens}, {"--arrival", arrival}}) {
                if (o[1] != null) {
                    throw new ConfigException(o[0] + " applies to serve mode; give a workload (--trace, --rate with"
                            + " --requests, or --workload)");
                }
            }
        }
        if (client != null) {
            if (!ClientParams.PRESETS.contains(client.trim().toLowerCase(Locale.ROOT))) {
                throw new ConfigException("--client=" + client + " is not a known client path; expected one of "
                        + String.join(", ", ClientParams.PRESETS));
            }
            sets.add(0, ClientParams.NAME_KEY + "=" + client.trim());
        }
        ExperimentSpec base = Experiments.spec(null, null, workload, sets);
        shared = Experiments.parameterKeys(specs.stream().map(SystemSpec::name).toList());
        Sys a = new Sys(specs.get(0).label(), specs.get(0).name(), base.with(
                dev.wafersim.cli.experiment.ExperimentKey.SYSTEM, specs.get(0).name(), "", "system").overlay(
                specs.get(0).layer()), Map.of(), speculative != null ? speculative : speculativeA, null, null);
        Sys b = new Sys(specs.get(1).label(), specs.get(1).name(), base.with(
                dev.wafersim.cli.experiment.ExperimentKey.SYSTEM, specs.get(1).name(), "", "system").overlay(
                specs.get(1).layer()), Map.of(), speculative != null ? speculative : speculativeB, null, null);
        // Resolve both first: bad input fails before anything runs.
        Experiment ea = resolve(a);
        Experiment eb = resolve(b);
        progress = ProgressMeter.of(spec.commandLine().getErr(), "explain", "runs", quiet, null);
        List<ExplainReport.Step> steps = new ArrayList<>();
        try {
            Metric ma = metric(a, serveMode);
            Metric mb = metric(b, serveMode);
            steps.add(new ExplainReport.Step("start", "as given", ma.perTokenMs(), mb.perTokenMs(), ma.tokensPerSecond(),
                    mb.tokensPerSecond()));
            for (String id : order) {
                Sys[] next = swap(id, a, b, serveMode);
                if (next == null) {
                    continue;
                }
                Metric na = metric(next[0], serveMode);
                Metric nb = metric(next[1], serveMode);
                double f = (mb.perTokenMs() / ma.perTokenMs()) / (nb.perTokenMs() / na.perTokenMs());
                double g = (ma.tokensPerSecond() / mb.tokensPerSecond()) / (na.tokensPerSecond() / nb.tokensPerSecond());
                if (Math.abs(f - 1) < 1e-9 && Math.abs(g - 1) < 1e-9) {
                    // The swap changed neither ratio (e.g. the same hardware swap on two identical machines).
                    a = next[0];
                    b = next[1];
                    ma = na;
                    mb = nb;
                    continue;
                }
                steps.add(new ExplainReport.Step(id, FACTORS.get(id).description(), na.perTokenMs(), nb.perTokenMs(),
                        na.tokensPerSecond(), nb.tokensPerSecond()));
                a = next[0];
                b = next[1];
                ma = na;
                mb = nb;
            }
        } finally {
            progress.done();
        }
        String mode = serveMode ? "serve: " + requestsTrace.description() : String.format(Locale.ROOT,
                "decode: batch %s, context %d tokens, %d tokens", ea.workload().batchSize() == eb.workload().batchSize()
                        ? Integer.toString(ea.workload().batchSize()) : ea.workload().batchSize() + " on A, "
                        + eb.workload().batchSize() + " on B", eb.workload().contextTokens(),
                eb.workload().tokensToGenerate());
        String modelName = ea.model().equals(eb.model()) ? ea.model().name() : ea.model().name() + " on A, "
                + eb.model().name() + " on B";
        ExplainReport report = ExplainReport.of(modelName, specs.get(0).label(), specs.get(1).label(), mode,
                serveMode, steps, order);
        Reporter.emit(spec.commandLine().getOut(), report, new Reporter.Outputs(json, csv, null));
        if (chart != null) {
            ChartFiles.checkName(chart, "--chart");
            List<WaterfallChart.Step> ws = new ArrayList<>();
            for (ExplainReport.FactorJson f : report.factors()) {
                ws.add(new WaterfallChart.Step(f.name(), f.factor()));
            }
            ChartFiles.save(WaterfallChart.of(modelName + ": " + specs.get(1).label() + " / "
                    + specs.get(0).label() + " per-token latency", mode, "ratio", report.ratio(), ws), chart, svg);
        }
        return Main.EXIT_OK;
    }

    private List<String> order() {
        if (order == null) {
            return DEFAULT_ORDER;
        }
        List<String> out = new ArrayList<>();
        for (String part : order.split(",")) {
            String id = part.trim().toLowerCase(Locale.ROOT);
            if (!FACTORS.containsKey(id)) {
                throw new ConfigException("--order: '" + part.trim() + "' is not a factor"
                        + EditDistance.didYouMean(id, FACTORS.keySet()) + "; expected some of "
                        + String.join(", ", FACTORS.keySet()));
            }
            if (out.contains(id)) {
                throw new ConfigException("--order lists " + id + " twice");
            }
            out.add(id);
        }
        return out;
    }

    /** The two systems after swap {@code id}, or null when it does not apply. */
    private Sys[] swap(String id, Sys a, Sys b, boolean serveMode) {
        switch (id) {
            case "decoding" -> {
                if (a.speculative() == null && b.speculative() == null) {
                    return null;
                }
                return new Sys[] {a.withSpeculative(null), b.withSpeculative(null)};
            }
            case "model" -> {
                Experiment ea = resolve(a);
                if (ea.model().equals(resolve(b).model())) {
                    return null;
                }
                return new Sys[] {a, b.withModel(ea.modelName() != null ? ea.modelName() : ea.modelFile())};
            }
            case "serving-path" -> {
                if (!serveMode) {
                    return null;
                }
                Experiment ea = resolve(a);
                Map<String, Object> m = new LinkedHashMap<>();
                for (String k : ClientParams.SCHEMA.keys()) {
                    m.put(k, ea.params().values().get(k).value());
                }
                return new Sys[] {a, b.with(m)};
            }
            case "batching" -> {
                if (serveMode) {
                    return null;
                }
                int ba = resolve(a).workload().batchSize();
                if (ba == resolve(b).workload().batchSize()) {
                    return null;
                }
                return new Sys[] {a, b.withBatch(ba)};
            }
            case "memory" -> {
                return gpus(a, b, MEMORY);
            }
            case "launch" -> {
                return gpus(a, b, LAUNCH);
            }
            case "all-reduce" -> {
                return gpus(a, b, COMMUNICATION);
            }
            default -> throw new IllegalStateException(id);
        }
    }

    private static Sys[] gpus(Sys a, Sys b, Map<String, Object> params) {
        boolean ga = dev.wafersim.workloads.run.SystemCatalog.kind(a.name()) == SystemKind.GPU;
        boolean gb = dev.wafersim.workloads.run.SystemCatalog.kind(b.name()) == SystemKind.GPU;
        if (!ga && !gb) {
            return null;
        }
        return new Sys[] {ga ? a.with(params) : a, gb ? b.with(params) : b};
    }

    private Experiment resolve(Sys s) {
        ExperimentSpec x = s.spec();
        if (s.batch() != null) {
            x = x.with(dev.wafersim.cli.experiment.ExperimentKey.BATCH, s.batch(), "explain", "batch");
        }
        if (s.model() != null) {
            x = x.with(dev.wafersim.cli.experiment.ExperimentKey.MODEL, s.model(), "explain", "model");
        }
        for (Map.Entry<String, Object> e : s.swaps().entrySet()) {
            x = x.withParam(e.getKey(), e.getValue(), "explain");
        }
        return x.resolve(false, shared);
    }

    /** The metric of {@code s}, run once per state. */
    private Metric metric(Sys s, boolean serveMode) {
        Metric m = cache.get(s.key());
        if (m != null) {
            return m;
        }
        progress.update(runs++, 0, "running " + s.label() + (s.swaps().isEmpty() ? "" : " (swapped)"));
        Experiment e = resolve(s);
        SpeculativeSpec sp = s.speculative() == null ? null : SpeculativeSpec.parse(s.speculative(),
                "--speculative", e.model());
        long sd = seed == null ? 1 : seed;
        if (!serveMode) {
            if (sp == null) {
                DecodeResult r = e.run();
                m = new Metric(r.meanMs(), r.tokensPerSecond());
            } else {
                SpeculativeStepModel pair = RunCommand.speculativeModel(e, sp);
                SpeculativeDecode.Result r = SpeculativeDecode.run(pair, sp.acceptance(sd), e.workload().batchSize(),
                        e.workload().contextTokens(), e.workload().tokensToGenerate());
                m = new Metric(r.msPerToken(), r.tokensPerSecondPerUser());
            }
        } else {
            ServingParams params = ServingParams.from(e.params());
            StepModelRequest req = ServeCommand.stepModelRequest(e, params, requestsTrace);
            java.util.function.Function<StepModelRequest, StepModel> models = stepModels != null ? stepModels
                    : e.entry()::stepModel;
            StepModel model = models.apply(req);
            SpeculativeStepModel pair = sp == null ? null : SpeculativeStepModel.of(req, model, sp, models);
            ReplayOptions options = new ReplayOptions(ClientParams.from(e.params()), sp == null ? null
                    : sp.acceptance(sd));
            StepTimes times = ServingReplay.stepTimes(pair != null ? pair : model, params, false, options.decodeWidth());
            ServingResult r = ServingReplay.run(requestsTrace, times, params, options);
            ServingSummary sum = ServingSummary.of(s.label(), e.model().name(), r, null);
            Distribution tpot = sum.client() != null ? sum.client().tpotMs() : sum.tpotMs();
            if (tpot == null) {
                throw new ConfigException("the workload has no request with two or more output tokens: no time per"
                        + " output token to compare");
            }
            double tps = 0;
            int n = 0;
            for (int i = 0; i < r.requests(); i++) {
                if (r.completed(i)) {
                    tps += r.trace().outputTokens(i) / (r.clientE2ePs(i) / 1e12);
                    n++;
                }
            }
            m = new Metric(tpot.mean(), n == 0 ? 0 : tps / n);
        }
        cache.put(s.key(), m);
        return m;
    }
}
