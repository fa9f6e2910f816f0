package dev.wafersim.cli.report;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.io.Json;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.step.TimeToFirstToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The columns of one decode result, the same wherever results are tabulated: {@code run --csv},
 * {@code compare --csv} and every row of a sweep. Units are in the names ({@code Ms}, {@code Bytes},
 * {@code tokensPerSecond}). Columns, in order:
 * <ul>
 *   <li>the experiment: {@code system}, {@code model}, {@code precision}, {@code batch},
 *       {@code contextTokens}, {@code tokens}, {@code machine};</li>
 *   <li>the metrics: {@code perTokenLatencyMs}, {@code p50Ms}, {@code p99Ms}, {@code minMs}, {@code maxMs},
 *       {@code tokensPerSecond} (per user), {@code tokensPerSecondTotal}, {@code breakdown.<category>Ms} for
 *       every {@link LatencyCategory}, {@code energyJoulesPerToken}, {@code costUsdPerMillionTokens},
 *       {@code promptTokens} and {@code ttftMs} (the time to first token of the experiment's prompt on the idle
 *       machine, {@code workload.promptTokens}; empty without one),
 *       {@code memoryStore}, {@code memoryUsedBytes}, {@code memoryUsableBytes},
 *       {@code details} (the machine's own figures, {@code GpuDetails} or {@code WaferDetails}, as JSON);</li>
 *   <li>{@code configHash} (hardware parameters) and {@code experimentHash} (everything that determines the
 *       run).</li>
 * </ul>
 * A caller may leave out experiment columns it shows elsewhere (a sweep's axes).
 */
public final class ResultColumns {
    /** The experiment columns. */
    public static final List<String> IDENTITY = List.of("system", "model", "precision", "batch", "contextTokens",
            "tokens", "machine");
    /** The metric columns before the breakdown. */
    public static final List<String> METRICS = List.of("perTokenLatencyMs", "p50Ms", "p99Ms", "minMs", "maxMs",
            "tokensPerSecond", "tokensPerSecondTotal");
    /** Column of the experiment hash. */
    public static final String EXPERIMENT_HASH = "experimentHash";

    private final List<String> identity;

    /** The result columns without the experiment columns in {@code shownElsewhere}. */
    public ResultColumns(Set<String> shownElsewhere) {
        List<String> id = new ArrayList<>();
        for (String c : IDENTITY) {
            if (!shownElsewhere.contains(c)) {
                id.add(c);
            }
        }
        this.identity = List.copyOf(id);
    }

    /** All result columns. */
    public static ResultColumns all() {
        return new ResultColumns(Set.of());
    }

    /** The column of a breakdown category: {@code breakdown.<category>Ms}. */
    public static String breakdownColumn(String category) {
        return "breakdown." + category + "Ms";
    }

    /** Adds the columns to a table being declared. */
    public Table.Builder declare(Table.Builder b) {
        for (String c : identity) {
            if (c.equals("batch") || c.equals("contextTokens") || c.equals("tokens")) {
                b.number(c, c, "");
            } else {
                b.text(c);
            }
        }
        for (String m : METRICS) {
            b.number(m, m, "%.4f");
        }
        for (LatencyCategory c : LatencyCategory.values()) {
            b.number(breakdownColumn(c.key()), breakdownColumn(c.key()), "%.4f");
        }
        b.number("energyJoulesPerToken", "energyJoulesPerToken", "%.4f");
        b.number("costUsdPerMillionTokens", "costUsdPerMillionTokens", "%.4f");
        b.number("promptTokens", "promptTokens", "");
        b.number("ttftMs", "ttftMs", "%.4f");
        b.text("memoryStore");
        b.number("memoryUsedBytes", "memoryUsedBytes", "");
        b.number("memoryUsableBytes", "memoryUsableBytes", "");
        b.text("details");
        b.text("configHash");
        b.text(EXPERIMENT_HASH);
        return b;
    }

    /** The column names, in order. */
    public List<String> names() {
        List<Table.Column> cols = declare(Table.builder()).build().columns();
        return cols.stream().map(Table.Column::name).toList();
    }

    /**
     * The cells of one result; {@code r} null (the point failed) leaves the result's cells empty and keeps
     * the experiment's.
     */
    public List<Object> cells(Experiment e, DecodeResult r) {
        return cells(e, r, null);
    }

    /**
     * The cells of one result and its time to first token ({@code ttft}, null when the experiment has no prompt or
     * the point failed); {@code r} null leaves the result's cells empty and keeps the experiment's.
     */
    public List<Object> cells(Experiment e, DecodeResult r, TimeToFirstToken ttft) {
        List<Object> out = new ArrayList<>();
        for (String c : identity) {
            out.add(switch (c) {
                case "system" -> e.entry().name();
                case "model" -> e.model().name();
                case "precision" -> e.workload().precision().label();
                case "batch" -> e.workload().batchSize();
                case "contextTokens" -> e.workload().contextTokens();
                case "tokens" -> e.workload().tokensToGenerate();
                case "machine" -> r == null ? null : r.machine();
                default -> throw new IllegalStateException(c);
            });
        }
        if (r == null) {
            int n = METRICS.size() + LatencyCategory.values().length + 8;
            for (int i = 0; i < n; i++) {
                out.add(null);
            }
        } else {
            out.add(r.meanMs());
            out.add(r.p50Ms());
            out.add(r.p99Ms());
            out.add(r.minMs());
            out.add(r.maxMs());
            out.add(r.tokensPerSecond());
            out.add(r.tokensPerSecondTotal());
            for (LatencyCategory c : LatencyCategory.values()) {
                out.add(c.appliesTo(r.kind()) ? r.breakdownMs(c) : null);
            }
            out.add(r.energy() == null ? null : r.energy().energyJoulesPerToken());
            out.add(r.energy() == null ? null : r.energy().costUsdPerMillionTokens());
            out.add(ttft == null ? null : ttft.promptTokens());
            out.add(ttft == null ? null : Ticks.toMillis(ttft.latencyPs()));
            out.add(r.memory().store());
            out.add(r.memory().usedBytes());
            out.add(r.memory().usableBytes());
            out.add(Json.compact(r.details()));
        }
        out.add(e.params().hash());
        out.add(e.hash());
        return out;
    }
}
