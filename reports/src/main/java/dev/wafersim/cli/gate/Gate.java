package dev.wafersim.cli.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The regression gate: compares the metrics of a current result file with a baseline's.
 *
 * <p>Files are {@code wafersim run --json} results (one system) or {@code wafersim compare --json}
 * results (one result per system, matched by label). For every system and metric: change =
 * {@code 100 (current - baseline) / baseline} percent; a change in the worse direction larger than the
 * metric's tolerance is a {@link Status#REGRESSION}, one in the better direction larger than the
 * tolerance is {@link Status#IMPROVED} (reported, passes), anything else is {@link Status#OK}. A
 * baseline of 0 with a current of 0 is OK; with anything worse it is a regression.
 *
 * <p>The gate refuses to compare different experiments (exit 2): the system, model, precision, batch,
 * context and tokens of each pair, and the requested workload and layout ({@code experiment.workload})
 * when both files record it, must be equal, unless differences are allowed. Parameter values
 * ({@code config}) may differ — catching their effect is the gate's purpose — and are listed.
 */
public final class Gate {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Identity fields of a result that must match. */
    private static final List<String> IDENTITY = List.of("system", "model", "precision", "batch", "contextTokens",
            "tokens");

    /** Outcome of one metric. */
    public enum Status { OK, IMPROVED, REGRESSION }

    /**
     * One compared metric.
     *
     * @param system       the system label
     * @param metric       the metric
     * @param baseline     baseline value
     * @param current      current value
     * @param changePct    {@code 100 (current - baseline) / baseline}
     * @param tolerancePct allowed change in the worse direction, percent
     * @param status       the verdict
     */
    public record Row(String system, Metric metric, double baseline, double current, double changePct,
                      double tolerancePct, Status status) {
    }

    /**
     * The gate's findings.
     *
     * @param baseline      baseline file
     * @param current       current file
     * @param rows          one per system and metric, in file order then metric order
     * @param differences   experiment differences that were allowed (empty unless allowed)
     * @param configChanges parameters whose values differ, "system: key a -> b"
     * @param versions      "a -> b" when the wafersim versions differ, else null
     */
    public record Outcome(Path baseline, Path current, List<Row> rows, List<String> differences,
                          List<String> configChanges, String versions) {
        /** Rows with the given status. */
        public long count(Status s) {
            return rows.stream().filter(r -> r.status == s).count();
        }

        /** True when no metric regressed. */
        public boolean passed() {
            return count(Status.REGRESSION) == 0;
        }
    }

    /** A labelled result inside a file. */
    record Entry(String label, JsonNode result) {
    }

    private Gate() {
    }

    /**
     * Compares {@code current} with {@code baseline}.
     *
     * @param tolerances      metric name to tolerance percent, in order; empty for the defaults
     * @param allTolerancePct tolerance for the default metrics when set alone ({@code --tolerance 5}), or null
     * @param allowDifferent  compare even when the experiments differ
     * @throws ConfigException for a missing or malformed file, an unknown metric or different experiments
     */
    public static Outcome compare(Path baseline, Path current, Map<String, Double> tolerances, Double allTolerancePct,
                                  boolean allowDifferent) {
        List<Entry> base = read(baseline, "--baseline");
        List<Entry> cur = read(current, "--current");
        Map<String, Entry> curByLabel = new LinkedHashMap<>();
        cur.forEach(e -> curByLabel.put(e.label, e));
        Set<String> baseLabels = new LinkedHashSet<>();
        base.forEach(e -> baseLabels.add(e.label));
        if (!baseLabels.equals(curByLabel.keySet())) {
            throw new ConfigException("--baseline " + baseline + " has systems " + baseLabels + " but --current " + current
                    + " has " + curByLabel.keySet() + "; the gate compares the same systems");
        }
        Set<String> categories = new LinkedHashSet<>();
        for (List<Entry> l : List.of(base, cur)) {
            for (Entry e : l) {
                e.result.path("breakdownMs").fieldNames().forEachRemaining(categories::add);
            }
        }
        Map<Metric, Double> metrics = new LinkedHashMap<>();
        double all = allTolerancePct == null ? Metric.DEFAULT_TOLERANCE_PCT : allTolerancePct;
        for (String d : Metric.DEFAULTS) {
            metrics.put(Metric.byName(d, List.of()), all);
        }
        for (Map.Entry<String, Double> t : tolerances.entrySet()) {
            metrics.put(Metric.byName(t.getKey(), new ArrayList<>(categories)), t.getValue());
        }

        List<String> differences = new ArrayList<>();
        List<String> configChanges = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (Entry b : base) {
            Entry c = curByLabel.get(b.label);
            List<String> diff = identityDifferences(b.result, c.result);
            for (String d : diff) {
                differences.add(b.label + ": " + d);
            }
            configChanges.addAll(configChanges(b.label, b.result.path("config"), c.result.path("config")));
            for (Map.Entry<Metric, Double> m : metrics.entrySet()) {
                rows.add(row(b.label, m.getKey(), m.getValue(), value(b.result, m.getKey(), baseline),
                        value(c.result, m.getKey(), current)));
            }
        }
        if (!differences.isEmpty() && !allowDifferent) {
            throw new ConfigException("--baseline and --current are different experiments (" + String.join("; ", differences)
                    + "); refusing to compare them. Add --allow-different-config to compare anyway");
        }
        String vb = base.get(0).result.path("wafersimVersion").asText("unknown");
        String vc = cur.get(0).result.path("wafersimVersion").asText("unknown");
        return new Outcome(baseline, current, rows, differences, configChanges, vb.equals(vc) ? null : vb + " -> " + vc);
    }

    static Row row(String label, Metric m, double tolerance, double b, double c) {
        double change = b == 0 ? (c == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, c)) : 100 * (c - b) / Math.abs(b);
        boolean worse = m.lowerIsBetter() ? change > 0 : change < 0;
        Status s = Math.abs(change) <= tolerance || change == 0 ? Status.OK : worse ? Status.REGRESSION : Status.IMPROVED;
        return new Row(label, m, b, c, change, tolerance, s);
    }

    private static double value(JsonNode result, Metric m, Path file) {
        JsonNode v = m.name().startsWith("breakdownMs.")
                ? result.path("breakdownMs").path(m.name().substring("breakdownMs.".length()))
                : result.path(m.name());
        if (v.isMissingNode()) {
            return m.name().startsWith("breakdownMs.") ? 0.0 : missing(m, file);
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new ConfigException(file + ": " + m.name() + " is " + v + "; expected a finite number");
        }
        return v.asDouble();
    }

    private static double missing(Metric m, Path file) {
        throw new ConfigException(file + ": metric " + m.name() + " is missing; is it a wafersim run or compare result?");
    }

    private static List<String> identityDifferences(JsonNode b, JsonNode c) {
        List<String> out = new ArrayList<>();
        for (String k : IDENTITY) {
            if (!Objects.equals(b.path(k), c.path(k))) {
                out.add(k + " " + text(b.path(k)) + " vs " + text(c.path(k)));
            }
        }
        JsonNode wb = b.path("experiment").path("workload");
        JsonNode wc = c.path("experiment").path("workload");
        if (wb.isObject() && wc.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            wb.fieldNames().forEachRemaining(keys::add);
            wc.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (!Objects.equals(wb.path(k), wc.path(k))) {
                    out.add("workload." + k + " " + text(wb.path(k)) + " vs " + text(wc.path(k)));
                }
            }
        }
        return out;
    }

    private static List<String> configChanges(String label, JsonNode b, JsonNode c) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        b.fieldNames().forEachRemaining(keys::add);
        c.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            if (!Objects.equals(b.path(k), c.path(k))) {
                out.add(label + ": " + k + " " + text(b.path(k)) + " -> " + text(c.path(k)));
            }
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() ? "(absent)" : n.isTextual() ? n.asText() : n.toString();
    }

    /** The labelled results of a run or compare result file. */
    static List<Entry> read(Path file, String option) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(option + " " + file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new ConfigException(option + " " + file + ": not valid JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()) + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(option + " " + file + ": cannot be read: " + e.getMessage(), e);
        }
        List<Entry> out = new ArrayList<>();
        if (root != null && root.path("results").isArray()) {
            for (Iterator<JsonNode> it = root.get("results").elements(); it.hasNext(); ) {
                JsonNode r = it.next();
                out.add(new Entry(r.path("label").asText(r.path("system").asText()), check(r, file, option)));
            }
        } else if (root != null && root.isObject()) {
            out.add(new Entry(root.path("system").asText(), check(root, file, option)));
        }
        if (out.isEmpty()) {
            throw new ConfigException(option + " " + file + ": no results; expected the JSON of wafersim run --json or"
                    + " wafersim compare --json");
        }
        Set<String> labels = new LinkedHashSet<>();
        for (Entry e : out) {
            if (!labels.add(e.label)) {
                throw new ConfigException(option + " " + file + ": system " + e.label + " appears twice");
            }
        }
        return out;
    }

    private static JsonNode check(JsonNode r, Path file, String option) {
        if (!r.isObject() || !r.path("perTokenLatencyMs").isNumber() || !r.path("system").isTextual()) {
            throw new ConfigException(option + " " + file + ": not a wafersim result (no system or perTokenLatencyMs);"
                    + " expected the JSON of wafersim run --json or wafersim compare --json");
        }
        return r;
    }

    /** A percentage for reports: {@code +10.00%}, {@code -2.50%}, {@code +inf%}. */
    static String pct(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "+inf%" : "-inf%";
        }
        return String.format(Locale.ROOT, "%+.2f%%", v);
    }
}
