package dev.wafersim.cli.chart;

import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.CategoryTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.IntervalBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultIntervalCategoryDataset;

/**
 * A ratio decomposed into factors that multiply to it, as a waterfall on a logarithmic axis
 * ({@code wafersim explain --chart}): the first bar spans 1 to the whole ratio; each factor's bar spans the
 * ratio before it was taken out to the ratio after, so bar lengths on the log axis add up as the factors
 * multiply; the last factor (what remains) spans 1 to what is left. Each bar is labelled with its factor.
 * A factor below 1 (taking it out made the ratio grow; or, for what remains, A is the slower one once every
 * swap is made) is drawn in another colour.
 */
public final class WaterfallChart {
    private WaterfallChart() {
    }

    /**
     * One factor.
     *
     * @param name   the factor
     * @param factor the ratio before over the ratio after
     */
    public record Step(String name, double factor) {
        public Step {
            Objects.requireNonNull(name, "name");
            if (!(factor > 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("factor " + factor);
            }
        }
    }

    /** The chart of {@code ratio} (named {@code ratioName}) and its {@code steps}, whose product is the ratio. */
    public static JFreeChart of(String title, String subtitle, String ratioName, double ratio, List<Step> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no steps");
        }
        int n = steps.size() + 1;
        String[] names = new String[n];
        Number[][] lo = new Number[2][n];
        Number[][] hi = new Number[2][n];
        names[0] = ratioName;
        lo[0][0] = Math.min(1, ratio);
        hi[0][0] = Math.max(1, ratio);
        double level = ratio;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            double after = i == steps.size() - 1 ? 1 : level / s.factor();
            int series = s.factor() >= 1 ? 0 : 1;
            names[i + 1] = s.name();
            lo[series][i + 1] = Math.min(level, after);
            hi[series][i + 1] = Math.max(level, after);
            lo[1 - series][i + 1] = null;
            hi[1 - series][i + 1] = null;
            level = after;
        }
        lo[1][0] = null;
        hi[1][0] = null;
        DefaultIntervalCategoryDataset data = new DefaultIntervalCategoryDataset(
                new String[] {"factor above 1", "factor below 1"}, names, lo, hi);
        CategoryAxis x = new CategoryAxis("factor (applied in this order)");
        x.setMaximumCategoryLabelLines(3);
        if (n > 6) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        LogAxis y = new LogAxis(ratioName + " (log scale)");
        double min = 1;
        double max = 1;
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < 2; s++) {
                if (lo[s][i] != null) {
                    min = Math.min(min, lo[s][i].doubleValue());
                    max = Math.max(max, hi[s][i].doubleValue());
                }
            }
        }
        y.setRange(min / 1.15, max * 1.35);
        // Ticks at every power of ten (the log axis' tick unit is in exponents).
        y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        y.setNumberFormatOverride(new java.text.DecimalFormat("0.####",
                java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        IntervalBarRenderer r = new IntervalBarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setMaximumBarWidth(0.12);
        r.setSeriesPaint(0, ChartStyle.colour(0));
        r.setSeriesPaint(1, ChartStyle.colour(3));
        r.setDrawBarOutline(true);
        r.setDefaultOutlinePaint(Color.WHITE);
        CategoryPlot plot = new CategoryPlot(data, x, y, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        level = ratio;
        annotate(plot, names[0], Math.max(1, ratio), String.format(Locale.ROOT, "%.2fx", ratio));
        for (int i = 0; i < steps.size(); i++) {
            double after = i == steps.size() - 1 ? 1 : level / steps.get(i).factor();
            annotate(plot, names[i + 1], Math.max(level, after), String.format(Locale.ROOT, "x%.3f",
                    steps.get(i).factor()));
            level = after;
        }
        JFreeChart chart = new JFreeChart(title, ChartStyle.TITLE, plot, true);
        return ChartStyle.apply(chart, subtitle);
    }

    private static void annotate(CategoryPlot plot, String category, double top, String text) {
        CategoryTextAnnotation a = new CategoryTextAnnotation(text, category, top * 1.04);
        a.setTextAnchor(TextAnchor.BOTTOM_CENTER);
        a.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        plot.addAnnotation(a);
    }
}
