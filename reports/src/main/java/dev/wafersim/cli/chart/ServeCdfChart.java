package dev.wafersim.cli.chart;

import java.awt.BasicStroke;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The latency distributions of a serving replay, side by side, one line per system: on the left the time
 * to first token of every completed request, on the right every time between two consecutive output
 * tokens of a request, each as a cumulative distribution (the share of values at or below x). The TTFT
 * steps are the exact per-request values; the TBT steps come from an HdrHistogram (3 significant
 * digits). An axis is logarithmic when its values span 50 times or more. With an SLO, its targets are dashed
 * lines (the TPOT target on the time-between-tokens panel: a request's TPOT is the mean of its gaps).
 */
public final class ServeCdfChart {
    private ServeCdfChart() {
    }

    /**
     * One system's distributions.
     *
     * @param name   the legend entry
     * @param ttftMs every completed request's TTFT, ms
     * @param tbtNs  the times between tokens, ns
     */
    public record Series(String name, double[] ttftMs, Histogram tbtNs) {
        public Series {
            Objects.requireNonNull(name, "name");
            ttftMs = ttftMs.clone();
            Arrays.sort(ttftMs);
        }
    }

    /** The chart of {@code systems}, with {@code subtitle} (the workload) under the title. */
    public static JFreeChart of(List<Series> systems, String subtitle) {
        return of(systems, subtitle, Double.NaN, Double.NaN);
    }

    /**
     * The chart with the SLO's targets drawn as dashed lines: {@code ttftTargetMs} on the TTFT panel,
     * {@code tpotTargetMs} on the time-between-tokens panel (NaN: none).
     */
    public static JFreeChart of(List<Series> systems, String subtitle, double ttftTargetMs, double tpotTargetMs) {
        if (systems.isEmpty()) {
            throw new IllegalArgumentException("no systems");
        }
        XYSeriesCollection ttft = new XYSeriesCollection();
        XYSeriesCollection tbt = new XYSeriesCollection();
        for (Series s : systems) {
            XYSeries a = new XYSeries(s.name(), false, true);
            int n = s.ttftMs().length;
            for (int i = 0; i < n; i++) {
                if (i == 0) {
                    a.add(s.ttftMs()[0], 0.0);
                }
                a.add(s.ttftMs()[i], 100.0 * (i + 1) / n);
            }
            ttft.addSeries(a);
            XYSeries b = new XYSeries(s.name(), false, true);
            Histogram h = s.tbtNs();
            long total = h.getTotalCount();
            long seen = 0;
            boolean first = true;
            for (HistogramIterationValue v : h.recordedValues()) {
                double ms = h.medianEquivalentValue(v.getValueIteratedTo()) / 1e6;
                if (first) {
                    b.add(ms, 0.0);
                    first = false;
                }
                seen += v.getCountAtValueIteratedTo();
                b.add(ms, 100.0 * seen / total);
            }
            tbt.addSeries(b);
        }
        NumberAxis y = new NumberAxis("requests or token gaps at or below (%)");
        y.setRange(0, 105);
        y.setTickUnit(new NumberTickUnit(20));
        y.setLabelFont(ChartStyle.LABEL);
        y.setTickLabelFont(ChartStyle.TICK);
        CombinedRangeXYPlot plot = new CombinedRangeXYPlot(y);
        plot.setGap(24);
        XYPlot left = panel(ttft, "time to first token (ms)", systems.size());
        XYPlot right = panel(tbt, "time between tokens (ms)", systems.size());
        target(left, ttftTargetMs, "TTFT target");
        target(right, tpotTargetMs, "TPOT target");
        plot.add(left, 1);
        plot.add(right, 1);
        plot.setFixedLegendItems(left.getLegendItems());
        JFreeChart chart = new JFreeChart("Serving latency distributions (CDF)", ChartStyle.TITLE, plot, true);
        return ChartStyle.apply(chart, subtitle);
    }

    /** A dashed vertical line at {@code ms} labelled {@code label}, widening the axis to show it. */
    private static void target(XYPlot plot, double ms, String label) {
        if (Double.isNaN(ms)) {
            return;
        }
        ValueMarker m = new ValueMarker(ms, new java.awt.Color(0x666666), new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {5f, 4f}, 0f));
        m.setLabel(label + " " + ChartStyle.ms(ms) + " ms");
        m.setLabelFont(ChartStyle.TICK);
        m.setLabelBackgroundColor(new java.awt.Color(255, 255, 255, 220));
        ValueAxis x = plot.getDomainAxis();
        if (ms > x.getUpperBound()) {
            x.setUpperBound(ms * 1.1);
        } else if (ms < x.getLowerBound()) {
            x.setLowerBound(x instanceof LogAxis ? ms / 1.3 : Math.max(0, ms - 0.05 * (x.getUpperBound() - ms)));
        }
        // The label goes on the side of the line with more room.
        double lo = x.getLowerBound();
        double hi = x.getUpperBound();
        double at = x instanceof LogAxis ? Math.log(ms / lo) / Math.log(hi / lo) : (ms - lo) / (hi - lo);
        boolean left = at > 0.5;
        m.setLabelAnchor(left ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
        m.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(40, 4, 0, 4));
        plot.addDomainMarker(m, Layer.FOREGROUND);
    }

    private static XYPlot panel(XYSeriesCollection data, String label, int series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < data.getSeriesCount(); i++) {
            XYSeries s = data.getSeries(i);
            if (s.getItemCount() > 0) {
                lo = Math.min(lo, s.getMinX());
                hi = Math.max(hi, s.getMaxX());
            }
        }
        ValueAxis x;
        if (hi > 0 && lo > 0 && hi / lo >= 50) {
            LogAxis log = new LogAxis(label);
            log.setBase(10);
            log.setTickUnit(new NumberTickUnit(1));
            log.setMinorTickMarksVisible(true);
            log.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.###",
                    java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)));
            log.setRange(lo / 1.3, hi * 1.3);
            x = log;
        } else {
            NumberAxis lin = new NumberAxis(label);
            double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(0.01, 0.05 * hi);
            lin.setRange(Math.max(0, (Double.isInfinite(lo) ? 0 : lo) - pad), hi + pad);
            x = lin;
        }
        XYStepRenderer r = new XYStepRenderer();
        for (int i = 0; i < series; i++) {
            r.setSeriesPaint(i, ChartStyle.colour(i));
            r.setSeriesStroke(i, new BasicStroke(2.5f));
        }
        x.setLabelFont(ChartStyle.LABEL);
        x.setTickLabelFont(ChartStyle.TICK);
        XYPlot p = new XYPlot(data, x, null, r);
        p.setBackgroundPaint(java.awt.Color.WHITE);
        p.setDomainGridlinePaint(ChartStyle.GRID);
        p.setRangeGridlinePaint(ChartStyle.GRID);
        p.setDomainGridlineStroke(new BasicStroke(1f));
        p.setRangeGridlineStroke(new BasicStroke(1f));
        return p;
    }
}
