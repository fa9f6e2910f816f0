package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.HeatmapChart;
import dev.wafersim.cli.chart.LatencyCdfChart;
import dev.wafersim.cli.chart.LinkUtilizationGrid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts that do not mislead: scales said, percentiles shown, series kept apart, names honoured. */
class ChartHonestyTest {
    @TempDir
    Path tmp;

    @Test
    void axisLabel_energyAndCostColumns_nameTheirUnits() {
        assertEquals("energy per output token (J)", ChartCommand.label("energyJoulesPerToken"));
        assertEquals("cost per million output tokens (USD)", ChartCommand.label("costUsdPerMillionTokens"));
        assertEquals("per-token latency (ms)", ChartCommand.label("perTokenLatencyMs"));
    }

    @Test
    void heatmap_idleFabric_legendSaysTheColourScaleIsNot0To100() throws Exception {
        double[] u = new double[20 * 10];
        u[7] = 0.008; // the busiest link: 0.8% of the cycles
        LinkUtilizationGrid g = new LinkUtilizationGrid("idle", 20, 10, u);
        ChartFiles.save(HeatmapChart.of(g), tmp.resolve("h.svg"), false, 800, 500);
        String svg = Files.readString(tmp.resolve("h.svg"));
        assertTrue(svg.contains(">1%<") && svg.contains(">0.2%<"), "the legend's ticks say percent and end at 1%");
        assertTrue(svg.contains("max 0.80%; colour scale 0-1%"), "the subtitle says the scale");
    }

    @Test
    void heatmap_busyFabric_plain0To100Legend() throws Exception {
        LinkUtilizationGrid g = new LinkUtilizationGrid("busy", 4, 4, new double[] {1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0.9});
        ChartFiles.save(HeatmapChart.of(g), tmp.resolve("b.svg"), false, 800, 500);
        String svg = Files.readString(tmp.resolve("b.svg"));
        assertTrue(svg.contains(">100%<") && svg.contains("colour scale 0-100%"), "a full scale");
    }

    @Test
    void cdf_severalRuns_eachLegendEntryHasItsPercentiles() throws Exception {
        List<LatencyCdfChart.Series> runs = List.of(
                new LatencyCdfChart.Series("a", new long[] {3_000_000_000L, 3_000_000_000L}, "x"),
                new LatencyCdfChart.Series("b", new long[] {5_000_000_000L, 5_100_000_000L}, "x"),
                new LatencyCdfChart.Series("c", new long[] {7_000_000_000L}, "x"));
        ChartFiles.save(LatencyCdfChart.of(runs), tmp.resolve("c.svg"), false, 1000, 600);
        String svg = Files.readString(tmp.resolve("c.svg"));
        assertTrue(svg.contains("a (p50 3.000 ms, p99 3.000 ms)"), "run a");
        assertTrue(svg.contains("b (p50 5.000 ms, p99 5.100 ms)"), "run b");
        assertTrue(svg.contains("c (p50 7.000 ms, p99 7.000 ms)"), "run c");
    }

    @Test
    void cdf_p99AtTheRightEdge_labelDrawnInsideTheChart() throws Exception {
        long[] ps = new long[100];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = i < 98 ? 530_000_000L + i * 10_000L : 536_000_000L;
        }
        ChartFiles.save(LatencyCdfChart.of(List.of(new LatencyCdfChart.Series("wse3", ps, "x"))), tmp.resolve("w.svg"),
                false, 1000, 600);
        String svg = Files.readString(tmp.resolve("w.svg"));
        Matcher m = Pattern.compile("<text[^>]*x=['\"]([0-9.]+)['\"][^>]*clip-path=['\"]url\\(#([^)]+)\\)['\"][^>]*>"
                + "(p99 [^<]*)</text>").matcher(svg);
        assertTrue(m.find(), "the p99 label is text in the SVG");
        double x = Double.parseDouble(m.group(1));
        // The label is clipped to the plot area: its clip path's largest x is the plot's right edge.
        Matcher clip = Pattern.compile("<clipPath id=['\"]" + Pattern.quote(m.group(2)) + "['\"]><path d=['\"]([^'\"]+)")
                .matcher(svg);
        assertTrue(clip.find(), "the label's clip path");
        double right = 0;
        for (String xy : clip.group(1).split("[MLZ]")) {
            if (!xy.isBlank()) {
                right = Math.max(right, Double.parseDouble(xy.split(",")[0]));
            }
        }
        // About 7 px per character at the 12 px tick font: the whole label must end inside the plot.
        assertTrue(x + 7 * m.group(3).length() <= right, "p99 label from x=" + x + " runs past the plot's edge at "
                + right + ": " + m.group(3));
    }

    @Test
    void chartJson_compareWithFp8System_subtitleSaysEachPrecision() throws Exception {
        Path json = tmp.resolve("c.json");
        CliRunner c = CliRunner.run("compare", "--model", "llama-3.2-1b", "--tokens", "2", "--systems",
                "h100-sxm:gpus=1,h100-sxm:gpus=1:precision=fp8", "--json", json.toString());
        assertEquals(Main.EXIT_OK, c.exitCode, c.err);
        CliRunner r = CliRunner.run("chart", "--json", json.toString(), "--out", tmp.resolve("b.svg").toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        String svg = Files.readString(tmp.resolve("b.svg"));
        assertTrue(svg.contains("precision by bar: bf16, fp8"), "the subtitle names each bar's precision");
    }

    @Test
    void chartCsv_sweepWithTwoAxesNoSeries_oneLinePerValueOfTheOther() throws Exception {
        Path csv = tmp.resolve("s.csv");
        CliRunner s = CliRunner.run("sweep", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2", "--set",
                "workload.context=512,2048", "--set", "workload.batch=1,4", "--out", csv.toString());
        assertEquals(Main.EXIT_OK, s.exitCode, s.err);
        CliRunner r = CliRunner.run("chart", "--csv", csv.toString(), "--x", "workload.context", "--out",
                tmp.resolve("l.svg").toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.startsWith("series: workload.batch"), r.out);
        String svg = Files.readString(tmp.resolve("l.svg"));
        assertTrue(svg.contains("workload.batch=1") && svg.contains("workload.batch=4"), "two lines in the legend");
    }

    @Test
    void chartCsv_twoRowsAtOneXInOneLine_refusedNamingTheColumnThatDiffers() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Files.writeString(csv, "machine,gpus,perTokenLatencyMs\nh100,1,6.5\nh100,8,3.2\nb200,1,4.0\n");
        CliRunner r = CliRunner.run("chart", "--csv", csv.toString(), "--x", "machine", "--out",
                tmp.resolve("m.png").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
        assertTrue(r.err.contains("has several rows with --x machine=h100") && r.err.contains("differ in gpus")
                && r.err.contains("give --series gpus"), r.err);
        assertFalse(Files.exists(tmp.resolve("m.png")));
        CliRunner ok = CliRunner.run("chart", "--csv", csv.toString(), "--x", "machine", "--series", "gpus", "--out",
                tmp.resolve("m.png").toString());
        assertEquals(Main.EXIT_OK, ok.exitCode, ok.err);
    }

    @Test
    void chart_outWithJpgName_refusedNothingWritten() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Files.writeString(csv, "x,perTokenLatencyMs\n1,2\n2,3\n");
        CliRunner r = CliRunner.run("chart", "--csv", csv.toString(), "--x", "x", "--out", tmp.resolve("x.jpg").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: --out " + tmp.resolve("x.jpg") + " is not allowed; expected a file name ending in .png"
                + " (or .svg, which writes the PNG beside it): charts are PNG and SVG only", r.err.strip());
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "only the CSV");
        }
    }
}
