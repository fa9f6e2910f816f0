package dev.wafersim.cli;

import dev.wafersim.cli.gate.Gate;
import dev.wafersim.cli.gate.GateReports;
import dev.wafersim.cli.gate.Metric;
import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.core.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wafersim gate}: fails (exit 1) when a result regressed against a baseline beyond tolerance. */
@Command(name = "gate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Fail (exit 1) when a result regressed against a baseline.",
            "",
            "Compares the metrics of a current result (wafersim run --json or compare --json) with a baseline.",
            "Default metrics, each with a 2%% tolerance: perTokenLatencyMs (lower is better), tokensPerSecond",
            "(higher is better), p99Ms (lower is better). --tolerance METRIC=PCT changes one or adds another",
            "(p50Ms, minMs, maxMs, tokensPerSecondTotal, breakdownMs.CATEGORY); --tolerance PCT sets the defaults'.",
            "Improvements beyond tolerance are reported and pass.",
            "",
            "Exit codes: 0 every metric within tolerance or better, 1 a regression, 2 bad input (missing or",
            "malformed file, unknown metric, different system/model/workload without --allow-different-config),",
            "4 internal error.",
            "",
            AtomicFiles.HELP})
public final class GateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--baseline", required = true, paramLabel = "FILE.json", description = "The reference result.")
    Path baseline;

    @Option(names = "--current", required = true, paramLabel = "FILE.json", description = "The result to check.")
    Path current;

    @Option(names = "--tolerance", paramLabel = "METRIC=PCT|PCT",
            description = "Allowed change in the worse direction, percent; repeatable.")
    List<String> tolerances = new ArrayList<>();

    @Option(names = "--junit", paramLabel = "FILE.xml", description = "Write JUnit XML (one test case per metric).")
    Path junit;

    @Option(names = "--markdown", paramLabel = "FILE.md", description = "Write a Markdown report (e.g. for a PR comment).")
    Path markdown;

    @Option(names = "--allow-different-config",
            description = "Compare even when system, model or workload differ (the differences are listed).")
    boolean allowDifferent;

    @Override
    public Integer call() {
        Map<String, Double> byMetric = new LinkedHashMap<>();
        Double all = null;
        for (String t : tolerances) {
            int eq = t.indexOf('=');
            if (eq < 0) {
                all = percent(t, t);
            } else {
                byMetric.put(t.substring(0, eq).trim(), percent(t.substring(eq + 1), t));
            }
        }
        Gate.Outcome o = Gate.compare(baseline, current, byMetric, all, allowDifferent);
        PrintWriter out = spec.commandLine().getOut();
        out.print(GateReports.text(o));
        out.flush();
        if (junit != null) {
            AtomicFiles.writeString(junit, GateReports.junit(o));
        }
        if (markdown != null) {
            AtomicFiles.writeString(markdown, GateReports.markdown(o));
        }
        return o.passed() ? Main.EXIT_OK : Main.EXIT_GATE_FAILED;
    }

    private static double percent(String text, String whole) {
        try {
            double v = Double.parseDouble(text.trim().replace("%", ""));
            if (v >= 0 && v <= 1000) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--tolerance " + whole + " is not allowed; expected METRIC=PCT or PCT with PCT a number"
                + " in [0, 1000] (percent), e.g. --tolerance perTokenLatencyMs=2 (default metrics: "
                + String.join(", ", Metric.DEFAULTS) + ")");
    }
}
