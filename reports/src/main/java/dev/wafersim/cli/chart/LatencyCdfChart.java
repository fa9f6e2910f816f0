package dev.wafersim.cli.chart;

import dev.wafersim.workloads.run.DecodeResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The per-token latency distribution of one or more runs as a cumulative distribution: for each
 * latency x, the percentage of generated tokens that took at most x. The steps come from an
 * HdrHistogram of the token latencies (1 ns resolution, 4 significant digits, so each step is within
 * 0.01% of the latency it marks). With one run, dashed lines mark p50 and p99 (one line when they
 * coincide). The x axis spans the recorded latencies with a margin of at least 0.05% of the largest, so a
 * run whose tokens all take about the same time still gets a readable axis.
 */
public final class LatencyCdfChart {
    /** Histogram precision: 4 significant decimal digits (as {@code DecodeResult}'s percentiles). */
    private static final int DIGITS = 4;

    private LatencyCdfChart() {
    }

    /**
     * One run's token latencies.
     *
     * @param name        the legend entry
     * @param latenciesPs every generated token's latency, ps
     * @param description the workload, for the subtitle
     */
    public record Series(String name, long[] latenciesPs, String description) {
        public Series {
            Objects.requireNonNull(name, "name");
            if (latenciesPs.length == 0) {
                throw new IllegalArgumentException("no latencies");
            }
            latenciesPs = latenciesPs.clone();
        }

        /** The series of a decode result. */
        public static Series of(DecodeResult r) {
            String machine = r.machine();
            int comma = machine.indexOf(',');
            return new Series(r.system() + ", " + r.model(), r.tokenLatenciesPs(), String.format(Locale.ROOT,
                    "%s on %s; batch %d, context %d tokens, %d tokens generated", r.model(),
                    comma < 0 ? machine : machine.substring(0, comma), r.batch(), r.contextTokens(), r.tokens()));
        }
    }

    /** The chart of {@code runs}. */
    public static JFreeChart of(List<Series> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double[] p50 = new double[runs.size()];
        double[] p99 = new double[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            Series s = runs.get(i);
            Histogram h = new Histogram(DIGITS);
            for (long ps : s.latenciesPs()) {
                h.recordValue(Math.max(1, Math.round(ps / 1000.0)));
            }
            Histogram pct = h;
            String legendName = runs.size() == 1 ? s.name() : s.name() + " (p50 " + fine(pct.medianEquivalentValue(
                    pct.getValueAtPercentile(50)) / 1e6) + " ms, p99 " + fine(pct.medianEquivalentValue(
                    pct.getValueAtPercentile(99)) / 1e6) + " ms)";
            XYSeries xy = new XYSeries(legendName, false, true);
            long total = h.getTotalCount();
            long seen = 0;
            boolean first = true;
            for (HistogramIterationValue v : h.recordedValues()) {
                double ms = h.medianEquivalentValue(v.getValueIteratedTo()) / 1e6;
                if (first) {
                    xy.add(ms, 0.0);
                    first = false;
                }
                seen += v.getCountAtValueIteratedTo();
                xy.add(ms, 100.0 * seen / total);
                lo = Math.min(lo, ms);
                hi = Math.max(hi, ms);
            }
            data.addSeries(xy);
            p50[i] = h.medianEquivalentValue(h.getValueAtPercentile(50)) / 1e6;
            p99[i] = h.medianEquivalentValue(h.getValueAtPercentile(99)) / 1e6;
        }
        NumberAxis x = new NumberAxis("per-token latency (ms)");
        double pad = Math.max(0.1 * (hi - lo), 0.0005 * hi);
        x.setRange(lo - pad, hi + pad);
        // Plain decimals (0.19764), never JFreeChart's scientific ticks (1.9764E-1) for a narrow range.
        x.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.0#####",
                java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        NumberAxis y = new NumberAxis("tokens at or below the latency (%)");
        y.setRange(0, 105);
        y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(20));
        XYStepRenderer r = new XYStepRenderer();
        for (int i = 0; i < runs.size(); i++) {
            r.setSeriesPaint(i, ChartStyle.colour(i));
            r.setSeriesStroke(i, new BasicStroke(2.5f));
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        if (runs.size() == 1) {
            double lower = lo - pad;
            double span = hi + pad - lower;
            if (fine(p50[0]).equals(fine(p99[0]))) {
                marker(plot, p99[0], "p50 = p99", (p99[0] - lower) / span > 0.5, 0);
            } else {
                // A label reads away from the nearer edge, so neither is clipped; p99's sits a line lower
                // so the two do not overlap when the percentiles are close.
                marker(plot, p50[0], "p50", (p50[0] - lower) / span > 0.5, 0);
                marker(plot, p99[0], "p99", (p99[0] - lower) / span > 0.5, 18);
            }
        }
        String title = "Per-token latency distribution (CDF)";
        JFreeChart chart = new JFreeChart(title, ChartStyle.TITLE, plot, true);
        String sub = runs.size() == 1 ? runs.get(0).description()
                : "p50 and p99 of each run in the legend; a run whose tokens all take the same time is a vertical step";
        return ChartStyle.apply(chart, sub);
    }

    /** A latency with ns resolution: {@code 17.324 ms} needs three decimals to tell p50 from p99. */
    private static String fine(double ms) {
        return String.format(Locale.ROOT, ms >= 1 ? "%.3f" : "%.4f", ms);
    }

    /**
     * A dashed vertical line at {@code ms}, labelled near the top ({@code downPx} lower), on the left or the
     * right of the line.
     */
    private static void marker(XYPlot plot, double ms, String label, boolean left, double downPx) {
        ValueMarker m = new ValueMarker(ms, new Color(0x666666), new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {5f, 4f}, 0f));
        m.setLabel(label + " " + fine(ms) + " ms");
        m.setLabelFont(ChartStyle.TICK);
        m.setLabelBackgroundColor(new Color(255, 255, 255, 220));
        m.setLabelAnchor(left ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
        m.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(3 + downPx, 4, 3, 4));
        plot.addDomainMarker(m, Layer.FOREGROUND);
    }
}
