package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class DecodeWorkloadTest {
    static final ModelSpec LLAMA8B = ModelCatalog.get("llama-3.1-8b");
    static final ModelSpec GPT_OSS = ModelCatalog.get("gpt-oss-120b");

    @Test
    void constructor_badValues_configExceptionNamesKey() {
        ConfigException ex = assertThrows(ConfigException.class, () -> DecodeWorkload.of(0, 10, 1));
        assertEquals("workload.batchSize=0 is not allowed; expected an integer in [1, 1048576]", ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> DecodeWorkload.of(1, 0, 1));
        assertEquals("workload.contextTokens=0 is not allowed; expected an integer in [1, 4294967296] (tokens)",
                ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> DecodeWorkload.of(1, 10, 0));
        assertEquals("workload.tokensToGenerate=0 is not allowed; expected an integer >= 1 (tokens)", ex.getMessage());
    }

    @Test
    void steps_kvCacheGrowsOneTokenPerStep() {
        DecodeWorkload w = DecodeWorkload.of(2, 100, 3);
        for (int t = 0; t < 3; t++) {
            DecodeStep s = w.step(LLAMA8B, t);
            assertEquals(100 + t, s.cachedTokens());
            // Per layer: 2 sequences * (100 + t) cached tokens * 4096 bytes read, 2 * 4096 written.
            Op a = s.layer(0).ops().get(3);
            assertEquals(2L * (100 + t) * 4096, a.kvBytesRead());
            assertEquals(2L * 4096, a.kvBytesWritten());
            assertEquals(101 + t, a.attention().attendedTokens());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> w.step(LLAMA8B, 3));
    }

    @Test
    void steps_gptOssSlidingLayerStopsGrowingAtWindow() {
        DecodeWorkload w = DecodeWorkload.of(1, 126, 4);
        long[] expectedSliding = {127, 128, 128, 128}; // min(126 + t + 1, 128)
        for (int t = 0; t < 4; t++) {
            DecodeStep s = w.step(GPT_OSS, t);
            assertEquals(expectedSliding[t], s.layer(0).ops().get(3).attention().attendedTokens());
            assertEquals(127 + t, s.layer(1).ops().get(3).attention().attendedTokens());
        }
    }

    @Test
    void totals_kvBytesOverGeneration_matchArithmeticSeries() {
        DecodeWorkload w = DecodeWorkload.of(2, 100, 10);
        OpTotals t = w.totals(LLAMA8B);
        // Read: sum over t of 2 seqs * (100 + t) * 131,072 bytes (32 layers * 4096) = 2 * 131,072 * (1000 + 45).
        assertEquals(2L * 131_072 * 1045, t.kvBytesRead());
        // Written: 10 steps * 2 seqs * 131,072.
        assertEquals(10L * 2 * 131_072, t.kvBytesWritten());
        // Dense weights are the same every step.
        assertEquals(10 * w.step(LLAMA8B, 0).totals().weightBytes(), t.weightBytes(), 0.0);
    }

    @Test
    void capacity_peakKvCache_llama8b() {
        DecodeWorkload w = DecodeWorkload.of(4, 1000, 24);
        // 4 sequences * (1000 + 24) positions * 131,072 bytes = 512 MiB.
        assertEquals(512L << 20, w.peakKvCacheBytes(LLAMA8B));
        assertEquals(4L * 1000 * 131_072, w.initialKvCacheBytes(LLAMA8B));
        assertEquals(2 * 8_030_261_248L, w.weightBytes(LLAMA8B));
    }

    @Test
    void capacity_peakKvCache_gptOssCapsSlidingLayers() {
        DecodeWorkload w = DecodeWorkload.of(1, 10_000, 240).withPrecision(Precision.GPT_OSS_NATIVE);
        // 18 full layers * 10,240 + 18 sliding layers * 128 = 186,624 layer-positions * 2048 bytes.
        assertEquals(186_624L * 2048, w.peakKvCacheBytes(GPT_OSS));
    }

    @Test
    void step_overflowingCounts_configException() {
        DecodeWorkload w = DecodeWorkload.of(DecodeWorkload.MAX_BATCH, DecodeWorkload.MAX_CONTEXT, 1);
        ModelSpec big = ModelCatalog.get("llama-3.1-405b");
        // 2^20 sequences * 2^32 tokens * 128 heads * 256 FLOPs per key: 2^67, beyond a long.
        ConfigException ex = assertThrows(ConfigException.class, () -> w.step(big, 0));
        assertEquals(true, ex.getMessage().contains("overflows 64-bit"), ex.getMessage());
    }
}
