package dev.wafersim.cli.chart;

import java.awt.BasicStroke;
import java.awt.geom.Ellipse2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A metric against one swept quantity as lines with markers, one line per combination of the other
 * varying quantities. A numeric x (context length, batch, model size) gets a value axis, logarithmic
 * when asked or, in {@link Scale#AUTO}, when the values span a factor of 50 or more (base 2 when they
 * are all powers of two); a non-numeric x (model or system names) gets one category per value, in the
 * order first seen. The y axis is linear and starts at zero.
 */
public final class LineChart {
    /** How to scale a numeric x axis. */
    public enum Scale { LINEAR, LOG, AUTO }

    /**
     * One point.
     *
     * @param x     the numeric x, or null for a categorical point
     * @param xText the x as text (the category, or the value as written)
     * @param y     the value
     * @param label a text drawn next to the point, or null
     */
    public record Point(Double x, String xText, double y, String label) {
        public Point {
            Objects.requireNonNull(xText, "xText");
        }
    }

    /** One line: its legend entry and its points in x order. */
    public record Line(String name, List<Point> points) {
        public Line {
            Objects.requireNonNull(name, "name");
            points = List.copyOf(points);
        }
    }

    /**
     * A chart's content.
     *
     * @param title    the title
     * @param subtitle the fixed part of the experiment, or null
     * @param xLabel   x axis label with its unit
     * @param yLabel   y axis label with its unit
     * @param lines    the lines
     */
    public record Data(String title, String subtitle, String xLabel, String yLabel, List<Line> lines) {
        public Data {
            Objects.requireNonNull(title, "title");
            lines = List.copyOf(lines);
        }
    }

    private LineChart() {
    }

    /** The chart of {@code d}, the y axis linear from zero. */
    public static JFreeChart of(Data d, Scale scale) {
        return of(d, scale, Scale.LINEAR);
    }

    /**
     * The chart of {@code d}: {@code scale} for a numeric x axis, {@code yScale} for the y axis (linear from
     * zero; log, or in {@link Scale#AUTO} log when the values are positive and span a factor of 50 or more,
     * with "log scale" in the axis label so the reader is told).
     */
    public static JFreeChart of(Data d, Scale scale, Scale yScale) {
        boolean numeric = true;
        boolean any = false;
        for (Line l : d.lines()) {
            for (Point p : l.points()) {
                any = true;
                numeric &= p.x() != null && Double.isFinite(p.x());
            }
        }
        if (!any) {
            throw new IllegalArgumentException("no points to draw");
        }
        boolean legend = d.lines().size() > 1;
        JFreeChart chart = numeric ? xy(d, scale, yScale, legend) : categories(d, legend);
        return ChartStyle.apply(chart, d.subtitle());
    }

    private static JFreeChart xy(Data d, Scale scale, Scale yScale, boolean legend) {
        XYSeriesCollection data = new XYSeriesCollection();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean powersOfTwo = true;
        boolean integers = true;
        // A point label is drawn once per x, above the highest point there, so lines sharing an x do not
        // stack the same text.
        Map<Double, Integer> top = new HashMap<>();
        Map<Double, Double> topY = new HashMap<>();
        for (int s = 0; s < d.lines().size(); s++) {
            Line l = d.lines().get(s);
            XYSeries xy = new XYSeries(l.name(), true, true);
            for (Point p : l.points()) {
                xy.add(p.x().doubleValue(), p.y());
                min = Math.min(min, p.x());
                max = Math.max(max, p.x());
                long v = Math.round(p.x());
                integers &= v == p.x();
                powersOfTwo &= v == p.x() && v > 0 && Long.bitCount(v) == 1;
                if (p.label() != null && (!topY.containsKey(p.x()) || p.y() > topY.get(p.x()))) {
                    top.put(p.x(), s);
                    topY.put(p.x(), p.y());
                }
            }
            data.addSeries(xy);
        }
        Map<String, String> labels = new HashMap<>();
        for (int s = 0; s < d.lines().size(); s++) {
            for (Point p : d.lines().get(s).points()) {
                if (p.label() != null && top.get(p.x()) == s) {
                    labels.put(s + "/" + p.x(), p.label());
                }
            }
        }
        boolean log = scale == Scale.LOG || (scale == Scale.AUTO && min > 0 && max / min >= 50);
        if (log && !(min > 0)) {
            throw new dev.wafersim.core.config.ConfigException("a logarithmic x axis needs positive values; the smallest is "
                    + min);
        }
        ValueAxis x;
        if (log) {
            String scaleNote = powersOfTwo ? "log2 scale" : "log scale";
            String label = d.xLabel().endsWith(")")
                    ? d.xLabel().substring(0, d.xLabel().length() - 1) + ", " + scaleNote + ")"
                    : d.xLabel() + " (" + scaleNote + ")";
            LogAxis a = new LogAxis(label);
            a.setBase(powersOfTwo ? 2 : 10);
            a.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
            a.setSmallestValue(min / 2);
            // Ticks at the powers of the base only: 1, 10, 100 or 1,024, 2,048, 4,096.
            double powers = Math.log(max / min) / Math.log(powersOfTwo ? 2 : 10);
            a.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil(powers / 12))), false, true);
            a.setLowerMargin(labels.isEmpty() ? 0.04 : 0.08);
            a.setUpperMargin(labels.isEmpty() ? 0.04 : 0.08);
            x = a;
        } else {
            NumberAxis a = new NumberAxis(d.xLabel());
            a.setAutoRangeIncludesZero(false);
            if (integers) {
                a.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
            }
            if (!labels.isEmpty()) {
                a.setLowerMargin(0.08);
                a.setUpperMargin(0.08);
            }
            a.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
            x = a;
        }
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Line l : d.lines()) {
            for (Point p : l.points()) {
                yMin = Math.min(yMin, p.y());
                yMax = Math.max(yMax, p.y());
            }
        }
        boolean yLog = yScale == Scale.LOG || (yScale == Scale.AUTO && yMin > 0 && yMax / yMin >= 50);
        if (yLog && !(yMin > 0)) {
            throw new dev.wafersim.core.config.ConfigException("a logarithmic y axis needs positive values; the smallest"
                    + " is " + yMin);
        }
        ValueAxis y;
        if (yLog) {
            String label = d.yLabel().endsWith(")")
                    ? d.yLabel().substring(0, d.yLabel().length() - 1) + ", log scale)"
                    : d.yLabel() + " (log scale)";
            LogAxis a = new LogAxis(label);
            a.setBase(10);
            a.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
            a.setSmallestValue(yMin / 2);
            a.setTickUnit(new NumberTickUnit(1), false, true);
            a.setUpperMargin(0.08);
            y = a;
        } else {
            NumberAxis a = new NumberAxis(d.yLabel());
            a.setAutoRangeIncludesZero(true);
            a.setUpperMargin(0.08);
            y = a;
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < d.lines().size(); i++) {
            r.setSeriesPaint(i, ChartStyle.colour(i));
            r.setSeriesStroke(i, new BasicStroke(2.2f));
            r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
        }
        if (!labels.isEmpty()) {
            r.setDefaultItemLabelGenerator((dataset, series, item) ->
                    labels.get(series + "/" + dataset.getXValue(series, item)));
            r.setDefaultItemLabelsVisible(true);
            r.setDefaultItemLabelFont(ChartStyle.TICK);
            r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                    TextAnchor.BOTTOM_CENTER));
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        return new JFreeChart(d.title(), ChartStyle.TITLE, plot, legend);
    }

    private static JFreeChart categories(Data d, boolean legend) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        int categories = 0;
        for (Line l : d.lines()) {
            for (Point p : l.points()) {
                data.addValue(p.y(), l.name(), p.xText());
            }
        }
        categories = data.getColumnCount();
        CategoryAxis x = new CategoryAxis(d.xLabel());
        x.setMaximumCategoryLabelLines(2);
        if (categories > 8) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        NumberAxis y = new NumberAxis(d.yLabel());
        y.setAutoRangeIncludesZero(true);
        y.setUpperMargin(0.08);
        LineAndShapeRenderer r = new LineAndShapeRenderer(true, true);
        for (int i = 0; i < d.lines().size(); i++) {
            r.setSeriesPaint(i, ChartStyle.colour(i));
            r.setSeriesStroke(i, new BasicStroke(2.2f));
            r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
        }
        CategoryPlot plot = new CategoryPlot(data, x, y, r);
        return new JFreeChart(d.title(), ChartStyle.TITLE, plot, legend);
    }
}
