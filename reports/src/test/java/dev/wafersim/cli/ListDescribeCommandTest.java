package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.run.SystemCatalog;
import org.junit.jupiter.api.Test;

/** {@code wafersim list} and {@code wafersim describe}. */
class ListDescribeCommandTest {

    @Test
    void listSystems_everyCatalogEntryWithItsStatus() {
        CliRunner r = CliRunner.run("list", "systems");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        for (SystemCatalog.Entry e : SystemCatalog.entries()) {
            assertTrue(r.out.matches("(?s).*\\n" + e.name() + " +" + e.kind().word() + " +"
                    + (e.available() ? "available" : "unavailable") + " .*"), e.name() + ": " + r.out);
        }
    }

    @Test
    void listModels_everyPresetWithSize() {
        CliRunner r = CliRunner.run("list", "models");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.matches("(?s).*\\nllama-3\\.1-70b +80 +8192 +64 \\(8\\) +28672 +- +128256 +70\\.6 +141\\.1\\n.*"),
                r.out);
        assertTrue(r.out.contains("mixtral-8x7b") && r.out.contains("2 of 8"), r.out);
    }

    @Test
    void list_unknownWhat_exit2() {
        CliRunner r = CliRunner.run("list", "gpus");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("expected systems or models"), r.err);
    }

    @Test
    void describeSystem_everyParameterGroupedByPrefixWithDefaultUnitConfidenceSource() {
        CliRunner r = CliRunner.run("describe", "h100-sxm");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        ParamSet p = SystemCatalog.get("h100-sxm").load();
        for (String key : p.values().keySet()) {
            assertTrue(r.out.contains("  " + key + " "), "missing " + key);
        }
        assertTrue(r.out.contains("\n[hbm]\n") && r.out.contains("\n[kernel]\n"), r.out);
        assertTrue(r.out.matches("(?s).*hbm\\.peakBandwidthGBps +3350\\.0 +GB/s +vendor +NVIDIA H100 SXM datasheet.*"),
                r.out);
        assertTrue(r.out.contains("Allowed: a number in [1, 1000000] (GB/s)."), r.out);
    }

    @Test
    void describeWafer_showsHardwareAndMappingParameters() {
        CliRunner r = CliRunner.run("describe", "wse3");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("fabric.gridWidthPes"), r.out);
        assertTrue(r.out.contains("762"), r.out);
        assertTrue(r.out.contains("mapping.strategy"), r.out);
        assertTrue(r.out.contains("Luczynski"), r.out);
    }

    @Test
    void describeModel_andUnknownName() {
        CliRunner r = CliRunner.run("describe", "llama-3.1-8b");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("layers                     32"), r.out);
        assertTrue(r.out.contains("attention heads (kv)       32 (8)"), r.out);
        r = CliRunner.run("describe", "h100");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("not a known system or model"), r.err);
    }
}
