package dev.wafersim.workloads.speculative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepTime;
import org.junit.jupiter.api.Test;

/** The target-and-draft machine against closed-form step models. */
class SpeculativeStepModelTest {
    private static final long MS = 1_000_000_000L;
    private static final ModelSpec TARGET = ModelCatalog.resolve("llama-3.1-8b");

    /** A machine whose pass takes {@code fixed + perNew x new tokens}, with {@code kv} tokens of KV cache. */
    static StepModel linear(long fixedPs, long perNewPs, long kv, int devices) {
        return new StepModel() {
            @Override
            public StepTime time(ForwardBatch b) {
                return StepTime.of(fixedPs + perNewPs * b.totalNewTokens(), LatencyCategory.COMPUTE);
            }

            @Override
            public long kvCapacityTokens() {
                return kv;
            }

            @Override
            public int maxPassesInFlight() {
                return 1;
            }

            @Override
            public int devices() {
                return devices;
            }

            @Override
            public String machine() {
                return "linear";
            }
        };
    }

    private static SpeculativeSpec spec(String placement) {
        return SpeculativeSpec.parse("draft=llama-3.2-1b,k=3,acceptance=0.8,placement=" + placement, "--speculative",
                TARGET);
    }

    @Test
    void time_verifyRows_addKDraftPassesToTheTargetPass() {
        // Target: 10 ms + 1 us per new token; draft: 1 ms + 0.1 us per new token.
        StepModel target = linear(10 * MS, 1_000_000, 1_000_000, 8);
        StepModel draft = linear(MS, 100_000, 1_000_000, 1);
        SpeculativeStepModel m = new SpeculativeStepModel(target, draft, TARGET, spec("same"), Precision.DEFAULT, 10_000);
        // Two verify rows (4 tokens each) and a prefill chunk of 100: the target feeds 108 tokens; the draft's first
        // pass 100 + 1 + 1, its two others 2 tokens each.
        ForwardBatch b = ForwardBatch.of(new long[] {500, 700, 0}, new int[] {4, 4, 100}, new int[] {4, 4, 0});
        long targetPs = 10 * MS + 108 * 1_000_000L;
        long draftPs = (MS + 102 * 100_000L) + 2 * (MS + 2 * 100_000L);
        StepTime t = m.time(b);
        assertEquals(targetPs + draftPs, t.latencyPs());
        assertEquals(targetPs + draftPs, t.intervalPs());
        assertEquals(3, m.parts(b).draftPasses());

        SpeculativeStepModel sep = new SpeculativeStepModel(target, draft, TARGET, spec("separate"), Precision.DEFAULT,
                10_000);
        StepTime s = sep.time(b);
        assertEquals(targetPs + draftPs, s.latencyPs());
        assertEquals(Math.max(draftPs, targetPs), s.intervalPs());
        assertEquals(2, sep.maxPassesInFlight());
        assertEquals(9, sep.devices());
    }

    @Test
    void kvCapacity_sameDevices_givesTheDraftItsWeightsAndKv() {
        // Llama-3.1-8B: 32 layers x 2 x 1,024 x 2 bytes = 131,072 B per token; Llama-3.2-1B: 16 x 2 x 512 x 2 =
        // 32,768 B per token and 2 x 1,235,814,400 = 2,471,628,800 B of bf16 weights (tied embeddings).
        assertEquals(131_072, TARGET.kvBytesPerTokenPerLayer(Precision.DEFAULT) * TARGET.numLayers());
        ModelSpec d = ModelCatalog.resolve("llama-3.2-1b");
        assertEquals(32_768, d.kvBytesPerTokenPerLayer(Precision.DEFAULT) * d.numLayers());
        assertEquals(2_471_628_800L, d.weightBytes(Precision.DEFAULT));
        StepModel target = linear(10 * MS, 0, 100_000, 1);
        StepModel draft = linear(MS, 0, 500_000, 1);
        SpeculativeStepModel m = new SpeculativeStepModel(target, draft, TARGET, spec("same"), Precision.DEFAULT, 10_000);
        // (100,000 x 131,072 - 2,471,628,800) / (131,072 + 32,768) = 64,914.38
        assertEquals(64_914, m.kvCapacityTokens());
        SpeculativeStepModel sep = new SpeculativeStepModel(target, draft, TARGET, spec("separate"), Precision.DEFAULT,
                10_000);
        assertEquals(100_000, sep.kvCapacityTokens());
    }

    @Test
    void constructor_draftLeavesNoRoomForASequence_isRefused() {
        StepModel target = linear(10 * MS, 0, 20_000, 1);
        StepModel draft = linear(MS, 0, 500_000, 1);
        ConfigException e = assertThrows(ConfigException.class, () -> new SpeculativeStepModel(target, draft, TARGET,
                spec("same"), Precision.DEFAULT, 10_000));
        assertTrue(e.getMessage().contains("leaves 914 tokens of KV cache"), e.getMessage());
    }

    @Test
    void decode_acceptanceOne_everyStepGivesKPlusOneTokens() {
        StepModel target = linear(10 * MS, 0, 1_000_000, 1);
        StepModel draft = linear(MS, 0, 1_000_000, 1);
        SpeculativeStepModel m = new SpeculativeStepModel(target, draft, TARGET, spec("same"), Precision.DEFAULT, 10_000);
        // K = 3, all accepted: 8 tokens take 2 steps of 3 ms of draft + 10 ms of target.
        SpeculativeDecode.Result r = SpeculativeDecode.run(m, AcceptanceProcess.constant(1, 3, 1), 2, 100, 8);
        assertEquals(2, r.steps());
        assertEquals(4.0, r.tokensPerVerifyStep(), 0);
        assertEquals(26.0, r.totalMs(), 1e-9);
        assertEquals(26.0 / 8, r.msPerToken(), 1e-9);
        assertEquals(6.0 / 26, r.draftShare(), 1e-12);
        // Nothing accepted: one token per step, 8 steps.
        SpeculativeDecode.Result z = SpeculativeDecode.run(m, AcceptanceProcess.constant(0, 3, 1), 1, 100, 8);
        assertEquals(8, z.steps());
        assertEquals(8 * 13.0, z.totalMs(), 1e-9);
    }
}
