package dev.wafersim.fabric.wafer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The wafers of a layer pipeline and their links, on the event engine. */
class WaferPipelineTest {
    /**
     * Two wafers, stage times a = 10 us and b = 20 us per token, links of latency 2 us and 1e9 B/s:
     * the 1,000-byte hidden state serializes in 1 us, the 4-byte token id in 4 ns. Per token:
     * a + 1 us + 2 us + b + 0.004 us + 2 us = 35.004 us, every token alike.
     */
    @Test
    void pipeline_twoStages_latencyIsStagesPlusLinks() {
        long us = 1_000_000;
        long[][] stages = {{10 * us, 20 * us}, {10 * us, 20 * us}, {10 * us, 20 * us}};
        WaferPipeline.Result r = WaferPipeline.run(stages, 2 * us, 1e9, 1000, 4);
        for (long l : r.tokenLatencyPs()) {
            assertEquals(35_004_000L, l);
        }
        assertEquals(5_004_000L, r.linkPs()[0]);
        assertEquals(3L, r.stats().counterValue("link.wafer0.out--wafer1.in.ab.messages"));
    }
}
