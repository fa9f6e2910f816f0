package dev.wafersim.cli.sweep;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.report.ResultColumns;
import dev.wafersim.workloads.step.TimeToFirstToken;
import dev.wafersim.workloads.run.DecodeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The columns of a sweep's CSV and the row of a point. Columns, in order:
 *
 * <ul>
 *   <li>{@code point}: the point's index in the plan (rows are written as points finish, so sort by it);</li>
 *   <li>one column per axis, named by its key, holding the point's value as written (the key columns:
 *       {@code --resume} matches rows on them);</li>
 *   <li>{@code status} ({@code ok}, {@code failed}: the point's input was rejected, e.g. the model does not
 *       fit; {@code simfailed}: the simulation stalled; {@code error}: a bug) and {@code error} (the message);</li>
 *   <li>the result's columns ({@link ResultColumns}: experiment, metrics, breakdown, memory, details,
 *       hashes), without the experiment columns that are axes;</li>
 *   <li>in a shard's file only ({@code --shard I/N}): {@code shard} ({@code I/N}) and {@code manifestHash} (the
 *       sweep's {@link SweepManifest#hash()}), so that every row says which sweep and which split it belongs to.
 *       {@code wafersim sweep merge} drops them: the merged file has the columns of an unsharded sweep.</li>
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
    public static final String EXPERIMENT_HASH = ResultColumns.EXPERIMENT_HASH;
    /** Column of a shard's file: the shard, {@code I/N}. */
    public static final String SHARD = "shard";
    /** Column of a shard's file: the hash of the sweep's manifest. */
    public static final String MANIFEST_HASH = "manifestHash";

    private final ResultColumns results;
    private final List<String> header;
    private final List<String> shardCells;

    /** The CSV of an unsharded sweep over {@code axisKeys}. */
    public SweepCsv(List<String> axisKeys) {
        this(axisKeys, List.of());
    }

    private SweepCsv(List<String> axisKeys, List<String> shardCells) {
        this.results = new ResultColumns(Set.copyOf(axisKeys));
        List<String> h = new ArrayList<>();
        h.add(POINT);
        h.addAll(axisKeys);
        h.add(STATUS);
        h.add("error");
        h.addAll(results.names());
        if (!shardCells.isEmpty()) {
            h.add(SHARD);
            h.add(MANIFEST_HASH);
        }
        this.header = List.copyOf(h);
        this.shardCells = List.copyOf(shardCells);
    }

    /** The CSV of shard {@code shard} of a sweep over {@code axisKeys} whose manifest hash is {@code manifestHash}. */
    public static SweepCsv sharded(List<String> axisKeys, SweepShard shard, String manifestHash) {
        return new SweepCsv(axisKeys, List.of(shard.label(), manifestHash));
    }

    /** True for a shard's file. */
    public boolean isSharded() {
        return !shardCells.isEmpty();
    }

    /** The shard, {@code I/N}, of a shard's file; empty for an unsharded sweep. */
    public String shardLabel() {
        return isSharded() ? shardCells.get(0) : "";
    }

    /** The manifest hash of a shard's file; empty for an unsharded sweep. */
    public String manifestHash() {
        return isSharded() ? shardCells.get(1) : "";
    }

    /** The column of a breakdown category: {@code breakdown.<category>Ms}. */
    public static String breakdownColumn(String category) {
        return ResultColumns.breakdownColumn(category);
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
     * @param decode     its result, or null when it failed
     * @param status     ok, failed, simfailed or error
     * @param error      the message, or empty
     */
    public List<String> row(int point, List<String> axisValues, Experiment e, DecodeResult decode, String status,
                            String error) {
        return row(point, axisValues, e, decode, null, status, error);
    }

    /**
     * The row of a point with its time to first token ({@code ttft}: null when the experiment has no prompt or the
     * point failed); the other arguments as {@link #row(int, List, Experiment, DecodeResult, String, String)}.
     */
    public List<String> row(int point, List<String> axisValues, Experiment e, DecodeResult decode,
                            TimeToFirstToken ttft, String status, String error) {
        List<String> r = new ArrayList<>(header.size());
        r.add(Integer.toString(point));
        r.addAll(axisValues);
        r.add(status);
        r.add(error);
        for (Object v : results.cells(e, decode, ttft)) {
            r.add(v == null ? "" : v instanceof Double d ? Double.toString(d) : v.toString());
        }
        r.addAll(shardCells);
        return r;
    }
}
