package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.cli.chart.BreakdownChart;
import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.HeatmapChart;
import dev.wafersim.cli.chart.LatencyCdfChart;
import dev.wafersim.cli.chart.LineChart;
import dev.wafersim.cli.chart.LinkUtilizationGrid;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart renderers: each PNG decodes, has the asked size and is not blank; SVG when asked. */
class ChartsTest {
    @TempDir
    Path tmp;

    @Test
    void breakdownBars_pngAndSvgByName() throws Exception {
        Map<String, Double> a = new LinkedHashMap<>();
        a.put("weightReads", 5.0);
        a.put("communication", 1.0);
        a.put("idle", 0.0);
        Map<String, Double> b = new LinkedHashMap<>();
        b.put("weightReads", 0.5);
        b.put("compute", 0.25);
        List<Path> files = ChartFiles.save(BreakdownChart.of("Per-token latency", "batch 1",
                List.of(new BreakdownChart.Bar("h100-sxm:gpus=8", a, 6.0), new BreakdownChart.Bar("wse3", b, 0.75))),
                tmp.resolve("bars.svg"), false, 800, 500);
        assertEquals(List.of(tmp.resolve("bars.png"), tmp.resolve("bars.svg")), files);
        BufferedImage img = TestFiles.assertPng(tmp.resolve("bars.png"), 800, 500);
        assertTrue(TestFiles.colours(img) > 10, "not blank");
        String svg = Files.readString(tmp.resolve("bars.svg"));
        assertTrue(svg.startsWith("<?xml") || svg.startsWith("<svg"), svg.substring(0, 40));
        // Horizontal text is SVG text (rotated text, such as the y axis label, is drawn as outlines).
        assertTrue(svg.contains(">weightReads<") && svg.contains(">system<") && svg.contains(">6.000 ms<"),
                "legend, axis and total in the SVG");
        assertTrue(!svg.contains(">idle<"), "a category that is zero everywhere is left out");
    }

    @Test
    void lines_numericLogCategoricalAndLabelled() throws Exception {
        LineChart.Data numeric = new LineChart.Data("Latency against context", "h100-sxm", "context length (tokens)",
                "per-token latency (ms)", List.of(
                        new LineChart.Line("gpus=1", List.of(new LineChart.Point(1024.0, "1024", 6.3, null),
                                new LineChart.Point(131072.0, "131072", 12.3, null))),
                        new LineChart.Line("gpus=8", List.of(new LineChart.Point(1024.0, "1024", 3.2, null),
                                new LineChart.Point(131072.0, "131072", 4.0, null)))));
        ChartFiles.save(LineChart.of(numeric, LineChart.Scale.AUTO), tmp.resolve("log.png"), true);
        TestFiles.assertPng(tmp.resolve("log.png"), 1000, 600);
        assertTrue(Files.readString(tmp.resolve("log.svg")).contains("log2 scale"));
        ChartFiles.save(LineChart.of(numeric, LineChart.Scale.LINEAR), tmp.resolve("linear.png"), true);
        assertTrue(!Files.readString(tmp.resolve("linear.svg")).contains("log2 scale"));

        LineChart.Data cats = new LineChart.Data("By system", null, "system", "per-token latency (ms)", List.of(
                new LineChart.Line("batch=1", List.of(new LineChart.Point(null, "a100-80gb", 11.0, null),
                        new LineChart.Point(null, "h100-sxm", 6.5, null)))));
        TestFiles.assertPng(ChartFiles.save(LineChart.of(cats, LineChart.Scale.AUTO), tmp.resolve("cat.png"), false)
                .get(0), 1000, 600);

        LineChart.Data models = new LineChart.Data("By model size", null, "model size (billion parameters)", "ms",
                List.of(new LineChart.Line("b=1", List.of(new LineChart.Point(1.2, "llama-3.2-1b", 1.5, "llama-3.2-1b"),
                        new LineChart.Point(405.0, "llama-3.1-405b", 40.0, "llama-3.1-405b")))));
        ChartFiles.save(LineChart.of(models, LineChart.Scale.AUTO), tmp.resolve("models.png"), true);
        assertTrue(Files.readString(tmp.resolve("models.svg")).contains("llama-3.1-405b"), "point labels drawn");
    }

    @Test
    void lines_logYWhenAskedOrSpanningFiftyTimes_refusedWithZero() throws Exception {
        // 7 ms to 3,700 ms: 530x, so auto draws the y axis in log scale and says so on the axis label.
        LineChart.Data ttft = new LineChart.Data("Time to first token", null, "prompt length (tokens)",
                "time to first token (ms)", List.of(new LineChart.Line("wse3", List.of(
                        new LineChart.Point(1024.0, "1024", 7.0, null), new LineChart.Point(131071.0, "131071", 3700.0,
                                null)))));
        org.jfree.chart.JFreeChart log = LineChart.of(ttft, LineChart.Scale.AUTO, LineChart.Scale.AUTO);
        org.jfree.chart.axis.ValueAxis y = ((org.jfree.chart.plot.XYPlot) log.getPlot()).getRangeAxis();
        assertTrue(y instanceof org.jfree.chart.axis.LogAxis, y.getClass().getName());
        assertEquals("time to first token (ms, log scale)", y.getLabel());
        TestFiles.assertPng(ChartFiles.save(log, tmp.resolve("logy.png"), false).get(0), 1000, 600);
        // Linear (the two-argument form's y axis) starts at zero.
        org.jfree.chart.axis.ValueAxis lin = ((org.jfree.chart.plot.XYPlot) LineChart.of(ttft, LineChart.Scale.AUTO)
                .getPlot()).getRangeAxis();
        assertTrue(lin instanceof org.jfree.chart.axis.NumberAxis n && n.getAutoRangeIncludesZero());
        assertEquals("time to first token (ms)", lin.getLabel());
        LineChart.Data zero = new LineChart.Data("t", null, "x", "y (ms)", List.of(new LineChart.Line("a", List.of(
                new LineChart.Point(1.0, "1", 0.0, null), new LineChart.Point(2.0, "2", 5.0, null)))));
        assertThrows(dev.wafersim.core.config.ConfigException.class,
                () -> LineChart.of(zero, LineChart.Scale.LINEAR, LineChart.Scale.LOG));
    }

    @Test
    void latencyCdf_fromTokenLatencies() throws Exception {
        long[] ps = new long[200];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = 6_500_000_000L + 1_000_000L * (i % 37);
        }
        ChartFiles.save(LatencyCdfChart.of(List.of(new LatencyCdfChart.Series("h100-sxm, llama-3.1-8b", ps, "workload"))),
                tmp.resolve("cdf.png"), true);
        BufferedImage img = TestFiles.assertPng(tmp.resolve("cdf.png"), 1000, 600);
        assertTrue(TestFiles.colours(img) > 10);
        String svg = Files.readString(tmp.resolve("cdf.svg"));
        assertTrue(svg.contains("p50") && svg.contains("p99") && svg.contains("per-token latency (ms)"), "markers, axis");
        // Identical latencies still give a drawable axis.
        ChartFiles.save(LatencyCdfChart.of(List.of(new LatencyCdfChart.Series("one", new long[] {5_000_000_000L}, "x"))),
                tmp.resolve("one.png"), false);
        TestFiles.assertPng(tmp.resolve("one.png"), 1000, 600);
    }

    @Test
    void heatmap_smallGridOneCellPerPe_largeGridAveraged() throws Exception {
        int w = 40;
        int h = 30;
        double[] u = new double[w * h];
        for (int i = 0; i < u.length; i++) {
            u[i] = (i % w) / (double) (w - 1);
        }
        LinkUtilizationGrid g = new LinkUtilizationGrid("fabric links, step 0", w, h, u);
        int[] size = HeatmapChart.preferredSize(g);
        ChartFiles.save(HeatmapChart.of(g), tmp.resolve("heat.png"), true, size[0], size[1]);
        BufferedImage img = TestFiles.assertPng(tmp.resolve("heat.png"), size[0], size[1]);
        // The scale runs from dark purple (0) to yellow (1): both ends appear.
        assertTrue(hasColourNear(img, new Color(0x440154)) && hasColourNear(img, new Color(0xFDE725)), "viridis ends");
        String svg = Files.readString(tmp.resolve("heat.svg"));
        assertTrue(svg.contains(">x (PE column)<") && svg.contains("40 x 30 PEs; mean 50.0%, max 100.0%"), "axis, subtitle");

        LinkUtilizationGrid big = new LinkUtilizationGrid("whole wafer", 762, 1172, new double[762 * 1172]);
        ChartFiles.save(HeatmapChart.of(big), tmp.resolve("big.png"), true, 800, 1000);
        TestFiles.assertPng(tmp.resolve("big.png"), 800, 1000);
        assertTrue(Files.readString(tmp.resolve("big.svg")).contains("each cell averages 3 x 3 PEs"));

        assertThrows(IllegalArgumentException.class, () -> new LinkUtilizationGrid("x", 2, 2, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new LinkUtilizationGrid("x", 1, 1, new double[] {1.5}));
    }

    private static boolean hasColourNear(BufferedImage img, Color c) {
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                Color p = new Color(img.getRGB(x, y));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
                        + Math.abs(p.getBlue() - c.getBlue()) < 30) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void chartFiles_badSize_exit2Style() {
        assertThrows(dev.wafersim.core.config.ConfigException.class, () -> ChartFiles.save(
                LatencyCdfChart.of(List.of(new LatencyCdfChart.Series("x", new long[] {1000}, "x"))),
                tmp.resolve("x.png"), false, 10, 10));
    }

    @Test
    void runCdf_writesThePng() throws Exception {
        Path png = tmp.resolve("cdf/run.png");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "4", "--cdf",
                png.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        TestFiles.assertPng(png, 1000, 600);
    }
}
