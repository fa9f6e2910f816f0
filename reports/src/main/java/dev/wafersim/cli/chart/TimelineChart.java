package dev.wafersim.cli.chart;

import dev.wafersim.core.trace.TraceRecorder;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/**
 * A Gantt-style chart of one decode step: a row per track (a GPU's stream and waits, a wafer's layer
 * regions), time on a shared linear axis in microseconds from the start of the step, each span a bar
 * coloured by its category (the categories of the latency breakdown, so colours match the breakdown
 * chart). Several systems share the axis, so a shorter step looks shorter.
 *
 * <p>Async spans (work that overlaps other work of its track: a wafer region's passes of a batch, pipelined)
 * are drawn as a pale band behind the row of the track they belong to (an async track named after a track,
 * "layer 3 passes" for "layer 3 (...)", is drawn on that track's row), so a row shows both the critical
 * path's spans and how long the region was busy with passes off the critical path.
 */
public final class TimelineChart {
    private TimelineChart() {
    }

    /**
     * One system's step.
     *
     * @param label    the system's label
     * @param recorder the spans of its first step (times from the start of the run)
     */
    public record Step(String label, TraceRecorder recorder) {
    }

    /** Rows the chart draws at most; tracks beyond are left out (the subtitle says so). */
    static final int MAX_ROWS = 80;

    /**
     * A process with more tracks than this (a wafer's layer regions: 34 on Llama-3.1-8B) keeps its first and
     * last {@link #KEEP_EDGE} tracks on rows of their own and draws the tracks between on one shared row: on
     * a wafer one step visits the regions one after another, so their spans do not overlap there.
     */
    static final int MAX_TRACKS_PER_PROCESS = 10;

    /** Tracks kept on rows of their own at each end of a process with many tracks. */
    static final int KEEP_EDGE = 3;

    /** The rows of a chart: labels top to bottom and the row of each (system, pid, tid). */
    private record Rows(List<String> labels, Map<String, Integer> rowOf, int grouped) {
        static String key(int step, int pid, int tid) {
            return step + "/" + pid + "/" + tid;
        }
    }

    /**
     * Rows per system, per process in the order their spans come, per track by track id (producers number
     * tracks in the order work visits them); the middle tracks of a process with many share a row.
     */
    private static Rows rows(List<Step> steps) {
        List<String> labels = new ArrayList<>();
        Map<String, Integer> rowOf = new LinkedHashMap<>();
        int grouped = 0;
        for (int si = 0; si < steps.size(); si++) {
            Step s = steps.get(si);
            Map<Integer, java.util.TreeSet<Integer>> tracks = new LinkedHashMap<>();
            for (TraceRecorder.Span sp : s.recorder().spans()) {
                tracks.computeIfAbsent(sp.pid(), k -> new java.util.TreeSet<>()).add(sp.tid());
            }
            for (Map.Entry<Integer, java.util.TreeSet<Integer>> e : tracks.entrySet()) {
                int pid = e.getKey();
                String process = s.recorder().processes().getOrDefault(pid, "process " + pid);
                String prefix = (steps.size() > 1 ? s.label() + ": " : "") + process;
                List<Integer> tids = new ArrayList<>(e.getValue());
                boolean group = tids.size() > MAX_TRACKS_PER_PROCESS;
                int groupRow = -1;
                for (int k = 0; k < tids.size(); k++) {
                    int tid = tids.get(k);
                    String track = s.recorder().trackName(pid, tid);
                    if (group && k >= KEEP_EDGE && k < tids.size() - KEEP_EDGE) {
                        if (groupRow < 0) {
                            int n = tids.size() - 2 * KEEP_EDGE;
                            String first = shortName(s.recorder().trackName(pid, tid));
                            String last = shortName(s.recorder().trackName(pid, tids.get(tids.size() - KEEP_EDGE - 1)));
                            groupRow = labels.size();
                            labels.add(prefix + " / " + first + " ... " + last + " (" + n + " tracks on one row)");
                        }
                        rowOf.put(Rows.key(si, pid, tid), groupRow);
                        grouped++;
                        continue;
                    }
                    rowOf.put(Rows.key(si, pid, tid), labels.size());
                    labels.add(prefix + (track == null ? "" : " / " + track));
                }
            }
        }
        return new Rows(labels, rowOf, grouped);
    }

    /** A track's name without its parenthesized details. */
    private static String shortName(String track) {
        if (track == null) {
            return "?";
        }
        int p = track.indexOf(" (");
        return p > 0 ? track.substring(0, p) : track;
    }

    /** Name of the series of async spans (in the legend). */
    static final String IN_FLIGHT = "passes in flight (overlapping)";

    /** The chart of {@code steps}. */
    public static JFreeChart of(String title, String subtitle, List<Step> steps) {
        Map<String, XYIntervalSeries> series = new LinkedHashMap<>();
        Rows layout = rows(steps);
        XYIntervalSeries inFlight = new XYIntervalSeries(IN_FLIGHT);
        for (int si = 0; si < steps.size(); si++) {
            Step s = steps.get(si);
            Map<String, Integer> trackRow = new java.util.HashMap<>();
            for (Map.Entry<String, Integer> e : layout.rowOf().entrySet()) {
                String[] k = e.getKey().split("/");
                if (Integer.parseInt(k[0]) == si) {
                    int pid = Integer.parseInt(k[1]);
                    String name = shortName(s.recorder().trackName(pid, Integer.parseInt(k[2])));
                    trackRow.put(pid + "/" + name + " passes", e.getValue());
                }
            }
            for (TraceRecorder.AsyncSpan a : s.recorder().asyncSpans()) {
                Integer y = trackRow.get(a.pid() + "/" + a.trackName());
                if (y == null || y >= MAX_ROWS) {
                    continue;
                }
                inFlight.add(y, y - 0.46, y + 0.46, a.startPs() / 1e6, a.startPs() / 1e6, a.endPs() / 1e6);
            }
        }
        if (inFlight.getItemCount() > 0) {
            // First, so the critical path's spans are drawn over it.
            series.put(IN_FLIGHT, inFlight);
        }
        List<String> rows = new ArrayList<>();
        int dropped = 0;
        for (int si = 0; si < steps.size(); si++) {
            Step s = steps.get(si);
            for (TraceRecorder.Span sp : s.recorder().spans()) {
                int y = layout.rowOf().get(Rows.key(si, sp.pid(), sp.tid()));
                if (y >= MAX_ROWS) {
                    dropped++;
                    continue;
                }
                XYIntervalSeries ser = series.computeIfAbsent(sp.category(), XYIntervalSeries::new);
                double x0 = sp.startPs() / 1e6;
                double x1 = sp.endPs() / 1e6;
                // x is the row (drawn vertically: the plot is horizontal), y the time interval.
                ser.add(y, y - 0.38, y + 0.38, x0, x0, x1);
            }
        }
        rows.addAll(layout.labels().subList(0, Math.min(MAX_ROWS, layout.labels().size())));
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no spans to draw");
        }
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        series.values().forEach(data::addSeries);
        // Rows top to bottom in the order met: the symbol axis counts up, so label row i at i and invert it.
        SymbolAxis y = new SymbolAxis(null, rows.toArray(new String[0]));
        y.setInverted(true);
        y.setGridBandsVisible(false);
        NumberAxis x = new NumberAxis("time from the start of the step (us)");
        XYBarRenderer r = new XYBarRenderer();
        r.setUseYInterval(true);
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        int i = 0;
        for (String c : series.keySet()) {
            r.setSeriesPaint(i, c.equals(IN_FLIGHT) ? new Color(0xD9D9D9) : ChartStyle.categoryColour(c, i));
            i++;
        }
        XYPlot plot = new XYPlot(data, null, null, r);
        plot.setDomainAxis(y);
        plot.setRangeAxis(x);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        // Series in order: the async band first, the critical path's spans over it.
        plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
        plot.setRangeGridlinePaint(ChartStyle.GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setDomainGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(title, ChartStyle.TITLE, plot, true);
        String sub = subtitle + (dropped > 0 ? "; " + dropped + " spans on further tracks not drawn" : "");
        ChartStyle.apply(chart, sub);
        plot.getDomainAxis().setTickLabelFont(ChartStyle.TICK.deriveFont(11f));
        plot.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** A height in pixels that gives each row about 16 pixels. */
    public static int preferredHeight(List<Step> steps) {
        return Math.max(400, 220 + 16 * Math.min(rows(steps).labels().size(), MAX_ROWS));
    }
}
