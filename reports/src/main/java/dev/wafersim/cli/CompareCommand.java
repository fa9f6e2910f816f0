package dev.wafersim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.cli.chart.BreakdownChart;
import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.SystemKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
            "Exit codes: 0 ok, 2 bad input (a system that does not exist, is not available or cannot hold the model),",
            "3 a simulation failed."})
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

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a system parameter or an experiment key for every system; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results and speed-ups as JSON to FILE.")
    Path json;

    @Option(names = "--chart", paramLabel = "FILE.png",
            description = "Draw per-token latency as stacked bars of the breakdown, one bar per system.")
    Path chart;

    @Option(names = "--svg", description = "Write the chart as SVG too.")
    boolean svg;

    @Option(names = "--threads", paramLabel = "N", description = "Systems simulated at once (default: the number of cores).")
    Integer threads;

    @Override
    public Integer call() {
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
        ProgressLine progress = ProgressLine.onTerminal(spec.commandLine().getErr(), "compare");
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        List<DecodeResult> results;
        try {
            results = Parallel.map(experiments, e -> {
                DecodeResult r = e.run();
                synchronized (progress) {
                    progress.update(finished.incrementAndGet(), experiments.size(), "systems done, last "
                            + e.entry().name());
                }
                return r;
            }, n, i -> specs.get(i).label());
        } finally {
            progress.done();
        }

        List<ObjectNode> jsons = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            ObjectNode o = experiments.get(i).resultJson(results.get(i), WafersimCommand.version());
            o.put("label", specs.get(i).label());
            jsons.add(o);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(table(specs, experiments, results, jsons));
        out.flush();
        if (json != null) {
            Json.write(json, toJson(specs, results, jsons));
        }
        if (chart != null) {
            ChartFiles.save(chart(results, jsons), chart, svg);
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

    /** Mean per-token latency of the first system over that of system {@code i}. */
    private static double speedup(List<DecodeResult> results, int i) {
        return results.get(0).meanMs() / results.get(i).meanMs();
    }

    /** The precision of every result when they share it, else "precision per system". */
    private static String precision(List<DecodeResult> results) {
        String p = results.get(0).precision();
        for (DecodeResult r : results) {
            if (!r.precision().equals(p)) {
                return "precision per system";
            }
        }
        return p;
    }

    private static String workloadLine(List<DecodeResult> results) {
        DecodeResult r = results.get(0);
        return String.format(Locale.ROOT, "%s, %s: batch %d, context %d tokens, %d tokens generated", r.model(),
                precision(results), r.batch(), r.contextTokens(), r.tokens());
    }

    static String table(List<SystemSpec> specs, List<Experiment> experiments, List<DecodeResult> results,
                        List<ObjectNode> jsons) {
        StringBuilder sb = new StringBuilder();
        String nl = System.lineSeparator();
        sb.append("compare ").append(workloadLine(results)).append(nl).append(nl);
        int w = "system".length();
        for (SystemSpec s : specs) {
            w = Math.max(w, s.label().length());
        }
        String head = "%-" + w + "s %10s %10s %10s %12s %9s%n";
        sb.append(String.format(Locale.ROOT, head, "system", "mean ms", "p50 ms", "p99 ms", "tok/s/user", "speed-up"));
        for (int i = 0; i < specs.size(); i++) {
            DecodeResult r = results.get(i);
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %10.3f %10.3f %10.3f %12.1f %8.2fx%n", specs.get(i).label(),
                    r.meanMs(), r.p50Ms(), r.p99Ms(), r.tokensPerSecond(), speedup(results, i)));
        }
        sb.append(nl).append("breakdown (mean ms per token)").append(nl);
        List<String> cats = categories(jsons);
        int cw = "category".length();
        for (String c : cats) {
            cw = Math.max(cw, c.length());
        }
        sb.append(String.format(Locale.ROOT, "%-" + cw + "s", "category"));
        for (SystemSpec s : specs) {
            sb.append(String.format(Locale.ROOT, "  %" + Math.max(10, s.label().length()) + "s", s.label()));
        }
        sb.append(nl);
        for (String c : cats) {
            sb.append(String.format(Locale.ROOT, "%-" + cw + "s", c));
            for (int i = 0; i < specs.size(); i++) {
                JsonNode v = jsons.get(i).path("breakdownMs").path(c);
                int width = Math.max(10, specs.get(i).label().length());
                sb.append(v.isNumber() ? String.format(Locale.ROOT, "  %" + width + ".3f", v.asDouble())
                        : String.format(Locale.ROOT, "  %" + width + "s", "-"));
            }
            sb.append(nl);
        }
        sb.append(String.format(Locale.ROOT, "%-" + cw + "s", "total"));
        for (int i = 0; i < specs.size(); i++) {
            sb.append(String.format(Locale.ROOT, "  %" + Math.max(10, specs.get(i).label().length()) + ".3f",
                    results.get(i).meanMs()));
        }
        sb.append(nl).append(nl).append("machines").append(nl);
        for (int i = 0; i < specs.size(); i++) {
            sb.append(String.format(Locale.ROOT, "  %-" + w + "s  %s%n", specs.get(i).label(), results.get(i).machine()));
        }
        boolean notes = false;
        for (int i = 0; i < specs.size(); i++) {
            List<String> all = new ArrayList<>(experiments.get(i).notes());
            all.addAll(results.get(i).notes());
            for (String note : all) {
                if (!notes) {
                    sb.append(nl);
                    notes = true;
                }
                sb.append("note [").append(specs.get(i).label()).append("]: ").append(note).append(nl);
            }
        }
        sb.append(nl);
        for (int i = 1; i < specs.size(); i++) {
            double s = speedup(results, i);
            sb.append(String.format(Locale.ROOT, "%s is %.2fx %s than %s per token%n", specs.get(0).label(),
                    s >= 1 ? s : 1 / s, s >= 1 ? "slower" : "faster", specs.get(i).label()));
        }
        return sb.toString();
    }

    /** The union of the results' breakdown categories, in first-seen order. */
    static List<String> categories(List<? extends JsonNode> jsons) {
        Set<String> cats = new LinkedHashSet<>();
        for (JsonNode j : jsons) {
            for (Iterator<String> it = j.path("breakdownMs").fieldNames(); it.hasNext(); ) {
                cats.add(it.next());
            }
        }
        return new ArrayList<>(cats);
    }

    private static ObjectNode toJson(List<SystemSpec> specs, List<DecodeResult> results, List<ObjectNode> jsons) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("wafersimVersion", WafersimCommand.version());
        o.put("command", "compare");
        o.put("model", results.get(0).model());
        o.put("baseline", specs.get(0).label());
        ArrayNode names = o.putArray("systems");
        specs.forEach(s -> names.add(s.label()));
        ArrayNode speedups = o.putArray("speedups");
        for (int i = 0; i < specs.size(); i++) {
            ObjectNode s = speedups.addObject();
            s.put("system", specs.get(i).label());
            s.put("perTokenLatencyMs", results.get(i).meanMs());
            s.put("speedupVsFirst", speedup(results, i));
        }
        ArrayNode rs = o.putArray("results");
        jsons.forEach(rs::add);
        return o;
    }

    private static org.jfree.chart.JFreeChart chart(List<DecodeResult> results, List<ObjectNode> jsons) {
        List<BreakdownChart.Bar> bars = new ArrayList<>();
        for (int i = 0; i < jsons.size(); i++) {
            Map<String, Double> cats = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : jsons.get(i).path("breakdownMs").properties()) {
                cats.put(e.getKey(), e.getValue().asDouble());
            }
            bars.add(new BreakdownChart.Bar(jsons.get(i).get("label").asText(), cats, results.get(i).meanMs()));
        }
        DecodeResult r = results.get(0);
        return BreakdownChart.of("Per-token latency: " + r.model(), String.format(Locale.ROOT,
                "%s; batch %d, context %d tokens, mean of %d tokens; stacked by where the time goes", precision(results),
                r.batch(), r.contextTokens(), r.tokens()), bars);
    }
}
