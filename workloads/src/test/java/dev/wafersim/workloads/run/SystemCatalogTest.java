package dev.wafersim.workloads.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.gpu.GpuPresets;
import dev.wafersim.workloads.gpu.GpuDecodeSimulator;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.gpu.GpuStepModel;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemCatalogTest {
    @Test
    void names_table_gpuPresetsThenWafers() {
        assertEquals(List.of("a100-80gb", "h100-sxm", "h200", "b200", "wse2", "wse3"), SystemCatalog.names());
        for (String g : GpuPresets.NAMES) {
            SystemCatalog.Entry e = SystemCatalog.get(g);
            assertEquals(SystemKind.GPU, e.kind());
            assertSame(GpuDecodeSimulator.INSTANCE, e.simulator());
            // The GPU preset's parameters, then the serving and client-path parameters every system takes, then power
            // and price.
            assertEquals(GpuPresets.schema().plus(dev.wafersim.workloads.serving.ServingParams.SCHEMA)
                    .plus(dev.wafersim.workloads.client.ClientParams.SCHEMA)
                    .plus(dev.wafersim.workloads.energy.EnergyParams.GPU).keys().stream().toList(),
                    SystemCatalog.schema(g).keys().stream().toList());
            assertEquals(g, e.load().name());
        }
        assertEquals(SystemKind.WAFER, SystemCatalog.kind("wse3"));
    }

    @Test
    void get_unknownOrUnavailable_configErrors() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> SystemCatalog.get("h300"));
        assertEquals("system=h300 is not a known system; expected one of a100-80gb, h100-sxm, h200, b200, wse2, wse3",
                unknown.getMessage());
        // Every system of the catalog can run (the wafer entries are registered).
        for (SystemCatalog.Entry e : SystemCatalog.entries()) {
            assertTrue(e.available(), e.name());
        }
        assertEquals("H100-SXM".toLowerCase(java.util.Locale.ROOT), SystemCatalog.get(" H100-SXM ").name());
    }

    @Test
    void simulate_entry_recordsWallTimeAndRejectsOptionsOfTheOtherKind() {
        SystemCatalog.Entry e = SystemCatalog.get("h100-sxm");
        DecodeRequest ok = new DecodeRequest("h100-sxm", e.load(), ModelCatalog.get("llama-3.2-1b"),
                DecodeWorkload.of(1, 10, 2), GpuOptions.auto());
        DecodeResult r = e.simulate(ok);
        assertTrue(r.wallSeconds() > 0);
        assertEquals(2, r.tokens());
        DecodeRequest wafer = new DecodeRequest("h100-sxm", e.load(), ModelCatalog.get("llama-3.2-1b"),
                DecodeWorkload.of(1, 10, 2), new WaferOptions(1, false));
        assertThrows(ConfigException.class, () -> e.simulate(wafer));
    }

    @Test
    void load_everySystem_carriesTheServingParameters() {
        for (SystemCatalog.Entry e : SystemCatalog.entries()) {
            assertEquals(16, e.load().getInt("serving.kvBlockTokens"), e.name());
            assertEquals(e.name(), e.load().name());
            assertTrue(e.schema().has("serving.maxBatchedTokens"), e.name());
        }
    }

    @Test
    void stepModel_gpuAndWaferHaveOne() {
        StepModelRequest gpu = new StepModelRequest("h100-sxm", SystemCatalog.get("h100-sxm").load(),
                ModelCatalog.get("llama-3.2-1b"), Precision.DEFAULT, ExpertRouting.UNIFORM_EXPECTED, GpuOptions.auto(), 4,
                2048);
        StepModel m = SystemCatalog.get("h100-sxm").stepModel(gpu);
        assertTrue(m instanceof GpuStepModel);
        assertTrue(m.kvCapacityTokens() > 2048);
        StepModelRequest wafer = new StepModelRequest("wse3", SystemCatalog.get("wse3").load(),
                ModelCatalog.get("llama-3.2-1b"), Precision.DEFAULT, ExpertRouting.UNIFORM_EXPECTED,
                new WaferOptions(WaferOptions.AUTO, false), 4, 2048);
        StepModel w = SystemCatalog.get("wse3").stepModel(wafer);
        assertTrue(w instanceof dev.wafersim.workloads.wafer.WaferStepModel);
        assertTrue(w.kvCapacityTokens() > 2048);
    }
}
