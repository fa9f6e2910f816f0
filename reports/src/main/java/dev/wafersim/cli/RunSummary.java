package dev.wafersim.cli;

import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.MemoryUse;
import java.util.Locale;
import java.util.Map;

/** The human-readable summary {@code wafersim run} prints, the same for every kind of system. */
final class RunSummary {
    private RunSummary() {
    }

    /** The summary of {@code r}, several lines, each ending with a line separator. */
    static String text(DecodeResult r) {
        return text(r, java.util.List.of());
    }

    /** The summary of {@code r} with {@code modelLines} (attention, positions, config keys) after the model. */
    static String text(DecodeResult r, java.util.List<ModelDescription.Line> modelLines) {
        StringBuilder sb = new StringBuilder();
        line(sb, "system", r.system() + " (" + r.kind().word() + ")");
        line(sb, "machine", r.machine());
        line(sb, "model", r.model() + ", " + r.precision());
        for (ModelDescription.Line l : modelLines) {
            sb.append(String.format(Locale.ROOT, "  %-15s %s%n", l.key(), l.value()));
        }
        line(sb, "workload", String.format(Locale.ROOT, "batch %d, context %d tokens, %d tokens generated",
                r.batch(), r.contextTokens(), r.tokens()));
        line(sb, "latency", String.format(Locale.ROOT, "mean %.3f ms/token, p50 %.3f ms, p99 %.3f ms (min %.3f, max %.3f)",
                r.meanMs(), r.p50Ms(), r.p99Ms(), r.minMs(), r.maxMs()));
        line(sb, "throughput", String.format(Locale.ROOT, "%.1f tokens/s per user, %.1f tokens/s in total",
                r.tokensPerSecond(), r.tokensPerSecondTotal()));
        MemoryUse m = r.memory();
        StringBuilder parts = new StringBuilder();
        for (Map.Entry<String, Long> e : m.partsBytes().entrySet()) {
            parts.append(parts.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(gb(e.getValue()));
        }
        line(sb, "memory", String.format(Locale.ROOT, "%s: %s of %s usable (%.1f%%): %s", m.store(), gb(m.usedBytes()),
                gb(m.usableBytes()), 100 * m.fractionUsed(), parts));
        sb.append(System.lineSeparator()).append("breakdown (mean per token)").append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "  %-16s %10s %7s%n", "category", "ms", "%"));
        double mean = r.meanMs();
        for (LatencyCategory c : LatencyCategory.values()) {
            if (!c.appliesTo(r.kind())) {
                continue;
            }
            double ms = r.breakdownMs(c);
            sb.append(String.format(Locale.ROOT, "  %-16s %10.3f %7.1f%n", c.key(), ms, 100 * ms / mean));
        }
        sb.append(String.format(Locale.ROOT, "  %-16s %10.3f %7.1f%n", "total", mean, 100.0));
        sb.append(System.lineSeparator());
        for (String n : r.notes()) {
            sb.append("note: ").append(n).append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "simulated %d tokens in %.2f s wall; per-token latency: %.3f ms%n",
                r.tokens(), r.wallSeconds(), mean));
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-11s %s%n", key, value));
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
