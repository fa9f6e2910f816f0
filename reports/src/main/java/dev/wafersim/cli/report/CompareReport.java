package dev.wafersim.cli.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.ResultFile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code wafersim compare} reports: the systems side by side (latency, tokens/s, speed-up against the
 * first), the breakdown of each, the machines and notes as text; {@link CompareFile} as JSON; one CSV row
 * per system ({@code label} then the {@link ResultColumns}).
 *
 * @param labels      each system's label as given, in order; the first is the reference
 * @param experiments the experiments, one per label
 * @param results     their results
 * @param version     the wafersim version
 */
public record CompareReport(List<String> labels, List<Experiment> experiments, List<DecodeResult> results,
                            String version) implements Report {
    public CompareReport {
        labels = List.copyOf(labels);
        experiments = List.copyOf(experiments);
        results = List.copyOf(results);
        if (labels.isEmpty() || labels.size() != experiments.size() || labels.size() != results.size()) {
            throw new IllegalArgumentException("one experiment and one result per label");
        }
    }

    /**
     * The JSON of a comparison.
     *
     * @param wafersimVersion the version
     * @param command         {@code compare}
     * @param model           the model
     * @param baseline        the first system's label
     * @param systems         the labels in order
     * @param speedups        per system, its mean latency and its speed-up against the first
     * @param results         every result file, with its label
     */
    @JsonPropertyOrder({"wafersimVersion", "command", "model", "baseline", "systems", "speedups", "results"})
    public record CompareFile(String wafersimVersion, String command, String model, String baseline,
                              List<String> systems, List<Speedup> speedups, List<ResultFile> results) {
    }

    /**
     * One system's speed-up.
     *
     * @param system            its label
     * @param perTokenLatencyMs its mean per-token latency
     * @param speedupVsFirst    the first system's mean latency over this one's (above 1: faster)
     */
    public record Speedup(String system, double perTokenLatencyMs, double speedupVsFirst) {
    }

    /** Mean per-token latency of the first system over that of system {@code i}. */
    public double speedup(int i) {
        return results.get(0).meanMs() / results.get(i).meanMs();
    }

    /** The precision of every result when they share it, else "precision per system". */
    public String precision() {
        String p = results.get(0).precision();
        for (DecodeResult r : results) {
            if (!r.precision().equals(p)) {
                return "precision per system";
            }
        }
        return p;
    }

    /** The union of the results' breakdown categories, in category order. */
    public List<String> categories() {
        Set<String> cats = new LinkedHashSet<>();
        for (DecodeResult r : results) {
            cats.addAll(r.breakdownMsByKey().keySet());
        }
        return new ArrayList<>(cats);
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        String nl = System.lineSeparator();
        DecodeResult r0 = results.get(0);
        sb.append(String.format(Locale.ROOT, "compare %s, %s: batch %d, context %d tokens, %d tokens generated", r0.model(),
                precision(), r0.batch(), r0.contextTokens(), r0.tokens())).append(nl).append(nl);
        Table summary = Table.builder().text("system").number("perTokenLatencyMs", "mean ms", "%.3f")
                .number("p50Ms", "p50 ms", "%.3f").number("p99Ms", "p99 ms", "%.3f")
                .number("tokensPerSecond", "tok/s/user", "%.1f").number("speedup", "speed-up", "%.2fx")
                .number("energyJoulesPerToken", "J/token", "%.3f").number("costUsdPerMillionTokens", "$/M tokens", "%.2f")
                .build();
        for (int i = 0; i < labels.size(); i++) {
            DecodeResult r = results.get(i);
            summary.row(labels.get(i), r.meanMs(), r.p50Ms(), r.p99Ms(), r.tokensPerSecond(), speedup(i),
                    r.energy() == null ? null : r.energy().energyJoulesPerToken(),
                    r.energy() == null ? null : r.energy().costUsdPerMillionTokens());
        }
        sb.append(summary.text()).append(nl).append("breakdown (mean ms per token)").append(nl);
        Table.Builder bb = Table.builder().text("category");
        for (String l : labels) {
            bb.number(l, l, "%.3f");
        }
        Table bd = bb.build();
        for (String c : categories()) {
            Object[] row = new Object[labels.size() + 1];
            row[0] = c;
            for (int i = 0; i < labels.size(); i++) {
                row[i + 1] = results.get(i).breakdownMsByKey().get(c);
            }
            bd.row(row);
        }
        Object[] total = new Object[labels.size() + 1];
        total[0] = "total";
        for (int i = 0; i < labels.size(); i++) {
            total[i + 1] = results.get(i).meanMs();
        }
        sb.append(bd.row(total).text()).append(nl).append("machines").append(nl);
        Table machines = Table.builder().text("system").text("machine").build();
        for (int i = 0; i < labels.size(); i++) {
            machines.row(labels.get(i), results.get(i).machine());
        }
        String m = machines.text("  ");
        sb.append(m.substring(m.indexOf(System.lineSeparator()) + System.lineSeparator().length()));
        boolean notes = false;
        for (int i = 0; i < labels.size(); i++) {
            List<String> all = new ArrayList<>(experiments.get(i).notes());
            all.addAll(results.get(i).notes());
            for (String note : all) {
                if (!notes) {
                    sb.append(nl);
                    notes = true;
                }
                sb.append("note [").append(labels.get(i)).append("]: ").append(note).append(nl);
            }
        }
        sb.append(nl);
        for (int i = 1; i < labels.size(); i++) {
            double s = speedup(i);
            sb.append(String.format(Locale.ROOT, "%s is %.2fx %s than %s per token%n", labels.get(0),
                    s >= 1 ? s : 1 / s, s >= 1 ? "slower" : "faster", labels.get(i)));
        }
        return sb.toString();
    }

    @Override
    public CompareFile json() {
        List<Speedup> speedups = new ArrayList<>();
        List<ResultFile> files = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            speedups.add(new Speedup(labels.get(i), results.get(i).meanMs(), speedup(i)));
            files.add(experiments.get(i).resultFile(results.get(i), version).withLabel(labels.get(i)));
        }
        return new CompareFile(version, "compare", results.get(0).model(), labels.get(0), labels, speedups, files);
    }

    @Override
    public Table table() {
        ResultColumns cols = ResultColumns.all();
        Table t = cols.declare(Table.builder().text("label").number("speedupVsFirst", "speedupVsFirst", "%.3f"))
                .build();
        for (int i = 0; i < labels.size(); i++) {
            List<Object> cells = new ArrayList<>();
            cells.add(labels.get(i));
            cells.add(speedup(i));
            cells.addAll(cols.cells(experiments.get(i), results.get(i)));
            t.row(cells.toArray());
        }
        return t;
    }
}
