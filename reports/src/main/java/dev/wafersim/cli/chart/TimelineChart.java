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

    /** The chart of {@code steps}. */
    public static JFreeChart of(String title, String subtitle, List<Step> steps) {
        Map<String, XYIntervalSeries> series = new LinkedHashMap<>();
        List<String> rows = new ArrayList<>();
        Map<String, Integer> rowOf = new LinkedHashMap<>();
        int dropped = 0;
        for (Step s : steps) {
            for (TraceRecorder.Span sp : s.recorder().spans()) {
                String process = s.recorder().processes().getOrDefault(sp.pid(), "process " + sp.pid());
                String track = s.recorder().trackName(sp.pid(), sp.tid());
                String row = (steps.size() > 1 ? s.label() + ": " : "") + process + (track == null ? "" : " / " + track);
                Integer y = rowOf.get(row);
                if (y == null) {
                    if (rows.size() >= MAX_ROWS) {
                        dropped++;
                        continue;
                    }
                    y = rows.size();
                    rows.add(row);
                    rowOf.put(row, y);
                }
                XYIntervalSeries ser = series.computeIfAbsent(sp.category(), XYIntervalSeries::new);
                double x0 = sp.startPs() / 1e6;
                double x1 = sp.endPs() / 1e6;
                // x is the row (drawn vertically: the plot is horizontal), y the time interval.
                ser.add(y, y - 0.38, y + 0.38, x0, x0, x1);
            }
        }
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
            r.setSeriesPaint(i, ChartStyle.categoryColour(c, i));
            i++;
        }
        XYPlot plot = new XYPlot(data, null, null, r);
        plot.setDomainAxis(y);
        plot.setRangeAxis(x);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
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
        java.util.Set<String> rows = new java.util.HashSet<>();
        for (Step s : steps) {
            for (TraceRecorder.Span sp : s.recorder().spans()) {
                rows.add(s.label() + sp.pid() + "/" + sp.tid());
            }
        }
        return Math.max(400, 220 + 16 * Math.min(rows.size(), MAX_ROWS));
    }
}
