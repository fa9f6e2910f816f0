package dev.wafersim.cli.chart;

import java.awt.Color;
import java.awt.Paint;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * A heatmap of fabric link utilization over a region of PEs ({@link LinkUtilizationGrid}): one cell per
 * PE coloured by its busy percentage on a perceptually uniform scale (viridis: dark purple 0% to yellow
 * 100%), a colour-scale legend, x = PE column to the right, y = PE row downwards (row 0 at the top, as
 * the fabric is drawn). Grids wider or taller than {@value #MAX_CELLS} PEs are drawn with each cell
 * averaging k x k PEs (said in the subtitle), since a chart has fewer pixels than a wafer has PEs.
 */
public final class HeatmapChart {
    /** Lowest top of the colour scale, percent (an idle fabric's scale). */
    static final double MIN_SCALE_PCT = 0.1;
    /** Most cells drawn along a side. */
    static final int MAX_CELLS = 400;

    private HeatmapChart() {
    }

    /** The chart of {@code grid}. */
    public static JFreeChart of(LinkUtilizationGrid grid) {
        int k = Math.max(1, (Math.max(grid.width(), grid.height()) + MAX_CELLS - 1) / MAX_CELLS);
        int cols = (grid.width() + k - 1) / k;
        int rows = (grid.height() + k - 1) / k;
        double[] xs = new double[cols * rows];
        double[] ys = new double[cols * rows];
        double[] zs = new double[cols * rows];
        double sum = 0;
        double max = 0;
        for (int y = 0; y < grid.height(); y++) {
            for (int x = 0; x < grid.width(); x++) {
                double u = grid.at(x, y);
                sum += u;
                max = Math.max(max, u);
            }
        }
        for (int cy = 0; cy < rows; cy++) {
            for (int cx = 0; cx < cols; cx++) {
                double s = 0;
                int n = 0;
                for (int y = cy * k; y < Math.min(grid.height(), (cy + 1) * k); y++) {
                    for (int x = cx * k; x < Math.min(grid.width(), (cx + 1) * k); x++) {
                        s += grid.at(x, y);
                        n++;
                    }
                }
                int i = cy * cols + cx;
                xs[i] = cx * k;
                ys[i] = cy * k;
                zs[i] = 100 * s / n;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("utilization", new double[][] {xs, ys, zs});

        NumberAxis x = new NumberAxis("x (PE column)");
        x.setRange(0, grid.width());
        x.setLowerMargin(0);
        x.setUpperMargin(0);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis("y (PE row)");
        y.setRange(0, grid.height());
        y.setInverted(true);
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());

        // Colours span 0 .. the busiest cell (rounded up to a round number, at least 0.1%), so that a
        // lightly loaded fabric (decode at batch 1 keeps links busy a few percent of the time) still shows
        // its pattern; the legend's title, its ticks (with "%") and the subtitle say where the scale ends,
        // so yellow on an idle fabric is not read as saturation.
        double top = niceCeiling(Math.max(MIN_SCALE_PCT, 100 * maxCell(zs)));
        Viridis scale = new Viridis(0, top);
        XYBlockRenderer r = new XYBlockRenderer();
        r.setBlockWidth(k);
        r.setBlockHeight(k);
        r.setBlockAnchor(RectangleAnchor.BOTTOM_LEFT);
        r.setPaintScale(scale);

        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setRangeAxisLocation(AxisLocation.TOP_OR_LEFT);
        JFreeChart chart = new JFreeChart(grid.title(), ChartStyle.TITLE, plot, false);

        NumberAxis legendAxis = new NumberAxis(top >= 100 ? "link utilization (% of the step's cycles busy)"
                : String.format(Locale.ROOT, "link utilization, %% busy: scale 0-%s%%, not 0-100%%", plain(top)));
        legendAxis.setRange(0, top);
        legendAxis.setTickUnit(new NumberTickUnit(top / 5));
        // Every tick says "%", so the top of the bar reads "1%" on an idle fabric, never a bare "1".
        legendAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.###'%'",
                java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setStripWidth(18);
        legend.setMargin(new RectangleInsets(10, 12, 40, 8));
        legend.setAxisOffset(4);
        legend.setSubdivisionCount(100);
        chart.addSubtitle(legend);
        String sub = String.format(Locale.ROOT, "%d x %d PEs; mean %s%%, max %s%%; colour scale 0-%s%%", grid.width(),
                grid.height(), pct(100 * sum / ((double) grid.width() * grid.height())), pct(100 * max), plain(top));
        if (k > 1) {
            sub += String.format(Locale.ROOT, "; each cell averages %d x %d PEs", k, k);
        }
        ChartStyle.apply(chart, sub);
        legendAxis.setLabelFont(ChartStyle.LABEL);
        legendAxis.setTickLabelFont(ChartStyle.TICK);
        return chart;
    }

    /** A percentage with enough digits to tell a small one from zero. */
    static String pct(double v) {
        return String.format(Locale.ROOT, v >= 10 || v == 0 ? "%.1f" : v >= 0.1 ? "%.2f" : "%.3f", v);
    }

    /** A round number without trailing zeros: 2.5, 10, 0.05. */
    static String plain(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static double maxCell(double[] zs) {
        double m = 0;
        for (double z : zs) {
            m = Math.max(m, z);
        }
        return m / 100;
    }

    /** The smallest of 1, 2, 2.5, 5 x 10^k at or above v (a round top for the colour scale), at most 100. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v - 1e-12) {
                return Math.min(100, m * p);
            }
        }
        return 100;
    }

    /**
     * Chart size in pixels that keeps PE cells square: the plot's longer side about 800 pixels, plus room
     * for the title, axes and legend.
     */
    public static int[] preferredSize(LinkUtilizationGrid grid) {
        double aspect = (double) grid.width() / grid.height();
        int plotW = aspect >= 1 ? 800 : (int) Math.round(800 * aspect);
        int plotH = aspect >= 1 ? (int) Math.round(800 / aspect) : 800;
        return new int[] {Math.max(500, plotW + 260), Math.max(400, plotH + 170)};
    }

    /** The viridis colour map (matplotlib's), interpolated linearly between 9 anchor colours. */
    static final class Viridis implements PaintScale {
        private static final int[] ANCHORS = {
            0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725,
        };
        private final double lower;
        private final double upper;

        Viridis(double lower, double upper) {
            this.lower = lower;
            this.upper = upper;
        }

        @Override
        public double getLowerBound() {
            return lower;
        }

        @Override
        public double getUpperBound() {
            return upper;
        }

        @Override
        public Paint getPaint(double value) {
            double t = (value - lower) / (upper - lower);
            t = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
            double pos = t * (ANCHORS.length - 1);
            int i = Math.min(ANCHORS.length - 2, (int) pos);
            double f = pos - i;
            int a = ANCHORS[i];
            int b = ANCHORS[i + 1];
            return new Color(mix(a >> 16, b >> 16, f), mix(a >> 8, b >> 8, f), mix(a, b, f));
        }

        private static int mix(int a, int b, double f) {
            int x = a & 0xFF;
            int y = b & 0xFF;
            return (int) Math.round(x + (y - x) * f);
        }
    }
}
