package dev.wafersim.cli.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.LatencyCategory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The columns of a sweep's CSV and the row of a point. Units are in the names ({@code Ms}, {@code Bytes},
 * {@code tokensPerSecond}). Columns, in order:
 *
 * <ul>
 *   <li>{@code point}: the point's index in the plan (rows are written as points finish, so sort by it);</li>
 *   <li>one column per axis, named by its key, holding the point's value as written (the key columns:
 *       {@code --resume} matches rows on them);</li>
 *   <li>{@code status} ({@code ok}, {@code failed}: the point's input was rejected, e.g. the model does not
 *       fit; {@code simfailed}: the simulation stalled; {@code error}: a bug) and {@code error} (the message);</li>
 *   <li>the experiment: {@code system} and {@code model} (unless they are axes), {@code precision},
 *       {@code batch}, {@code contextTokens}, {@code tokens}, {@code machine};</li>
 *   <li>the metrics: {@code perTokenLatencyMs}, {@code p50Ms}, {@code p99Ms}, {@code minMs}, {@code maxMs},
 *       {@code tokensPerSecond} (per user), {@code tokensPerSecondTotal}, {@code breakdown.<category>Ms}
 *       for every {@link LatencyCategory}, {@code memoryStore}, {@code memoryUsedBytes},
 *       {@code memoryUsableBytes}, {@code extras} (the machine's own figures, as JSON);</li>
 *   <li>{@code configHash} (hardware parameters) and {@code experimentHash} (everything that determines the run).</li>
 * </ul>
 *
 * <p>The row of a point does not depend on wall time or thread count: the same sweep gives the same rows.
 */
public final class SweepCsv {
    /** Column of the point index. */
    public static final String POINT = "point";
    /** Column of the status. */
    public static final String STATUS = "status";
    /** Column of the experiment hash. */
    public static final String EXPERIMENT_HASH = "experimentHash";

    private static final List<String> IDENTITY = List.of("system", "model", "precision", "batch", "contextTokens",
            "tokens", "machine");
    private static final List<String> METRICS = List.of("perTokenLatencyMs", "p50Ms", "p99Ms", "minMs", "maxMs",
            "tokensPerSecond", "tokensPerSecondTotal");

    private final List<String> axisKeys;
    private final List<String> header;

    /** The CSV of a sweep over {@code axisKeys}. */
    public SweepCsv(List<String> axisKeys) {
        this.axisKeys = List.copyOf(axisKeys);
        List<String> h = new ArrayList<>();
        h.add(POINT);
        h.addAll(axisKeys);
        h.add(STATUS);
        h.add("error");
        for (String c : IDENTITY) {
            if (!axisKeys.contains(c)) {
                h.add(c);
            }
        }
        h.addAll(METRICS);
        for (LatencyCategory c : LatencyCategory.values()) {
            h.add(breakdownColumn(c.key()));
        }
        h.add("memoryStore");
        h.add("memoryUsedBytes");
        h.add("memoryUsableBytes");
        h.add("extras");
        h.add("configHash");
        h.add(EXPERIMENT_HASH);
        this.header = List.copyOf(h);
    }

    /** The column of a breakdown category: {@code breakdown.<category>Ms}. */
    public static String breakdownColumn(String category) {
        return "breakdown." + category + "Ms";
    }

    /** The column names. */
    public List<String> header() {
        return header;
    }

    /**
     * The row of a point.
     *
     * @param point      index of the point
     * @param axisValues the point's values, one per axis
     * @param e          the point's experiment
     * @param result     its result JSON ({@link Experiment#resultJson}), or null when it failed
     * @param decode     its result, or null when it failed
     * @param status     ok, failed, simfailed or error
     * @param error      the message, or empty
     */
    public List<String> row(int point, List<String> axisValues, Experiment e, JsonNode result, DecodeResult decode,
                            String status, String error) {
        List<String> r = new ArrayList<>(header.size());
        r.add(Integer.toString(point));
        r.addAll(axisValues);
        r.add(status);
        r.add(error);
        for (String c : IDENTITY) {
            if (axisKeys.contains(c)) {
                continue;
            }
            r.add(switch (c) {
                case "system" -> e.entry().name();
                case "model" -> e.model().name();
                case "precision" -> e.workload().precision().label();
                case "batch" -> Integer.toString(e.workload().batchSize());
                case "contextTokens" -> Long.toString(e.workload().contextTokens());
                case "tokens" -> Integer.toString(e.workload().tokensToGenerate());
                case "machine" -> decode == null ? "" : decode.machine();
                default -> throw new IllegalStateException(c);
            });
        }
        for (String m : METRICS) {
            r.add(result == null ? "" : number(result.path(m)));
        }
        for (LatencyCategory c : LatencyCategory.values()) {
            r.add(result == null ? "" : number(result.path("breakdownMs").path(c.key())));
        }
        r.add(result == null ? "" : result.path("memory").path("store").asText(""));
        r.add(result == null ? "" : number(result.path("memory").path("usedBytes")));
        r.add(result == null ? "" : number(result.path("memory").path("usableBytes")));
        r.add(decode == null ? "" : extras(decode.extras()));
        r.add(e.params().hash());
        r.add(e.hash());
        return r;
    }

    private static String number(JsonNode n) {
        if (n.isIntegralNumber()) {
            return Long.toString(n.asLong());
        }
        if (n.isNumber()) {
            return Double.toString(n.asDouble());
        }
        return "";
    }

    private static String extras(Map<String, Object> extras) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Object> x : extras.entrySet()) {
            Object v = x.getValue();
            if (v instanceof Long l) {
                o.put(x.getKey(), l);
            } else if (v instanceof Double d) {
                o.put(x.getKey(), d);
            } else if (v instanceof Boolean b) {
                o.put(x.getKey(), b);
            } else {
                o.put(x.getKey(), String.valueOf(v));
            }
        }
        return o.toString();
    }
}
