package dev.wafersim.fabric.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamValue;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuPresetsTest {

    @Test
    void load_everyPreset_vendorFiguresConverted() {
        // Datasheet figures (reference gpu-hardware.md): HBM GB and TB/s, BF16 and FP8 dense TFLOP/s,
        // NVLink GB/s per GPU (both directions).
        Object[][] expected = {
                {"a100-80gb", 80e9, 2.039e12, 312e12, 0.0, 600e9},
                {"h100-sxm", 80e9, 3.35e12, 989e12, 1979e12, 900e9},
                {"h200", 141e9, 4.8e12, 989e12, 1979e12, 900e9},
                {"b200", 180e9, 8.0e12, 2250e12, 4500e12, 1800e9}};
        for (Object[] e : expected) {
            GpuParams p = GpuPresets.params((String) e[0]);
            assertEquals(e[0], p.presetName());
            assertEquals((double) e[1], p.hbm().capacityBytes(), 0.5, "capacity " + e[0]);
            assertEquals((double) e[2], p.hbm().peakBandwidthBytesPerSec(), 1, "HBM bandwidth " + e[0]);
            assertEquals((double) e[3], p.peakBf16FlopsPerSec(), 1, "bf16 " + e[0]);
            assertEquals((double) e[4], p.peakFp8FlopsPerSec(), 1, "fp8 " + e[0]);
            assertEquals((double) e[5], p.nvlinkBidirectionalBytesPerSec(), 1, "nvlink " + e[0]);
            assertEquals(8, p.gpusPerNode());
        }
        // 400 Gb/s NDR port = 50 GB/s; 8 ports per node = 400 GB/s.
        assertEquals(50e9, GpuPresets.params("h100-sxm").ibPortBytesPerSec(), 1);
        assertEquals(400e9, GpuPresets.params("h100-sxm").ibNodeBytesPerSec(), 1);
        // 4.4 us ramp in ps.
        assertEquals(4_400_000L, GpuPresets.params("a100-80gb").hbm().rampLatencyPs());
    }

    @Test
    void load_everyPreset_everyValueHasSourceAndConfidence() {
        for (String name : GpuPresets.NAMES) {
            ParamSet p = GpuPresets.load(name);
            assertEquals(GpuPresets.schema().keys().size(), p.values().size(), name);
            for (Map.Entry<String, ParamValue> e : p.values().entrySet()) {
                assertFalse(e.getValue().source().isBlank(), name + " " + e.getKey() + " has no source");
                assertTrue(e.getValue().confidence().matches("vendor|measured|derived|open|calibrated|assumption"),
                        name + " " + e.getKey());
            }
        }
    }

    @Test
    void load_unknownName_errorListsKnownPresets() {
        ConfigException ex = assertThrows(ConfigException.class, () -> GpuPresets.load("h100"));
        assertEquals("unknown GPU preset 'h100'; known GPU presets are: a100-80gb, h100-sxm, h200, b200",
                ex.getMessage());
    }

    @Test
    void override_unknownKey_errorNamesKeyAndSuggestion() {
        ConfigException ex = assertThrows(ConfigException.class,
                () -> GpuPresets.params("h100-sxm", Map.of("nvlink.stepLatencyN", "900"), "--set"));
        assertTrue(ex.getMessage().contains("unknown parameter 'nvlink.stepLatencyN'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("did you mean nvlink.stepLatencyNs?"), ex.getMessage());
    }

    @Test
    void override_outOfRange_errorNamesKeyValueAndRange() {
        ConfigException ex = assertThrows(ConfigException.class,
                () -> GpuPresets.params("a100-80gb", Map.of("hbm.streamEfficiency", "1.5"), "--set"));
        assertEquals("--set: hbm.streamEfficiency=1.5 is not allowed; expected a number in [0.01, 1]", ex.getMessage());
        ex = assertThrows(ConfigException.class,
                () -> GpuPresets.params("a100-80gb", Map.of("collective.algorithm", "butterfly"), "--set"));
        assertEquals("--set: collective.algorithm=butterfly is not allowed; expected one of ring, tree, auto",
                ex.getMessage());
    }

    @Test
    void override_inconsistentValues_errorNamesKey() {
        ConfigException ex = assertThrows(ConfigException.class,
                () -> GpuPresets.params("a100-80gb", Map.of("hbm.reservedGB", "80"), "--set"));
        assertTrue(ex.getMessage().contains("hbm.reservedGB"), ex.getMessage());
        ex = assertThrows(ConfigException.class,
                () -> GpuPresets.params("a100-80gb", Map.of("collective.smallMessageBandwidthFraction", "0.9"), "--set"));
        assertTrue(ex.getMessage().contains("collective.smallMessageBandwidthFraction=0.9"), ex.getMessage());
    }

    @Test
    void override_valid_takesEffect() {
        GpuParams p = GpuPresets.params("h200", Map.of("kernel.cudaGraphs", "false", "collective.algorithm", "ring"),
                "--set");
        assertFalse(p.cudaGraphs());
        assertEquals(CollectiveAlgorithm.RING, p.collectiveAlgorithm());
    }

    @Test
    void peakFlops_fp8OnA100_configExceptionNamesPreset() {
        GpuParams a100 = GpuPresets.params("a100-80gb");
        ConfigException ex = assertThrows(ConfigException.class, () -> a100.peakFlopsPerSec(DataType.FP8));
        assertTrue(ex.getMessage().startsWith("a100-80gb has no FP8 tensor cores"), ex.getMessage());
        assertEquals(1979e12, GpuPresets.params("h100-sxm").peakFlopsPerSec(DataType.FP8), 1);
    }
}
