package dev.wafersim.cli;

import dev.wafersim.core.trace.ChromeTraceWriter;
import dev.wafersim.core.trace.TraceSink;

import dev.wafersim.cli.report.Reporter;
import dev.wafersim.cli.report.ServeReport;
import dev.wafersim.workloads.energy.PowerModel;
import dev.wafersim.workloads.run.EnergyCost;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.ServeCdfChart;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.serving.ArrivalProcess;
import dev.wafersim.workloads.serving.CodingSessionWorkload;
import dev.wafersim.workloads.serving.DisaggregatedReplay;
import dev.wafersim.workloads.serving.DisaggregatedResult;
import dev.wafersim.workloads.serving.DisaggregatedSummary;
import dev.wafersim.workloads.serving.DisaggregatedTimeline;
import dev.wafersim.workloads.serving.KvLinkParams;
import dev.wafersim.workloads.serving.ReplayOptions;
import dev.wafersim.workloads.serving.GoodputSearch;
import dev.wafersim.workloads.serving.LengthDistribution;
import dev.wafersim.workloads.serving.RequestTrace;
import dev.wafersim.workloads.serving.ServingParams;
import dev.wafersim.workloads.serving.ServingReplay;
import dev.wafersim.workloads.serving.ServingResult;
import dev.wafersim.workloads.serving.ServingSummary;
import dev.wafersim.workloads.serving.SloSpec;
import dev.wafersim.workloads.serving.StepTimes;
import dev.wafersim.workloads.serving.SyntheticWorkload;
import dev.wafersim.workloads.serving.TraceFormat;
import dev.wafersim.workloads.serving.TraceReader;
import dev.wafersim.workloads.serving.TraceWriter;
import dev.wafersim.workloads.speculative.SpeculativeSpec;
import dev.wafersim.workloads.speculative.SpeculativeStepModel;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.run.SystemKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim serve}: replays requests on a system, iteration by iteration, as a continuous-batching
 * server runs them, and reports TTFT, time between tokens, TPOT, end-to-end latency and throughput; with
 * {@code --slo} the share of requests meeting it, with {@code --goodput} the highest rate at which 90%
 * do. The machine's pass times come from its step model in the catalog
 * ({@code SystemCatalog.Entry.stepModel}); the replay is {@link ServingReplay}.
 *
 * <p>The experiment is layered as in {@code run} (defaults, {@code --config}, options, {@code --set});
 * serving parameters are the {@code serving.*} keys of every system. Output files are written whole and
 * only after every replay succeeded.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = ServeCommand.Options.class,
        description = {
            "Replay requests on a system as a continuous-batching server runs them.",
            "",
            "Requests come from a trace (--trace FILE: wafersim CSV arrival_s,prompt_tokens,output_tokens; Azure",
            "LLM inference CSV TIMESTAMP,ContextTokens,GeneratedTokens; Mooncake JSON Lines) or are generated",
            "(--rate R --requests N, Poisson or gamma arrivals, lengths from --prompt-tokens/--output-tokens).",
            "Every pass's time comes from the machine's step model at that pass's composition (decode rows and",
            "prefill chunks); scheduling follows the serving.* parameters (wafersim describe SYSTEM).",
            "",
            "Prints TTFT, TPOT, time between tokens (TBT) and end-to-end latency (mean, p50, p90, p99, max) and",
            "throughput; --slo adds the share of requests meeting it, --goodput the highest rate at which",
            "serving.goodputAttainment of them do (per system and per device).",
            "",
            "--client PRESET puts a client path between users and the server (network, connection set-up, gateway,",
            "tokenization, streamed events; client.* parameters) and adds client-observed TTFT, TPOT, time between",
            "tokens and E2E. --workload coding-session:... replays sessions of turns (each sent after the previous",
            "answer plus a think time, the KV cache of a session kept between turns with serving.prefixCaching).",
            "--speculative draft=MODEL,k=K,acceptance=A decodes by verify steps of K drafted tokens.",
            "",
            "--prefill SYSTEM --decode SYSTEM (instead of --system) serves disaggregated: prompts on one system,",
            "output on the other, each request's KV cache over a link between them; adds each phase's time per",
            "request (prefill queue, prefill, KV transfer, decode queue, decode). Link keys (--set):",
            "kvlink.bandwidthGbps (auto: the slower side's NICs, or Gb/s), kvlink.gpuNicGbpsPerGpu (400),",
            "kvlink.waferNicGbpsPerWafer (1200), kvlink.latencyUs (10), kvlink.overlapFraction (0: the transfer",
            "starts when the prefill ends); transfers share the link first come, first served.",
            "",
            "Exit codes: 0 ok, 2 bad input (a malformed trace row, an unknown key, a system without a step",
            "model), 3 the simulation failed."})
public final class ServeCommand implements Callable<Integer> {
    /** Default prompt lengths of a synthetic workload. */
    static final String DEFAULT_PROMPT = "lognormal:median=2000,sigma=1";
    /** Default output lengths of a synthetic workload. */
    static final String DEFAULT_OUTPUT = "fixed:256";
    /** Longest span of arrivals the goodput search replays: its floor rate is requests / this. */
    static final double GOODPUT_MAX_SPAN_SECONDS = 100_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "System to serve on (wafersim list systems).")
    String system;

    @Option(names = "--systems", paramLabel = "SPEC[,SPEC...]",
            description = "Several systems side by side on the same requests, as compare takes them (e.g."
                    + " h100-sxm:gpus=8:tp=8,b200:gpus=8).")
    String systems;

    @Option(names = "--prefill", paramLabel = "SYSTEM",
            description = "Disaggregated serving: the system that runs the prompts, as a system spec (e.g. h100-sxm:gpus=8);"
                    + " with --decode, instead of --system.")
    String prefill;

    @Option(names = "--decode", paramLabel = "SYSTEM",
            description = "Disaggregated serving: the system that generates the output (e.g. h100-sxm:gpus=2); each"
                    + " request's KV cache crosses the kvlink.* link to it.")
    String decode;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Experiment file (YAML or JSON): system, model or modelFile, workload, set.")
    Path config;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a parameter, e.g. serving.maxBatchedTokens=8192 or hbm.reservedGB=2; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--trace", paramLabel = "FILE", description = "Replay the requests of a trace file.")
    Path trace;

    @Option(names = "--rate", paramLabel = "R",
            description = "Arrival rate, requests/s: of the generated requests, or a trace's gaps scaled to this mean rate.")
    Double rate;

    @Option(names = "--requests", paramLabel = "N", description = "Generate N requests.")
    Integer requests;

    @Option(names = "--arrival", paramLabel = "PROCESS",
            description = "Generated arrivals: poisson or gamma:cv=C (C > 1 bursty) (default: poisson).")
    String arrival;

    @Option(names = "--prompt-tokens", paramLabel = "DIST",
            description = "Generated prompt lengths: fixed:N, uniform:A..B, lognormal:median=M,sigma=S or zipf:s=S,max=N"
                    + " (default: " + DEFAULT_PROMPT + ").")
    String promptTokens;

    @Option(names = "--output-tokens", paramLabel = "DIST", description = "Generated output lengths (default: "
            + DEFAULT_OUTPUT + ").")
    String outputTokens;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of the generated requests and of speculative acceptance (default: 1).")
    Long seed;

    @Option(names = "--workload", paramLabel = "SPEC",
            description = "Generated sessions instead of single requests: coding-session[:sessions=N,turns=T,context=M,"
                    + "edit=M,output=M,sigma=S,think=D] (defaults 32 sessions of 20 turns, context 8000, edit 300, output"
                    + " 200 tokens (lognormal medians, sigma 0.5), think 10s (exponential mean)); --rate is sessions/s.")
    String sessionWorkload;

    @Option(names = "--client", paramLabel = "PRESET",
            description = "Client path between users and the server: none (default), http-sse or persistent-websocket"
                    + " (sets every client.* parameter; --set client.KEY=VALUE after it).")
    String client;

    @Option(names = "--speculative", paramLabel = "SPEC",
            description = "Speculative decoding: draft=MODEL,k=K,acceptance=A (or a1/a2/...),placement=same|separate"
                    + " (default same). The draft's passes come from its own step model on the system.")
    String speculative;

    @Option(names = "--slo", paramLabel = "TARGETS", description = "Latency targets, e.g. ttft=500ms,tpot=20ms.")
    String slo;

    @Option(names = "--goodput",
            description = "Find by bisection the highest arrival rate at which serving.goodputAttainment of the requests"
                    + " meet --slo.")
    boolean goodput;

    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    boolean quiet;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the summary as JSON to FILE.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per request (lifecycle times in s) to FILE.")
    Path csv;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Draw the CDFs of TTFT and of the time between tokens.")
    Path chart;

    @Option(names = "--timeline", paramLabel = "FILE.json",
            description = "Write the replay's timeline (Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing):"
                    + " a track per request slot with its queued, prefill and decode spans, the passes, and counters of"
                    + " running requests, pass rows and KV-cache use. Written whole or not at all; about 1 KB per request"
                    + " and 0.4 KB per pass. With --prefill/--decode: a track per request slot with its five phases,"
                    + " and the KV transfers on the KV link track.")
    Path timeline;

    @Option(names = "--svg", description = "Write the chart as SVG too.")
    boolean svg;

    @Option(names = "--save-trace", paramLabel = "FILE", description = "Also write the replayed requests as a trace file.")
    Path saveTrace;

    @Option(names = "--trace-format", paramLabel = "FORMAT",
            description = "Format of --save-trace: wafersim, azure or mooncake (default: wafersim).")
    String traceFormat;

    /** Where step models come from: the catalog; tests put closed-form machines here. */
    Function<StepModelRequest, StepModel> stepModels;

    @Override
    public Integer call() {
        boolean exact = workload.exact != null && workload.exact;
        workload.exact = null;
        rejectDecodeOptions();
        SloSpec target = slo == null ? null : SloSpec.parse(slo);
        if (goodput && target == null) {
            throw new ConfigException("--goodput needs --slo (the targets a rate must meet), e.g. --slo ttft=500ms,tpot=20ms");
        }
        TraceFormat saveFormat = TraceFormat.WAFERSIM;
        if (traceFormat != null) {
            saveFormat = TraceFormat.find(traceFormat);
            if (saveFormat == null) {
                throw new ConfigException("--trace-format=" + traceFormat + " is not allowed; expected wafersim, azure or mooncake");
            }
        }
        if (prefill != null || decode != null) {
            return disaggregated(exact, target, saveFormat);
        }
        for (String entry : sets) {
            if (entry.trim().startsWith(KvLinkParams.PREFIX)) {
                throw new ConfigException("--set " + entry + " is not allowed here: kvlink.* parameters describe the KV"
                        + " link of disaggregated serving (--prefill SYSTEM --decode SYSTEM)");
            }
        }
        Source source = source();
        RequestTrace requests0 = source.atRate(source.startRate());

        ExperimentFile.Contents contents = Experiments.read(config, Set.of());
        if (client != null) {
            if (!ClientParams.PRESETS.contains(client.trim().toLowerCase(Locale.ROOT))) {
                throw new ConfigException("--client=" + client + " is not a known client path; expected one of "
                        + String.join(", ", ClientParams.PRESETS));
            }
            sets.add(0, ClientParams.NAME_KEY + "=" + client.trim());
        }
        List<String> labels = new ArrayList<>();
        List<Experiment> experiments = new ArrayList<>();
        if (systems != null) {
            if (system != null) {
                throw new ConfigException("give --system or --systems, not both");
            }
            List<SystemSpec> specs = SystemSpec.parseList(systems, "--systems");
            Set<String> seen = new LinkedHashSet<>();
            ExperimentSpec base = Experiments.spec(contents, null, workload, sets);
            Set<String> shared = Experiments.parameterKeys(specs.stream().map(SystemSpec::name).toList());
            for (SystemSpec s : specs) {
                if (!seen.add(s.label())) {
                    throw new ConfigException("--systems lists " + s.label() + " twice");
                }
                ExperimentSpec e = base.with(ExperimentKey.SYSTEM, s.name(), "system spec " + s.label(), "system")
                        .overlay(s.layer());
                experiments.add(e.resolve(false, shared));
                labels.add(s.label());
            }
        } else {
            Experiment e = Experiments.spec(contents, system, workload, sets).resolve(true);
            experiments.add(e);
            labels.add(e.entry().name());
        }

        List<ServeReport.SystemJson> jsons = new ArrayList<>();
        List<ServingResult> results = new ArrayList<>();
        String modelName = experiments.get(0).model().name();
        ProgressMeter progress = ProgressMeter.of(spec.commandLine().getErr(), "serve", "systems", quiet, null);
        ChromeTraceWriter traceFile = timeline == null ? null : new ChromeTraceWriter(timeline);
        try {
            for (int s = 0; s < experiments.size(); s++) {
                Experiment e = experiments.get(s);
                String label = labels.get(s);
                long t0 = System.nanoTime();
                ServingParams params = ServingParams.from(e.params());
                StepModelRequest req = stepModelRequest(e, params, requests0);
                StepModel model = stepModels != null ? stepModels.apply(req) : e.entry().stepModel(req);
                SpeculativeSpec specSpec = speculative == null ? null
                        : SpeculativeSpec.parse(speculative, "--speculative", e.model());
                SpeculativeStepModel pair = specSpec == null ? null : SpeculativeStepModel.of(req, model, specSpec,
                        stepModels != null ? stepModels : e.entry()::stepModel);
                ReplayOptions options = new ReplayOptions(ClientParams.from(e.params()),
                        specSpec == null ? null : specSpec.acceptance(seed == null ? 1 : seed));
                StepTimes times = ServingReplay.stepTimes(pair != null ? pair : model, params, exact,
                        options.decodeWidth());
                progress.update(s, experiments.size(), "replaying " + label);
                TraceSink sink = traceFile == null ? TraceSink.NONE : TraceSink.offset(traceFile, s * 100_000, "");
                ServingResult r = ServingReplay.run(requests0, times, params, options, sink, "serving replay: " + label);
                requireSomeCompleted(r, label);
                GoodputSearch.Goodput g = null;
                if (goodput) {
                    int si = s;
                    // The search replays one rate at a time: keep each rate's result for the energy at the goodput.
                    java.util.Map<Double, ServingResult> byRate = new java.util.HashMap<>();
                    double[] rateNow = new double[1];
                    g = GoodputSearch.search(label, rate -> {
                        rateNow[0] = rate;
                        return source.atRate(rate);
                    }, t -> {
                        progress.update(si, experiments.size(), "goodput of " + label + ": replaying at "
                                + String.format(Locale.ROOT, "%.4g", t.meanRatePerSecond()) + " req/s");
                        ServingResult pr = ServingReplay.run(t, times, params, options);
                        byRate.put(rateNow[0], pr);
                        return pr;
                    }, target, params.goodputAttainment(), params.goodputRelativeTolerance(), source.startRate(),
                            source.minRate(), times.model().devices());
                    ServingResult atGoodput = byRate.get(g.requestsPerSecond());
                    if (atGoodput != null && atGoodput.emittedTokens() > 0) {
                        EnergyCost ge = PowerModel.of(e.entry().kind(), e.params(), atGoodput.activity(),
                                atGoodput.emittedTokens());
                        g = g.withEnergy(ge.energyJoulesPerToken(), ge.costUsdPerMillionTokens());
                    }
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                results.add(r);
                EnergyCost energy = PowerModel.of(e.entry().kind(), e.params(), r.activity(),
                        Math.max(1, r.emittedTokens()));
                ServingSummary summary = ServingSummary.of(label, modelName, r, target);
                if (pair != null) {
                    summary = summary.withSpeculative(speculativeSummary(summary.speculative(), specSpec, pair, r));
                }
                jsons.add(new ServeReport.SystemJson(WafersimCommand.version(), e.entry().kind().word(), summary, energy,
                        g, ServeReport.config(e.params()), e.params().hash(), wall));
            }
        } catch (RuntimeException | Error ex) {
            if (traceFile != null) {
                traceFile.close();
            }
            throw ex;
        } finally {
            progress.done();
        }

        PrintWriter out = spec.commandLine().getOut();
        try {
            Reporter.emit(out, new ServeReport(modelName, jsons, labels, results), new Reporter.Outputs(json, csv, null));
            if (traceFile != null) {
                traceFile.commit();
            }
        } finally {
            if (traceFile != null) {
                traceFile.close();
            }
        }
        for (Experiment e : experiments) {
            for (String note : e.notes()) {
                out.println("note: " + note);
            }
        }
        out.flush();
        if (chart != null) {
            List<ServeCdfChart.Series> series = new ArrayList<>();
            for (int s = 0; s < results.size(); s++) {
                ServingResult r = results.get(s);
                double[] ttft = new double[r.completedRequests()];
                int k = 0;
                for (int i = 0; i < r.requests(); i++) {
                    if (r.completed(i)) {
                        ttft[k++] = r.ttftPs(i) / 1e9;
                    }
                }
                series.add(new ServeCdfChart.Series(labels.get(s), ttft, r.tbtHistogramNs()));
            }
            double ttftTarget = target == null || target.ttftPs() < 0 ? Double.NaN : target.ttftPs() / 1e9;
            double tpotTarget = target == null || target.tpotPs() < 0 ? Double.NaN : target.tpotPs() / 1e9;
            ChartFiles.save(ServeCdfChart.of(series, modelName + ": " + requests0.description(), ttftTarget, tpotTarget),
                    chart, svg);
        }
        if (saveTrace != null) {
            AtomicFiles.writeString(saveTrace, TraceWriter.text(requests0, saveFormat));
        }
        return Main.EXIT_OK;
    }

    /**
     * {@code serve --prefill SYSTEM --decode SYSTEM}: one disaggregated replay ({@link DisaggregatedReplay}). Each
     * side is its own experiment (the shared options and {@code --set} overrides, then its system spec); an
     * override applies to the sides whose schema has the key, and one neither has is an error naming it.
     * {@code kvlink.*} overrides set the link.
     */
    private int disaggregated(boolean exact, SloSpec target, TraceFormat saveFormat) {
        if (prefill == null || decode == null) {
            throw new ConfigException((prefill == null ? "--decode" : "--prefill") + " needs "
                    + (prefill == null ? "--prefill" : "--decode") + ": disaggregated serving takes both systems, e.g."
                    + " --prefill h100-sxm:gpus=8 --decode h100-sxm:gpus=2 (or --system SYSTEM alone)");
        }
        if (system != null || systems != null) {
            throw new ConfigException("give --prefill and --decode, or " + (system != null ? "--system" : "--systems")
                    + ", not both: --prefill/--decode name the two systems of a disaggregated replay");
        }
        Object[][] unsupported = {{"--client", client},
            {"--speculative", speculative}, {"--workload", sessionWorkload}};
        for (Object[] o : unsupported) {
            if (o[1] != null) {
                throw new ConfigException(o[0] + " is not supported with --prefill/--decode (disaggregated serving"
                        + " replays single requests on the two systems, server-side times)");
            }
        }
        SystemSpec p = side(prefill, "--prefill");
        SystemSpec d = side(decode, "--decode");
        ParamSet linkSet = KvLinkParams.defaults();
        List<String> systemSets = new ArrayList<>();
        for (String entry : sets) {
            Experiments.KeyValue kv = Experiments.KeyValue.parse(entry, "--set");
            if (kv.key().startsWith(KvLinkParams.PREFIX)) {
                linkSet = linkSet.with(kv.key(), kv.value(), "--set");
            } else {
                systemSets.add(entry);
            }
        }
        KvLinkParams link = KvLinkParams.from(linkSet);

        Source source = source();
        RequestTrace requests0 = source.atRate(source.startRate());
        ExperimentFile.Contents contents = Experiments.read(config, Set.of());
        ExperimentSpec base = Experiments.spec(contents, null, workload, systemSets);
        Set<String> shared = Experiments.parameterKeys(List.of(p.name(), d.name()));
        Experiment pe = resolveSide(base, p, "--prefill", shared);
        Experiment de = resolveSide(base, d, "--decode", shared);
        if (!pe.model().name().equals(de.model().name())
                || pe.workload().precision().kvCache() != de.workload().precision().kvCache()) {
            throw new ConfigException("--prefill " + p.label() + " serves " + pe.model().name() + " with a "
                    + pe.workload().precision().kvCache() + " KV cache and --decode " + d.label() + " serves "
                    + de.model().name() + " with " + de.workload().precision().kvCache() + "; expected the same model"
                    + " and KV-cache precision on both sides (the KV cache crosses as it is)");
        }
        String label = p.label() + " -> " + d.label();
        String modelName = pe.model().name();
        ProgressMeter progress = ProgressMeter.of(spec.commandLine().getErr(), "serve", "systems", quiet, null);
        long t0 = System.nanoTime();
        DisaggregatedResult r;
        GoodputSearch.Goodput g = null;
        ServingParams pp = ServingParams.from(pe.params());
        ServingParams dp = ServingParams.from(de.params());
        StepModel pm;
        StepModel dm;
        try {
            pm = sideModel(pe, pp, requests0, "--prefill " + p.label());
            dm = sideModel(de, dp, requests0, "--decode " + d.label());
            StepTimes pt = ServingReplay.stepTimes(pm, pp, exact);
            StepTimes dt = ServingReplay.stepTimes(dm, dp, exact);
            double gbps = link.bandwidthGbps(pm.devices(), pe.entry().kind() == SystemKind.WAFER, dm.devices(),
                    de.entry().kind() == SystemKind.WAFER);
            dev.wafersim.workloads.model.ModelSpec model = pe.model();
            dev.wafersim.workloads.model.Precision precision = pe.workload().precision();
            progress.update(0, 1, "replaying " + label);
            java.util.function.LongUnaryOperator kvBytes = tokens -> model.kvCacheBytes(precision, tokens, 1);
            r = DisaggregatedReplay.run(requests0, pt, pp, dt, dp, link, gbps, kvBytes);
            requireSomeCompleted(r.combined(), label);
            if (goodput) {
                // The search replays one rate at a time: keep each rate's replay for the energy at the goodput.
                java.util.Map<Double, DisaggregatedResult> byRate = new java.util.HashMap<>();
                double[] rateNow = new double[1];
                g = GoodputSearch.search(label, rate -> {
                    rateNow[0] = rate;
                    return source.atRate(rate);
                }, t -> {
                    progress.update(0, 1, "goodput of " + label + ": replaying at "
                            + String.format(Locale.ROOT, "%.4g", t.meanRatePerSecond()) + " req/s");
                    DisaggregatedResult pr = DisaggregatedReplay.run(t, pt, pp, dt, dp, link, gbps, kvBytes);
                    byRate.put(rateNow[0], pr);
                    return pr.combined();
                }, target, dp.goodputAttainment(), dp.goodputRelativeTolerance(), source.startRate(),
                        source.minRate(), pm.devices() + dm.devices());
                DisaggregatedResult atGoodput = byRate.get(g.requestsPerSecond());
                if (atGoodput != null && atGoodput.combined().emittedTokens() > 0) {
                    EnergyCost ge = energy(atGoodput, pe, pm, de, dm, atGoodput.combined().emittedTokens(), null);
                    g = g.withEnergy(ge.energyJoulesPerToken(), ge.costUsdPerMillionTokens());
                }
            }
        } finally {
            progress.done();
        }
        ServingResult c = r.combined();
        long tokens = Math.max(1, c.emittedTokens());
        EnergyCost[] sides = new EnergyCost[2];
        EnergyCost energy = energy(r, pe, pm, de, dm, tokens, sides);
        EnergyCost pEnergy = sides[0];
        EnergyCost dEnergy = sides[1];
        ServingSummary summary = ServingSummary.of(label, modelName, c, target);
        DisaggregatedSummary ds = DisaggregatedSummary.of(r, p.label(), pEnergy, d.label(), dEnergy);
        java.util.Map<String, Object> cfg = new java.util.LinkedHashMap<>();
        cfg.put("prefill", ServeReport.config(pe.params()));
        cfg.put("decode", ServeReport.config(de.params()));
        cfg.put("kvlink", linkSet.asMap());
        String hash = sha256(pe.params().hash() + "\n" + de.params().hash() + "\n" + linkSet.hash());
        String kind = pe.entry().kind() == de.entry().kind() ? pe.entry().kind().word()
                : pe.entry().kind().word() + "+" + de.entry().kind().word();
        double wall = (System.nanoTime() - t0) / 1e9;
        ServeReport.SystemJson j = new ServeReport.SystemJson(WafersimCommand.version(), kind, summary,
                energy.energyJoulesPerToken(), energy.costUsdPerMillionTokens(), energy, g, ds, cfg, hash, wall);

        PrintWriter out = spec.commandLine().getOut();
        ChromeTraceWriter traceFile = timeline == null ? null : new ChromeTraceWriter(timeline);
        try {
            if (traceFile != null) {
                DisaggregatedTimeline.write(r, traceFile, "disaggregated replay: " + label);
            }
            Reporter.emit(out, new ServeReport(modelName, List.of(j), List.of(label), List.of(c), List.of(r)),
                    new Reporter.Outputs(json, csv, null));
            if (traceFile != null) {
                traceFile.commit();
            }
        } finally {
            if (traceFile != null) {
                traceFile.close();
            }
        }
        for (Experiment e : List.of(pe, de)) {
            for (String note : e.notes()) {
                out.println("note: " + note);
            }
        }
        out.flush();
        if (chart != null) {
            double[] ttft = new double[c.completedRequests()];
            int k = 0;
            for (int i = 0; i < c.requests(); i++) {
                if (c.completed(i)) {
                    ttft[k++] = c.ttftPs(i) / 1e9;
                }
            }
            double ttftTarget = target == null || target.ttftPs() < 0 ? Double.NaN : target.ttftPs() / 1e9;
            double tpotTarget = target == null || target.tpotPs() < 0 ? Double.NaN : target.tpotPs() / 1e9;
            ChartFiles.save(ServeCdfChart.of(List.of(new ServeCdfChart.Series(label, ttft, c.tbtHistogramNs())),
                    modelName + ": " + requests0.description(), ttftTarget, tpotTarget), chart, svg);
        }
        if (saveTrace != null) {
            AtomicFiles.writeString(saveTrace, TraceWriter.text(requests0, saveFormat));
        }
        return Main.EXIT_OK;
    }

    /** Parses one side's system spec, naming the option in errors. */
    private static SystemSpec side(String text, String option) {
        if (text.isBlank() || text.contains(",")) {
            throw new ConfigException(option + "=" + text + " is not allowed; expected one system spec"
                    + " name[:key=value]*, e.g. h100-sxm:gpus=8 or wse3");
        }
        try {
            return SystemSpec.parse(text.trim());
        } catch (ConfigException e) {
            throw new ConfigException(option + " " + text + ": " + e.getMessage(), e);
        }
    }

    /** One side's experiment: the shared spec with the side's system spec over it. */
    private static Experiment resolveSide(ExperimentSpec base, SystemSpec s, String option, Set<String> shared) {
        try {
            return base.with(ExperimentKey.SYSTEM, s.name(), "system spec " + s.label(), "system").overlay(s.layer())
                    .resolve(true, shared);
        } catch (ConfigException e) {
            throw new ConfigException(option + " " + s.label() + ": " + e.getMessage(), e);
        }
    }

    /** One side's step model (a side that cannot hold the model fails here, named). */
    private StepModel sideModel(Experiment e, ServingParams params, RequestTrace requests, String side) {
        StepModelRequest req = stepModelRequest(e, params, requests);
        try {
            return stepModels != null ? stepModels.apply(req) : e.entry().stepModel(req);
        } catch (ConfigException ex) {
            throw new ConfigException(side + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Both sides' energy and cost over replay {@code r} per {@code tokens}, summed; each side's own in
     * {@code sides} when it is not null.
     */
    private static EnergyCost energy(DisaggregatedResult r, Experiment pe, StepModel pm, Experiment de, StepModel dm,
                                     long tokens, EnergyCost[] sides) {
        EnergyCost a = PowerModel.of(pe.entry().kind(), pe.params(), r.prefill().activity(), tokens);
        EnergyCost b = PowerModel.of(de.entry().kind(), de.params(), r.decode().activity(), tokens);
        if (sides != null) {
            sides[0] = a;
            sides[1] = b;
        }
        return sum(a, pm.devices(), b, dm.devices());
    }

    /** Two systems' energy and cost over the same replay, summed (state shares weighted by device count). */
    static EnergyCost sum(EnergyCost a, int devicesA, EnergyCost b, int devicesB) {
        java.util.Map<String, Double> shares = new java.util.LinkedHashMap<>();
        double total = devicesA + devicesB;
        a.deviceStateShares().forEach((k, v) -> shares.merge(k, v * devicesA / total, Double::sum));
        b.deviceStateShares().forEach((k, v) -> shares.merge(k, v * devicesB / total, Double::sum));
        String note = a.note() == null ? b.note() : b.note() == null ? a.note() : a.note() + "; " + b.note();
        return new EnergyCost(a.energyJoules() + b.energyJoules(), a.averagePowerW() + b.averagePowerW(),
                a.energyJoulesPerToken() + b.energyJoulesPerToken(), a.costUsd() + b.costUsd(),
                a.costUsdPerMillionTokens() + b.costUsdPerMillionTokens(), shares, note);
    }

    private static String sha256(String text) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adapts the shared workload options to serve: {@code --batch}, {@code --context} and {@code --tokens}
     * describe a decode run (hidden here; given anyway, they are refused), and {@code --exact} means every
     * pass simulated, on any system.
     */
    static final class Options implements picocli.CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (String name : List.of("--batch", "--context", "--tokens", "--exact")) {
                picocli.CommandLine.Model.OptionSpec o = spec.findOption(name);
                picocli.CommandLine.Model.OptionSpec.Builder b = picocli.CommandLine.Model.OptionSpec.builder(o);
                if (name.equals("--exact")) {
                    b.description("Simulate every pass at its composition instead of interpolating the step table"
                            + " (slower; the reference the table's error is measured against).");
                } else {
                    b.hidden(true);
                }
                spec.remove(o);
                spec.addOption(b.build());
            }
            return spec;
        }
    }

    /** {@code --batch}, {@code --context} and {@code --tokens} describe a decode run; serve takes requests. */
    private void rejectDecodeOptions() {
        String[][] given = {{"--batch", workload.batch}, {"--context", workload.context}, {"--tokens", workload.tokens}};
        for (String[] g : given) {
            if (g[1] != null) {
                throw new ConfigException(g[0] + " does not apply to serve: requests bring their own prompt and output"
                        + " lengths (--trace, or --rate with --requests, --prompt-tokens, --output-tokens)");
            }
        }
    }

    /**
     * The speculative figures of a replay with the draft's name and placement and the draft's cost: its K passes
     * and the target's verify pass at the replay's mean verify pass (mean verify rows per pass, mean context).
     */
    static ServingSummary.SpeculativeSummary speculativeSummary(ServingSummary.SpeculativeSummary s,
                                                               SpeculativeSpec spec, SpeculativeStepModel pair,
                                                               ServingResult r) {
        int rows = (int) Math.max(1, Math.round(r.meanDecodeRowsPerPass()));
        SpeculativeStepModel.Parts parts = pair.verifyPass(rows, Math.round(r.meanDecodeContextTokens()));
        double draftMs = parts.draftLatencyPs() / 1e9;
        double verifyMs = parts.target().latencyPs() / 1e9;
        return new ServingSummary.SpeculativeSummary(spec.draftName(), spec.placement().word(), s.k(), s.acceptance(),
                s.expectedTokensPerVerifyStep(), s.tokensPerVerifyStep(), s.verifySteps(), s.acceptedDrafts(),
                s.effectiveTokensPerSecondPerUser(), draftMs, verifyMs, draftMs / (draftMs + verifyMs));
    }

    /**
     * The step-model request of experiment {@code e} for {@code requests}: at most
     * {@code serving.maxRunningSequences} sequences a pass, positions up to the longest request (capped by
     * {@code serving.maxModelLenTokens}, beyond which requests are rejected anyway).
     */
    static StepModelRequest stepModelRequest(Experiment e, ServingParams params, RequestTrace requests) {
        long positions = Math.max(2, Math.min(params.maxModelLenTokens(), requests.maxPositions()));
        return new StepModelRequest(e.entry().name(), e.params(), e.model(), e.workload().precision(),
                e.workload().routing(), e.options(), params.maxRunningSequences(), positions);
    }

    private static void requireSomeCompleted(ServingResult r, String label) {
        if (r.completedRequests() > 0) {
            return;
        }
        long kvTokens = r.kvBlocks() * r.params().kvBlockTokens();
        throw new ConfigException(String.format(Locale.ROOT, "%s: none of the %d requests can run: %d exceed"
                        + " serving.maxModelLenTokens=%d (prompt plus output) and %d exceed the KV cache of %,d tokens",
                label, r.requests(), r.rejected(ServingResult.REJECTED_MAX_MODEL_LEN), r.params().maxModelLenTokens(),
                r.rejected(ServingResult.REJECTED_KV_CAPACITY), kvTokens));
    }

    /** The requests of this command's workload options at their start rate (for {@code explain}). */
    RequestTrace requestsAtStartRate() {
        Source s = source();
        return s.atRate(s.startRate());
    }

    /** True when any workload option of serve is given (a trace, generated requests or sessions). */
    boolean hasWorkload() {
        return trace != null || requests != null || sessionWorkload != null || rate != null;
    }

    /** Where the requests come from, at any rate. */
    private interface Source {
        RequestTrace atRate(double ratePerSecond);

        double startRate();

        double minRate();
    }

    private Source source() {
        if (sessionWorkload != null) {
            return sessions();
        }
        boolean synthetic = requests != null;
        if (trace != null && synthetic) {
            throw new ConfigException("give one workload source: --trace FILE, or --rate R with --requests N");
        }
        if (trace == null && !synthetic) {
            throw new ConfigException("no requests to serve; give --trace FILE, --rate R with --requests N, or --rate R"
                    + " with --workload coding-session:...");
        }
        if (trace != null) {
            for (Object[] o : new Object[][] {{"--arrival", arrival}, {"--prompt-tokens", promptTokens},
                {"--output-tokens", outputTokens}, {"--seed", seed}}) {
                if (o[1] != null) {
                    throw new ConfigException(o[0] + " applies to generated requests (--rate with --requests), not to"
                            + " --trace");
                }
            }
            RequestTrace t = TraceReader.read(trace);
            double mean = t.meanRatePerSecond();
            if (rate != null && !(rate > 0 && rate <= 1e9)) {
                throw new ConfigException("--rate=" + rate + " is not allowed; expected requests per second in (0, 1e9]");
            }
            if ((rate != null || goodput) && mean == 0) {
                throw new ConfigException("--trace=" + trace + ": every request arrives at the same time, so its"
                        + (goodput ? " rate cannot be searched" : " gaps cannot be scaled to --rate"));
            }
            double start = rate != null ? rate : mean;
            return new Source() {
                @Override
                public RequestTrace atRate(double r) {
                    if (r == mean) {
                        return t;
                    }
                    return t.withTimeScaled(mean / r, String.format(Locale.ROOT, "%s, gaps scaled to %.6g req/s",
                            t.description(), r));
                }

                @Override
                public double startRate() {
                    return start;
                }

                @Override
                public double minRate() {
                    return Math.max(1e-9, t.size() / GOODPUT_MAX_SPAN_SECONDS);
                }
            };
        }
        if (rate == null) {
            throw new ConfigException("--requests needs --rate R (requests per second)");
        }
        SyntheticWorkload w = new SyntheticWorkload(requests,
                ArrivalProcess.parse(arrival == null ? "poisson" : arrival),
                LengthDistribution.parse(promptTokens == null ? DEFAULT_PROMPT : promptTokens, "--prompt-tokens"),
                LengthDistribution.parse(outputTokens == null ? DEFAULT_OUTPUT : outputTokens, "--output-tokens"),
                seed == null ? 1 : seed);
        double start = rate;
        DoubleFunction<RequestTrace> at = w::trace;
        return new Source() {
            @Override
            public RequestTrace atRate(double r) {
                return at.apply(r);
            }

            @Override
            public double startRate() {
                return start;
            }

            @Override
            public double minRate() {
                return Math.max(1e-9, w.requests() / GOODPUT_MAX_SPAN_SECONDS);
            }
        };
    }

    /** Coding sessions ({@code --workload}) starting at {@code --rate} sessions per second. */
    private Source sessions() {
        for (Object[] o : new Object[][] {{"--trace", trace}, {"--requests", requests}, {"--prompt-tokens", promptTokens},
            {"--output-tokens", outputTokens}}) {
            if (o[1] != null) {
                throw new ConfigException(o[0] + " does not apply to --workload " + sessionWorkload.split(":")[0]
                        + " (its sessions, turns and lengths are in the workload spec)");
            }
        }
        if (rate == null) {
            throw new ConfigException("--workload " + CodingSessionWorkload.NAME + " needs --rate R (sessions per second)");
        }
        CodingSessionWorkload w = CodingSessionWorkload.parse(sessionWorkload,
                ArrivalProcess.parse(arrival == null ? "poisson" : arrival), seed == null ? 1 : seed);
        double start = rate;
        return new Source() {
            @Override
            public RequestTrace atRate(double r) {
                return w.trace(r);
            }

            @Override
            public double startRate() {
                return start;
            }

            @Override
            public double minRate() {
                return Math.max(1e-9, w.sessions() / GOODPUT_MAX_SPAN_SECONDS);
            }
        };
    }
}
