package dev.wafersim.cli.sweep;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.report.ResultColumns;
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
 *       hashes), without the experiment columns that are axes.</li>
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

    private final ResultColumns results;
    private final List<String> header;

    /** The CSV of a sweep over {@code axisKeys}. */
    public SweepCsv(List<String> axisKeys) {
        this.results = new ResultColumns(Set.copyOf(axisKeys));
        List<String> h = new ArrayList<>();
        h.add(POINT);
        h.addAll(axisKeys);
        h.add(STATUS);
        h.add("error");
        h.addAll(results.names());
        this.header = List.copyOf(h);
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
        List<String> r = new ArrayList<>(header.size());
        r.add(Integer.toString(point));
        r.addAll(axisValues);
        r.add(status);
        r.add(error);
        for (Object v : results.cells(e, decode)) {
            r.add(v == null ? "" : v instanceof Double d ? Double.toString(d) : v.toString());
        }
        return r;
    }
}
