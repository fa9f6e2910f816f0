package dev.wafersim.workloads.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wafersim.fabric.gpu.GpuPresets;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelCatalog;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared result: contract checks, derived figures and JSON. */
class DecodeResultTest {
    static DecodeRequest request(int tokens) {
        return new DecodeRequest("h100-sxm", GpuPresets.load("h100-sxm"), ModelCatalog.get("llama-3.1-8b"),
                DecodeWorkload.of(2, 100, tokens), GpuOptions.auto());
    }

    static DecodeResult.Builder builder(long... latencies) {
        return DecodeResult.builder(request(latencies.length), SystemKind.GPU)
                .tokenLatenciesPs(latencies)
                .activity(new DeviceActivity.Builder().build(1, Arrays.stream(latencies).sum()))
                .machine("test machine")
                .memory(new MemoryUse("HBM per GPU", 30, 100, Map.of("weights", 30L)))
                .details(details(4, true));
    }

    static GpuDetails details(int gpus, boolean graphs) {
        return new GpuDetails(gpus, gpus, 1, 1, "given", "trtllm", "one-shot", graphs, "bf16", "vocab-parallel", 0, 9, 30,
                100, 30, 0, 0, null, null);
    }

    @Test
    void build_breakdownSumsToLatencies_derivedFiguresFromClosedForms() {
        // 100 tokens of 1..100 ms: mean 50.5 ms, median 50 or 51 ms, p99 99 ms.
        long[] lat = new long[100];
        for (int i = 0; i < 100; i++) {
            lat[i] = (i + 1) * 1_000_000_000L;
        }
        long total = 5050 * 1_000_000_000L;
        DecodeResult r = builder(lat).addBreakdownPs(LatencyCategory.WEIGHT_READS, total - 7)
                .addBreakdownPs(LatencyCategory.IDLE, 7).build();
        assertEquals(50.5, r.meanMs(), 1e-12);
        assertEquals(1000 / 50.5, r.tokensPerSecond(), 1e-12);
        assertEquals(2 * 1000 / 50.5, r.tokensPerSecondTotal(), 1e-12);
        assertEquals(50.0, r.p50Ms(), 50.0 * 1e-4);
        assertEquals(99.0, r.p99Ms(), 99.0 * 1e-4);
        assertEquals(1.0, r.minMs());
        assertEquals(100.0, r.maxMs());
        assertEquals(7e-9 / 100, r.breakdownMs(LatencyCategory.IDLE), 1e-20);
        double sum = Arrays.stream(LatencyCategory.values()).mapToDouble(r::breakdownMs).sum();
        assertEquals(r.meanMs(), sum, 1e-12);
    }

    @Test
    void build_breakdownMissingTime_throws() {
        DecodeResult.Builder b = builder(5, 6).addBreakdownPs(LatencyCategory.COMPUTE, 10);
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage().contains("sums to 10 ps but the token latencies to 11 ps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder(5, 6).details(new WaferDetails(1, 1, "m", 1, 1,
                false, 0, 0, 0, 1.0)));
        assertThrows(IllegalArgumentException.class, () -> DecodeResult.builder(request(3), SystemKind.GPU)
                .tokenLatenciesPs(new long[] {1, 2}));
    }

    @Test
    void toJson_result_hasTheSharedFieldsAndExtras() {
        DecodeResult r = builder(2_000_000_000L, 4_000_000_000L).addBreakdownPs(LatencyCategory.WEIGHT_READS,
                6_000_000_000L).details(details(8, true)).note("n1").build().withWallSeconds(1.5);
        JsonNode j = r.toJson("9.9");
        assertEquals("9.9", j.get("wafersimVersion").asText());
        assertEquals("h100-sxm", j.get("system").asText());
        assertEquals("gpu", j.get("systemKind").asText());
        assertEquals("llama-3.1-8b", j.get("model").asText());
        assertEquals(2, j.get("batch").asInt());
        assertEquals(100, j.get("contextTokens").asLong());
        assertEquals(2, j.get("tokens").asInt());
        assertEquals(3.0, j.get("perTokenLatencyMs").asDouble(), 1e-12);
        assertEquals(1000 / 3.0, j.get("tokensPerSecond").asDouble(), 1e-9);
        assertEquals(3.0, j.get("breakdownMs").get("weightReads").asDouble(), 1e-12);
        // A GPU result lists the seven GPU categories: weightReads, kvCacheReads, elementwise, compute,
        // communication, launchOverhead, idle.
        assertEquals(7, j.get("breakdownMs").size());
        assertEquals(2, j.get("tokenLatenciesMs").size());
        assertEquals(8, j.get("gpus").asInt());
        assertTrue(j.get("cudaGraphs").asBoolean());
        assertEquals(3350.0, j.get("config").get("hbm.peakBandwidthGBps").asDouble());
        assertEquals(GpuPresets.load("h100-sxm").hash(), j.get("configHash").asText());
        assertEquals(1.5, j.get("wallSeconds").asDouble());
        assertEquals(30, j.get("memory").get("weightsBytes").asLong());
        assertEquals("n1", j.get("notes").get(0).asText());
        // The machine's details are unwrapped at the top level, not nested.
        assertTrue(j.get("details") == null, "details unwrapped");
        assertEquals("HBM per GPU", j.get("memory").get("store").asText());
        assertEquals(List.of("wafersimVersion", "system", "systemKind"), List.of(j.fieldNames().next(),
                "system", "systemKind"));
    }
}
