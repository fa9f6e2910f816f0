package dev.wafersim.cli.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentSpec;
import org.junit.jupiter.api.Test;

/** The a-priori cost of a sweep point: the formulas of PointCost, by hand, and what drives them. */
class PointCostTest {
    private static Experiment experiment(String system, String model, String... settings) {
        ExperimentSpec s = ExperimentSpec.defaults().assign("system", system, "").assign("model", model, "");
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            s = s.assign(kv.substring(0, eq), kv.substring(eq + 1), "");
        }
        return s.resolve(false);
    }

    /** Llama-3.1-8B (32 layers), 128 tokens, 1 GPU: 2,000 + 128 x 32 x 15 = 63,440 us. */
    @Test
    void micros_gpuOneGpu_fixedPlusTokensTimesLayers() {
        assertEquals(63_440, PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=1")));
    }

    /** The same on 8 GPUs (tp 8): 2,000 + 128 x 32 x (15 + 4 x 7) = 178,128 us; batch and context do not enter. */
    @Test
    void micros_gpuTensorParallel_perGpuTermAddsBatchAndContextDoNot() {
        assertEquals(178_128, PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=8")));
        assertEquals(178_128, PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=8",
                "workload.batch=16", "workload.context=32768")));
    }

    /**
     * The layout search up to 8 GPUs (one node): counts 1, 2, 4, 8, as tp x pp for every tp dividing the count;
     * per layer 15 + 4 (tp - 1) us: count 1: 15; 2: 15 + 19 = 34; 4: 15 + 19 + 27 = 61; 8: 15 + 19 + 27 + 43 = 104;
     * 214 us in all, two tokens over 32 layers: 13,696 us. Then the run at tp 8: 128 x 32 x 43 = 176,128 us;
     * plus 2,000: 191,824 us.
     */
    @Test
    void micros_gpuLayoutSearch_twoTokensPerLayoutTriedPlusTheRun() {
        assertEquals(191_824,
                PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=auto", "workload.maxGpus=8")));
        assertArrayEquals(new int[] {1, 2, 4, 8}, PointCost.searchCounts(8, 8));
        assertArrayEquals(new int[] {1, 2, 4, 8, 16, 24, 32}, PointCost.searchCounts(8, 32), "then whole nodes");
    }

    /**
     * A prompt adds its prefill. 8 GPUs (tp 8), 32,768 tokens in chunks of 8,192 (the trtllm stack's
     * serving.prefillChunkTokens): 4 passes x 32 layers x 43 us = 5,504 us on top of 178,128. On wse3, 32,768
     * tokens: 60,000,000 x (1 + 1) = 120,000,000 us on top of the decode's 14,004,000.
     */
    @Test
    void micros_prompt_addsPrefillPassesOnGpusAndEpisodesOnAWafer() {
        assertEquals(178_128 + 5_504, PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=8",
                "workload.promptTokens=32768")));
        assertEquals(14_004_000 + 120_000_000, PointCost.micros(experiment("wse3", "llama-3.1-8b",
                "workload.promptTokens=32768")));
    }

    /**
     * wse3, default mode, batch 1, context 4,096, 128 tokens, buckets of 256 tokens:
     * 3,000,000 x 1 x (1 + 4,224 / 2,000) x (1 + 128 / 256) = 3,000,000 x 3.112 x 1.5 = 14,004,000 us.
     */
    @Test
    void micros_waferDefaultMode_byHand() {
        assertEquals(14_004_000, PointCost.micros(experiment("wse3", "llama-3.1-8b")));
    }

    /** Exact mode: every layer of every token, each a quarter of a default run without the bucket factor. */
    @Test
    void micros_waferExact_tokensTimesLayersEpisodes() {
        long exact = PointCost.micros(experiment("wse3", "llama-3.1-8b", "workload.exact=true", "workload.tokens=2"));
        // 3,000,000 x (1 + 4,098 / 2,000) / 4 x 2 x 32 = 146,352,000
        assertEquals(146_352_000, exact);
    }

    @Test
    void micros_waferAgainstGpu_thousandsOfTimesMore() {
        long wafer = PointCost.micros(experiment("wse3", "llama-3.2-1b", "workload.tokens=2", "workload.context=512"));
        long gpu = PointCost.micros(experiment("h100-sxm", "llama-3.2-1b", "workload.tokens=2", "workload.context=512"));
        assertTrue(wafer > 1000 * gpu, wafer + " vs " + gpu);
    }

    @Test
    void micros_moreTokensLayersBatchOrContext_costsMore() {
        long base = PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=1", "workload.tokens=16"));
        assertTrue(PointCost.micros(experiment("h100-sxm", "llama-3.1-8b", "workload.gpus=1", "workload.tokens=64")) > base);
        assertTrue(PointCost.micros(experiment("h100-sxm", "llama-3.1-70b", "workload.gpus=1", "workload.tokens=16")) > base,
                "80 layers against 32");
        long wafer = PointCost.micros(experiment("wse3", "llama-3.1-8b"));
        assertTrue(PointCost.micros(experiment("wse3", "llama-3.1-8b", "workload.batch=4")) > wafer);
        assertTrue(PointCost.micros(experiment("wse3", "llama-3.1-8b", "workload.context=32768")) > wafer);
    }
}
