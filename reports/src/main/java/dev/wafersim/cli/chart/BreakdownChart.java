package dev.wafersim.cli.chart;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.CategoryTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Per-token latency of several systems as stacked bars: one bar per system, one stack segment per
 * latency category (ms, linear axis), the total written above each bar. The categories are the union of
 * the bars' categories in first-seen order; a category that is zero in every bar is left out of the
 * chart (tables keep it).
 */
public final class BreakdownChart {
    private BreakdownChart() {
    }

    /**
     * One bar.
     *
     * @param label      the system, as the user named it
     * @param categoryMs mean ms per token of each category, in display order; they sum to the total
     * @param totalMs    mean per-token latency, ms
     */
    public record Bar(String label, Map<String, Double> categoryMs, double totalMs) {
        public Bar {
            Objects.requireNonNull(label, "label");
            categoryMs = Collections.unmodifiableMap(new LinkedHashMap<>(categoryMs));
        }
    }

    /** The chart of {@code bars}, titled {@code title} with {@code subtitle} (the workload) under it. */
    public static JFreeChart of(String title, String subtitle, List<Bar> bars) {
        if (bars.isEmpty()) {
            throw new IllegalArgumentException("no bars");
        }
        Set<String> categories = new LinkedHashSet<>();
        for (Bar b : bars) {
            categories.addAll(b.categoryMs().keySet());
        }
        List<String> shown = new ArrayList<>();
        for (String c : categories) {
            for (Bar b : bars) {
                if (b.categoryMs().getOrDefault(c, 0.0) > 0) {
                    shown.add(c);
                    break;
                }
            }
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String c : shown) {
            for (Bar b : bars) {
                data.addValue(b.categoryMs().getOrDefault(c, 0.0), c, b.label());
            }
        }
        CategoryAxis x = new CategoryAxis("system");
        x.setMaximumCategoryLabelLines(3);
        x.setCategoryMargin(0.35);
        if (bars.size() > 6) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        NumberAxis y = new NumberAxis("per-token latency (ms)");
        y.setUpperMargin(0.12);
        StackedBarRenderer r = new StackedBarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setMaximumBarWidth(0.18);
        r.setDrawBarOutline(true);
        r.setDefaultOutlinePaint(Color.WHITE);
        for (int i = 0; i < shown.size(); i++) {
            r.setSeriesPaint(i, ChartStyle.categoryColour(shown.get(i), i));
        }
        CategoryPlot plot = new CategoryPlot(data, x, y, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        for (Bar b : bars) {
            CategoryTextAnnotation a = new CategoryTextAnnotation(ChartStyle.ms(b.totalMs()) + " ms", b.label(),
                    b.totalMs());
            a.setTextAnchor(TextAnchor.BOTTOM_CENTER);
            a.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            plot.addAnnotation(a);
        }
        JFreeChart chart = new JFreeChart(title, ChartStyle.TITLE, plot, true);
        return ChartStyle.apply(chart, subtitle);
    }
}
