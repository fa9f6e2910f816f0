package dev.wafersim.cli.report;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.MemoryUse;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.workloads.run.ResultFile;
import dev.wafersim.workloads.run.TtftFields;
import dev.wafersim.workloads.step.TimeToFirstToken;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code wafersim run} reports, the same for every kind of system: a summary (system, machine,
 * model, workload, latency, throughput, memory), the breakdown table and the notes as text; the result
 * file ({@link ResultFile}) as JSON; the result's columns ({@link ResultColumns}) as one CSV row.
 *
 * @param experiment the experiment that ran
 * @param result     its result
 * @param version    the wafersim version, for the result file
 * @param modelLines lines describing the model (attention, positions, config keys), printed after it
 * @param ttft       the time to first token of {@code --prompt-tokens}, or null
 */
public record RunReport(Experiment experiment, DecodeResult result, String version, List<String> modelLines,
                        TimeToFirstToken ttft) implements Report {
    public RunReport {
        modelLines = List.copyOf(modelLines);
    }

    @Override
    public String text() {
        DecodeResult r = result;
        StringBuilder sb = new StringBuilder();
        line(sb, "system", r.system() + " (" + r.kind().word() + ")");
        line(sb, "machine", r.machine());
        line(sb, "model", r.model() + ", " + r.precision());
        for (String l : modelLines) {
            sb.append(l).append(System.lineSeparator());
        }
        line(sb, "workload", String.format(Locale.ROOT, "batch %d, context %d tokens, %d tokens generated",
                r.batch(), r.contextTokens(), r.tokens()));
        line(sb, "latency", String.format(Locale.ROOT, "mean %.3f ms/token, p50 %.3f ms, p99 %.3f ms (min %.3f, max %.3f)",
                r.meanMs(), r.p50Ms(), r.p99Ms(), r.minMs(), r.maxMs()));
        line(sb, "throughput", String.format(Locale.ROOT, "%.1f tokens/s per user, %.1f tokens/s in total",
                r.tokensPerSecond(), r.tokensPerSecondTotal()));
        if (ttft != null) {
            StringBuilder parts = new StringBuilder();
            for (LatencyCategory c : LatencyCategory.values()) {
                long ps = ttft.breakdownPs(c);
                if (c.appliesTo(r.kind()) && ps > 0) {
                    parts.append(parts.length() == 0 ? "" : ", ").append(c.key())
                            .append(String.format(Locale.ROOT, " %.3f", Ticks.toMillis(ps)));
                }
            }
            line(sb, "ttft", String.format(Locale.ROOT, "%.3f ms for a %d-token prompt (%d prefill pass%s of up to %d"
                            + " tokens; the last gives the first token): %s ms", Ticks.toMillis(ttft.latencyPs()),
                    ttft.promptTokens(), ttft.passes(), ttft.passes() == 1 ? "" : "es", ttft.chunkTokens(), parts));
        }
        if (r.energy() != null) {
            line(sb, "energy", String.format(Locale.ROOT, "%.3f J/token (%.0f W on average over the run), $%.3f per"
                    + " million tokens (at this batch)", r.energy().energyJoulesPerToken(), r.energy().averagePowerW(),
                    r.energy().costUsdPerMillionTokens()));
        }
        MemoryUse m = r.memory();
        StringBuilder parts = new StringBuilder();
        for (Map.Entry<String, Long> e : m.partsBytes().entrySet()) {
            parts.append(parts.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(gb(e.getValue()));
        }
        line(sb, "memory", String.format(Locale.ROOT, "%s: %s of %s usable (%.1f%%): %s", m.store(), gb(m.usedBytes()),
                gb(m.usableBytes()), 100 * m.fractionUsed(), parts));
        sb.append(System.lineSeparator()).append("breakdown (mean per token)").append(System.lineSeparator());
        sb.append(breakdown(r).text("  "));
        sb.append(System.lineSeparator());
        for (String n : r.notes()) {
            sb.append("note: ").append(n).append(System.lineSeparator());
        }
        if (r.energy() != null && r.energy().note() != null) {
            sb.append("note: ").append(r.energy().note()).append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "simulated %d tokens in %.2f s wall; per-token latency: %.3f ms%n",
                r.tokens(), r.wallSeconds(), r.meanMs()));
        return sb.toString();
    }

    /** The breakdown of {@code r}: category, ms per token, share; the categories of its kind, then the total. */
    public static Table breakdown(DecodeResult r) {
        Table t = Table.builder().text("category").number("ms", "ms", "%.3f").number("percent", "%", "%.1f").build();
        double mean = r.meanMs();
        for (LatencyCategory c : LatencyCategory.values()) {
            if (c.appliesTo(r.kind())) {
                double ms = r.breakdownMs(c);
                t.row(c.key(), ms, 100 * ms / mean);
            }
        }
        return t.row("total", mean, 100.0);
    }

    @Override
    public ResultFile json() {
        ResultFile f = experiment.resultFile(result, version);
        return ttft == null ? f : f.withTtft(TtftFields.of(ttft, result.kind()));
    }

    @Override
    public Table table() {
        ResultColumns cols = ResultColumns.all();
        Table t = cols.declare(Table.builder()).build();
        return t.row(cols.cells(experiment, result, ttft).toArray());
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-11s %s%n", key, value));
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
