package dev.wafersim.cli.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The look every wafersim chart shares: white background, light grid, readable sans-serif fonts, and
 * the Okabe-Ito colour-blind-safe palette.
 */
final class ChartStyle {
    /** Okabe-Ito colours, in the order series take them (yellow last: weak on white). */
    static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x000000), new Color(0x999999), new Color(0xF0E442),
    };

    /**
     * Preferred colours of the latency categories wafersim results carry, so that a category keeps its
     * colour from chart to chart; a category not named here takes the next free palette colour.
     */
    private static final Map<String, Color> CATEGORY_COLOURS = Map.ofEntries(
            // GPU categories: Okabe-Ito.
            Map.entry("weightReads", new Color(0x0072B2)),
            Map.entry("kvCacheReads", new Color(0x56B4E9)),
            Map.entry("elementwise", new Color(0xE69F00)),
            Map.entry("compute", new Color(0x009E73)),
            Map.entry("communication", new Color(0xD55E00)),
            Map.entry("launchOverhead", new Color(0xCC79A7)),
            Map.entry("idle", new Color(0xBBBBBB)),
            // Wafer-only categories: Paul Tol's muted scheme, so that a wafer and a GPU bar side by side
            // never share a colour for different categories.
            Map.entry("fabricTransfer", new Color(0x332288)),
            Map.entry("reductions", new Color(0x882255)),
            Map.entry("attention", new Color(0xDDCC77)),
            Map.entry("interWafer", new Color(0x44AA99)),
            Map.entry("pipelineIdle", new Color(0x777777)));

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Color GRID = new Color(0xDDDDDD);

    private ChartStyle() {
    }

    /** Charts render off screen: no display is needed or used. */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Colour of series {@code i}. */
    static Color colour(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** Colour of latency category {@code key} that is series {@code i} of its chart. */
    static Paint categoryColour(String key, int i) {
        Color c = CATEGORY_COLOURS.get(key);
        return c != null ? c : colour(i + 3);
    }

    /** Applies the shared look to {@code chart}, with an optional subtitle. */
    static JFreeChart apply(JFreeChart chart, String subtitle) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(TITLE);
        }
        if (subtitle != null && !subtitle.isEmpty()) {
            TextTitle sub = new TextTitle(subtitle, SUBTITLE);
            sub.setPaint(new Color(0x444444));
            sub.setPadding(new RectangleInsets(2, 0, 6, 0));
            chart.addSubtitle(0, sub);
        }
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setItemFont(LEGEND);
            legend.setFrame(new org.jfree.chart.block.BlockBorder(Color.WHITE));
            legend.setPosition(RectangleEdge.BOTTOM);
        }
        Plot plot = chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(new Color(0x888888));
        plot.setInsets(new RectangleInsets(8, 8, 8, 16));
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(GRID);
            xy.setRangeGridlinePaint(GRID);
            xy.setDomainGridlineStroke(new BasicStroke(1f));
            xy.setRangeGridlineStroke(new BasicStroke(1f));
            axis(xy.getDomainAxis());
            axis(xy.getRangeAxis());
        } else if (plot instanceof CategoryPlot cat) {
            cat.setRangeGridlinePaint(GRID);
            cat.setRangeGridlineStroke(new BasicStroke(1f));
            axis(cat.getDomainAxis());
            axis(cat.getRangeAxis());
        }
        return chart;
    }

    private static void axis(Axis a) {
        if (a != null) {
            a.setLabelFont(LABEL);
            a.setTickLabelFont(TICK);
        }
    }

    /** A latency in ms with four significant digits or so: {@code 6.523}, {@code 28.92}, {@code 112.4}. */
    static String ms(double v) {
        double a = Math.abs(v);
        String f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : a >= 1 ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, f, v);
    }
}
