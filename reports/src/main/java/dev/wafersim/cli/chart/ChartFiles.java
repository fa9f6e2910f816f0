package dev.wafersim.cli.chart;

import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.core.config.ConfigException;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/**
 * Writes charts: a PNG always, and an SVG too when asked or when the file name ends in {@code .svg}
 * ({@code latency.svg} writes {@code latency.svg} and {@code latency.png}). A name must end in
 * {@code .png} or {@code .svg}: {@code x.jpg} is refused rather than written as {@code x.jpg.png}. Each
 * file is rendered in memory and written with {@link AtomicFiles}.
 */
public final class ChartFiles {
    /** Default size of a chart, pixels. */
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;

    static {
        ChartStyle.headless();
    }

    private ChartFiles() {
    }

    /**
     * Checks a chart file name before any work is done: it must end in {@code .png} or {@code .svg}
     * (either case).
     *
     * @param option how the user gave it ({@code --out}, {@code --cdf})
     * @throws ConfigException naming the option, the value and what is allowed
     */
    public static void checkName(Path file, String option) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".png") || name.endsWith(".svg")) || name.length() <= 4) {
            throw new ConfigException(option + " " + file + " is not allowed; expected a file name ending in .png (or .svg,"
                    + " which writes the PNG beside it): charts are PNG and SVG only");
        }
    }

    /** Writes {@code chart} at the default size; returns the files written. */
    public static List<Path> save(JFreeChart chart, Path file, boolean svg) {
        return save(chart, file, svg, WIDTH, HEIGHT);
    }

    /**
     * Writes {@code chart} at {@code width x height} pixels to {@code file} (PNG), and to the same name with
     * {@code .svg} when {@code svg} is set or the name ends in {@code .svg}.
     *
     * @return the files written, PNG first
     */
    public static List<Path> save(JFreeChart chart, Path file, boolean svg, int width, int height) {
        if (width < 100 || height < 100 || width > 20_000 || height > 20_000) {
            throw new ConfigException("chart size " + width + " x " + height + " is not allowed; expected 100 to 20000"
                    + " pixels each way");
        }
        checkName(file, "chart file");
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean svgName = lower.endsWith(".svg");
        String stem = name.substring(0, name.length() - 4);
        Path png = svgName ? file.resolveSibling(stem + ".png") : file;
        List<Path> written = new ArrayList<>();
        AtomicFiles.write(png, png(chart, width, height));
        written.add(png);
        if (svg || svgName) {
            Path svgFile = file.resolveSibling(stem + ".svg");
            AtomicFiles.writeString(svgFile, svg(chart, width, height));
            written.add(svgFile);
        }
        return written;
    }

    /** The chart as PNG bytes. */
    public static byte[] png(JFreeChart chart, int width, int height) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(bytes, chart, width, height);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed in memory", e);
        }
        return bytes.toByteArray();
    }

    /** The chart as an SVG document. */
    public static String svg(JFreeChart chart, int width, int height) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        return g.getSVGDocument();
    }
}
