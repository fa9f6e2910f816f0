package dev.wafersim.cli.gate;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import java.util.ArrayList;
import java.util.List;

/**
 * A figure of a result file the gate can hold: its JSON key (a top-level number, or
 * {@code breakdownMs.CATEGORY}), its unit and which way is better.
 *
 * @param name          the key, e.g. {@code perTokenLatencyMs}
 * @param unit          the unit for reports
 * @param lowerIsBetter true for latencies, false for rates
 */
public record Metric(String name, String unit, boolean lowerIsBetter) {
    /** Tolerance the default metrics get, percent. */
    public static final double DEFAULT_TOLERANCE_PCT = 2.0;

    /** The top-level metrics of a result file. */
    static final List<Metric> KNOWN = List.of(
            new Metric("perTokenLatencyMs", "ms", true),
            new Metric("p50Ms", "ms", true),
            new Metric("p99Ms", "ms", true),
            new Metric("minMs", "ms", true),
            new Metric("maxMs", "ms", true),
            new Metric("tokensPerSecond", "tokens/s", false),
            new Metric("tokensPerSecondTotal", "tokens/s", false));

    /** The metrics held when no tolerance names any: mean latency, tokens/s per user and p99. */
    public static final List<String> DEFAULTS = List.of("perTokenLatencyMs", "tokensPerSecond", "p99Ms");

    /**
     * The metric called {@code name}: one of {@link #KNOWN}, or {@code breakdownMs.CATEGORY} for a category
     * in {@code categories} (the union of the files' breakdown categories).
     *
     * @throws ConfigException naming the metric and the allowed ones
     */
    public static Metric byName(String name, List<String> categories) {
        for (Metric m : KNOWN) {
            if (m.name.equals(name)) {
                return m;
            }
        }
        if (name.startsWith("breakdownMs.") && categories.contains(name.substring("breakdownMs.".length()))) {
            return new Metric(name, "ms", true);
        }
        List<String> all = new ArrayList<>();
        KNOWN.forEach(m -> all.add(m.name));
        categories.forEach(c -> all.add("breakdownMs." + c));
        throw new ConfigException("--tolerance: unknown metric '" + name + "'" + EditDistance.didYouMean(name, all)
                + "; expected one of " + String.join(", ", all));
    }
}
