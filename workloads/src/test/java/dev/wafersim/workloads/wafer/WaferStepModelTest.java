package dev.wafersim.workloads.wafer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import dev.wafersim.workloads.step.TimeToFirstToken;
import org.junit.jupiter.api.Test;

/**
 * The wafer's step model on a small model in a 48 x 48 corner of a WSE-3 (episodes of a few hundred
 * cycles): relations that follow from the pipeline of layer regions, each derived next to its assertion.
 */
class WaferStepModelTest {
    static final ModelSpec SMALL = WaferDecodeTest.SMALL;

    static WaferStepModel model(long maxPositions, String... sets) {
        ParamSet ps = WaferDecodeTest.smallWafer(sets);
        return new WaferStepModel(new StepModelRequest("wse3", ps, SMALL, Precision.DEFAULT,
                ExpertRouting.UNIFORM_EXPECTED, new WaferOptions(1, false), 8, maxPositions));
    }

    /** Sub-chunks of 4 tokens and contexts simulated 16 apart keep every episode tiny. */
    static WaferStepModel small() {
        return model(256, "mapping.prefillPassTokens", "4", "mapping.stepContextBucketTokens", "16");
    }

    @Test
    void chunk_ofCTokens_costsLessThanCDecodeSteps() {
        WaferStepModel m = small();
        int c = 16;
        long cached = 20;
        long chunk = m.time(ForwardBatch.prefill(cached, c, true)).latencyPs();
        // C decode steps, one after the other: token j needs the K and V of token j - 1.
        long steps = 0;
        for (int j = 0; j < c; j++) {
            steps += m.time(ForwardBatch.decode(1, cached + j)).latencyPs();
        }
        // The chunk's 4 sub-chunks follow each other through the regions at the busiest region's interval,
        // and each sub-chunk's tokens share its chains, so it is far below C separate passes.
        assertTrue(chunk < steps, "chunk " + chunk + " ps, " + c + " decode steps " + steps + " ps");
    }

    @Test
    void subChunks_pipelinedThroughRegions_beatTheirSerialSum_butShowTheBubble() {
        WaferStepModel m = small();
        int s = m.prefillPassTokens();
        assertEquals(4, s);
        long cached = 8;
        StepTime whole = m.time(ForwardBatch.prefill(cached, 4 * s, false));
        long serial = 0;
        for (int i = 0; i < 4; i++) {
            serial += m.time(ForwardBatch.prefill(cached + (long) i * s, s, false)).latencyPs();
        }
        // Pipelined: while region k works on sub-chunk i, region k - 1 works on i + 1.
        assertTrue(whole.latencyPs() < serial, whole.latencyPs() + " ps against " + serial + " ps one after another");
        // The fill and drain: the last sub-chunk leaves after all regions; the busiest region is busy for less.
        assertTrue(whole.intervalPs() < whole.latencyPs(), "interval " + whole.intervalPs() + " latency "
                + whole.latencyPs());
        // Each sub-chunk adds at least one interval of the busiest region: 4 sub-chunks take longer than 1.
        StepTime one = m.time(ForwardBatch.prefill(cached, s, false));
        assertTrue(whole.latencyPs() > one.latencyPs());
        assertTrue(whole.intervalPs() > one.intervalPs());
    }

    @Test
    void time_anyBatch_intervalAtMostLatency_breakdownSums_activeEnergyBooked() {
        WaferStepModel m = small();
        ForwardBatch mixed = ForwardBatch.of(new long[] {30, 31, 12, 40}, new int[] {1, 1, 9, 4},
                new int[] {1, 1, 1, 4});
        for (ForwardBatch b : new ForwardBatch[] {ForwardBatch.decode(1, 10), ForwardBatch.decode(8, 60), mixed,
            ForwardBatch.prefill(0, 7, true)}) {
            StepTime t = m.time(b);
            assertTrue(t.intervalPs() > 0 && t.intervalPs() <= t.latencyPs(), b.toString());
            long sum = 0;
            for (LatencyCategory c : LatencyCategory.values()) {
                sum += t.breakdownPs(c);
            }
            assertEquals(t.latencyPs(), sum, b.toString());
            assertTrue(t.busyDevicePs(PowerState.ACTIVE) > 0 && t.busyDevicePs(PowerState.ACTIVE) <= t.latencyPs(),
                    b.toString());
        }
    }

    @Test
    void time_sameBatchTwiceAndOnAFreshModel_identical() {
        ForwardBatch b = ForwardBatch.of(new long[] {30, 12}, new int[] {1, 6}, new int[] {1, 1});
        WaferStepModel m = small();
        StepTime first = m.time(b);
        assertEquals(first, m.time(b));
        assertEquals(first, small().time(b));
    }

    @Test
    void ttft_growsWithPromptLength() {
        WaferStepModel m = small();
        long prev = 0;
        for (long prompt : new long[] {8, 32, 96, 200}) {
            long t = TimeToFirstToken.of(m, prompt, m.prefillChunkTokens()).latencyPs();
            assertTrue(t > prev, prompt + " tokens: " + t + " ps after " + prev + " ps");
            prev = t;
        }
    }

    @Test
    void kvCapacity_equalsFreeSramPerPeOverOneTokensKeysAndValues_timesColumns() {
        WaferStepModel m = small();
        Segment layer = null;
        for (Segment s : m.placementForTest().wafers().get(0).segments()) {
            if (s.kind() == Segment.Kind.LAYER) {
                layer = s;
                break;
            }
        }
        LayerPlan at = layer.plan();
        WaferDecodeConfig cfg = WaferDecodeConfig.from(WaferDecodeTest.smallWafer());
        // Reserve plans at 256 positions + 2 sub-chunks of 4 (the timing episodes' last tokens) = 264 positions.
        LayerPlan chunk = LayerPlan.chunk(SMALL, 0, at.cols, at.rows, 4, 4, 264, Precision.DEFAULT,
                cfg.mapping().accumulate(), cfg.wse(), at.padElems);
        // A token's K and V on a PE: 2 (K, V) x dims of its row x 2 bytes; SMALL has 2 KV heads of 16 dims.
        assertEquals(2L * chunk.dimsMax * 2, 2L * chunk.dimsMax * Precision.DEFAULT.kvBytesPerElement());
        // One sequence of 264 positions striped over the columns: ceil(264 / cols) slots, padded to 8.
        long slots = LayerPlan.pad((int) ((264 + at.cols - 1) / at.cols));
        assertEquals(2L * slots * chunk.dimsMax * 2, chunk.kvBytesPerPe());
        long fixed = chunk.dataBytesPerPe - chunk.kvBytesPerPe();
        long perColumn = (cfg.wse().sram().dataBytesPerPe() - fixed) / (4L * chunk.dimsMax);
        assertEquals(perColumn * at.cols, m.kvCapacityTokens());
        assertTrue(m.kvCapacityTokens() > 256);
    }

    @Test
    void request_beyondTheKvCapacity_refusedNamingPositions() {
        // One request of 5M positions: its KV cache alone (2.56 GB) is beyond the 48 x 48 PEs' 0.10 GB.
        ConfigException e = assertThrows(ConfigException.class, () -> model(5_000_000));
        assertTrue(e.getMessage().contains("4999999 + 1 tokens) does not fit"), e.getMessage());
        WaferStepModel m = small();
        long cap = m.kvCapacityTokens();
        int rows = (int) (cap / 200) + 1;
        long[] cached = new long[rows];
        java.util.Arrays.fill(cached, 199);
        ForwardBatch tooMany = ForwardBatch.decode(rows, 199);
        ConfigException e2 = assertThrows(ConfigException.class, () -> m.time(tooMany));
        assertTrue(e2.getMessage().contains("does not fit the KV cache"), e2.getMessage());
        ConfigException e3 = assertThrows(ConfigException.class, () -> m.time(ForwardBatch.prefill(250, 10, true)));
        assertTrue(e3.getMessage().contains("260 positions"), e3.getMessage());
    }

    @Test
    void passesInFlight_beyondTheRegions_refusedNamingTheKey() {
        assertEquals(2, small().maxPassesInFlight());
        // SMALL: 4 layer regions and the LM head.
        assertEquals(5, model(256, "mapping.passesInFlight", "5").maxPassesInFlight());
        ConfigException e = assertThrows(ConfigException.class, () -> model(256, "mapping.passesInFlight", "6"));
        assertTrue(e.getMessage().startsWith("mapping.passesInFlight=6 is not allowed; expected an integer in [1, 5]"),
                e.getMessage());
    }

    @Test
    void time_fromSeveralThreadsAtOnce_sameAsOneAfterAnother() throws Exception {
        ForwardBatch[] batches = {ForwardBatch.decode(3, 40), ForwardBatch.prefill(16, 12, true),
            ForwardBatch.of(new long[] {50, 5}, new int[] {1, 8}, new int[] {1, 0}), ForwardBatch.decode(1, 90)};
        WaferStepModel serial = small();
        StepTime[] want = new StepTime[batches.length];
        for (int i = 0; i < batches.length; i++) {
            want[i] = serial.time(batches[i]);
        }
        WaferStepModel shared = small();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<StepTime>> got = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (ForwardBatch b : batches) {
                    got.add(pool.submit(() -> shared.time(b)));
                }
            }
            for (int i = 0; i < got.size(); i++) {
                assertEquals(want[i % batches.length], got.get(i).get(), "batch " + (i % batches.length));
            }
        } finally {
            pool.shutdownNow();
        }
        // Every distinct episode was simulated once, however many threads asked for it.
        assertEquals(serial.simulatedEpisodes(), shared.simulatedEpisodes());
    }

    @Test
    void prepare_thenTime_sameTimesAndEpisodesAsTimeAlone() {
        java.util.List<ForwardBatch> chunks = java.util.List.of(ForwardBatch.prefill(0, 32, false),
                ForwardBatch.prefill(32, 32, false), ForwardBatch.prefill(64, 20, true));
        WaferStepModel alone = small();
        WaferStepModel prepared = small();
        prepared.prepare(chunks);
        long before = prepared.simulatedEpisodes();
        for (ForwardBatch b : chunks) {
            assertEquals(alone.time(b), prepared.time(b), b.toString());
        }
        // Everything the passes needed was simulated by prepare.
        assertEquals(before, prepared.simulatedEpisodes());
        assertEquals(alone.simulatedEpisodes(), prepared.simulatedEpisodes());
        assertEquals(TimeToFirstToken.of(alone, 84, 32), TimeToFirstToken.of(small(), 84, 32));
    }

    /**
     * Contexts simulated 64 apart and interpolated against every sub-chunk's context simulated (a spacing of
     * 1): what attention adds is linear in the attended tokens, so the time to first token of a 120-token
     * prompt agrees within 2% (the default mode's rule for decode is 1% on means; single passes differ more).
     */
    @Test
    void ttft_contextsInterpolated_withinTwoPercentOfEveryContextSimulated() {
        WaferStepModel coarse = model(256, "mapping.prefillPassTokens", "4", "mapping.stepContextBucketTokens", "64",
                "mapping.stepContextGrowth", "1");
        WaferStepModel every = model(256, "mapping.prefillPassTokens", "4", "mapping.stepContextBucketTokens", "1",
                "mapping.stepContextGrowth", "1");
        TimeToFirstToken a = TimeToFirstToken.of(coarse, 120, 40);
        TimeToFirstToken b = TimeToFirstToken.of(every, 120, 40);
        assertTrue(every.simulatedEpisodes() > coarse.simulatedEpisodes());
        assertEquals(b.latencyPs(), a.latencyPs(), 0.02 * b.latencyPs());
    }

    /**
     * Spacings that double (64, 128, 256, ...: contexts 1, 65, 193, 449, 961, 1985, 2048) against even ones (64
     * apart: 33 contexts) on a long prompt, where the attention loops over tens of tokens per column dominate a
     * micro-pass and grow linearly with them: the time to first token agrees within 1% with a third of the
     * episodes.
     */
    @Test
    void ttft_growingSpacing_withinOnePercentOfEvenSpacing() {
        WaferStepModel even = model(2048, "mapping.prefillPassTokens", "4", "mapping.stepContextBucketTokens", "64",
                "mapping.stepContextGrowth", "1");
        WaferStepModel growing = model(2048, "mapping.prefillPassTokens", "4", "mapping.stepContextBucketTokens", "64",
                "mapping.stepContextGrowth", "2");
        TimeToFirstToken e = TimeToFirstToken.of(even, 2000, 500);
        TimeToFirstToken g = TimeToFirstToken.of(growing, 2000, 500);
        assertTrue(3 * growing.simulatedEpisodes() < 2 * even.simulatedEpisodes(), even.simulatedEpisodes()
                + " episodes evenly spaced, " + growing.simulatedEpisodes() + " growing");
        assertEquals(e.latencyPs(), g.latencyPs(), 0.01 * e.latencyPs());
    }

    /** The simulated contexts, by hand: spacings b, b x g, b x g^2, ... from 1, the last cut at the longest. */
    @Test
    void contextSpan_evenOrGrowing_bracketsThePositions() {
        // growth 1, b = 8192: the old even buckets, 1 + 8192k.
        assertArrayEquals(new long[] {1, 8193}, WaferStepModel.contextSpan(1, 8192, 1, 100_000));
        assertArrayEquals(new long[] {8193, 16385}, WaferStepModel.contextSpan(8193, 8192, 1, 100_000));
        assertArrayEquals(new long[] {24577, 32769}, WaferStepModel.contextSpan(30_000, 8192, 1, 100_000));
        // growth 2: 1, 8193 (+8192), 24577 (+16384), 57345 (+32768), 122881 (+65536).
        assertArrayEquals(new long[] {8193, 24577}, WaferStepModel.contextSpan(8193, 8192, 2, 100_000));
        assertArrayEquals(new long[] {24577, 57345}, WaferStepModel.contextSpan(30_000, 8192, 2, 100_000));
        assertArrayEquals(new long[] {24577, 57345}, WaferStepModel.contextSpan(57_344, 8192, 2, 100_000));
        // The last span ends at the longest request: 57345 + 65536 > 63343.
        assertArrayEquals(new long[] {57345, 63343}, WaferStepModel.contextSpan(60_000, 8192, 2, 63_343));
        assertArrayEquals(new long[] {57345, 57345}, WaferStepModel.contextSpan(57_345, 8192, 2, 57_345));
        // growth 1.5 rounds each spacing down: 1, 11 (+10), 26 (+15), 48 (+22.5 -> 22), 81 (+33.75 -> 33).
        assertArrayEquals(new long[] {48, 81}, WaferStepModel.contextSpan(50, 10, 1.5, 1_000));
        assertThrows(IllegalArgumentException.class, () -> WaferStepModel.contextSpan(10, 8, 0.5, 100));
    }
}
