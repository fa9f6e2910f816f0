package dev.wafersim.workloads.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.gpu.GpuPresets;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import dev.wafersim.workloads.step.TimeToFirstToken;
import org.junit.jupiter.api.Test;

/** The GPU step model against the decode simulator, FLOP closed forms and a hand-computed KV capacity. */
class GpuStepModelTest {
    static final ModelSpec LLAMA8B = ModelCatalog.get("llama-3.1-8b");
    static final ModelSpec LLAMA70B = ModelCatalog.get("llama-3.1-70b");

    static GpuStepModel model(ParamSet p, ModelSpec m, GpuOptions o, int maxSequences, long maxPositions) {
        return new GpuStepModel(new StepModelRequest(p.name(), p, m, Precision.DEFAULT, ExpertRouting.UNIFORM_EXPECTED,
                o, maxSequences, maxPositions));
    }

    @Test
    void time_oneDecodeToken_equalsTheDecodeStepExactly() {
        Object[][] cases = {
                {GpuPresets.load("h100-sxm"), LLAMA8B, GpuOptions.of(1, 1)},
                {GpuPresets.load("h100-sxm"), LLAMA8B, GpuOptions.of(8, 1)},
                {GpuPresets.load("h100-sxm", "cuda-graphs"), LLAMA70B, GpuOptions.of(4, 2)},
                {GpuPresets.load("a100-80gb", "eager"), ModelCatalog.get("llama-3.2-1b"), GpuOptions.of(2, 1)}};
        for (Object[] c : cases) {
            ParamSet p = (ParamSet) c[0];
            ModelSpec m = (ModelSpec) c[1];
            GpuOptions o = (GpuOptions) c[2];
            DecodeResult decode = GpuDecodeSimulator.INSTANCE.simulate(new DecodeRequest(p.name(), p, m,
                    DecodeWorkload.of(1, 4096, 1), o));
            StepTime t = model(p, m, o, 1, 4097).time(ForwardBatch.decode(1, 4096));
            assertEquals(decode.tokenLatencyPs(0), t.latencyPs(), m.name() + " " + o);
            for (LatencyCategory cat : LatencyCategory.values()) {
                assertEquals(decode.breakdownTotalPs(cat), t.breakdownPs(cat), cat + " " + m.name());
            }
        }
    }

    @Test
    void time_longPromptOneLayer_followsTheFlopClosedForm() {
        // One Llama-3.1-8B layer, a vocabulary of 128 (no LM-head weight to speak of), one H100.
        ModelSpec layer = ModelSpec.builder("one-layer").layers(1).hidden(4096).heads(32, 8).ffn(14336).vocab(128).build();
        ParamSet p = GpuPresets.load("h100-sxm").with("serving.prefillChunkTokens", "16384", "test");
        GpuStepModel m = model(p, layer, GpuOptions.of(1, 1), 1, 16_385);
        // Weight matmuls: qkv 4096 x 6144, o 4096 x 4096, gate/up 4096 x 28672, down 14336 x 4096 = 218,103,808
        // parameters, 2 FLOPs each per token. Causal attention over T tokens: T (T + 1) / 2 pairs, each 32 heads
        // x (2 x 128 QK^T + 2 x 128 PV + 6 softmax) FLOPs. All at 0.75 x 989 TFLOP/s (gpu.computeEfficiency x
        // the BF16 peak).
        double rate = 0.75 * 989e12;
        long[] prompts = {8192, 16384};
        double[] closed = new double[2];
        long[] simulated = new long[2];
        for (int i = 0; i < 2; i++) {
            long t = prompts[i];
            double pairs = t * (t + 1) / 2.0;
            closed[i] = (2.0 * 218_103_808 * t + pairs * 32 * (4 * 128 + 6)) / rate * 1e12;
            StepTime st = m.time(ForwardBatch.prefill(0, (int) t, true));
            simulated[i] = st.latencyPs();
            // The compute-bound kernels (GEMMs, attention) take the closed form plus their ramps and the smooth
            // roofline's corner (their memory time is a tenth of their compute time or less): within 3%.
            long compute = st.breakdownPs(LatencyCategory.COMPUTE);
            assertTrue(compute >= closed[i] && compute <= 1.03 * closed[i], t + " tokens: " + compute + " ps against "
                    + closed[i]);
            // The element-wise kernels (embedding, norms, residual, rotary, activation) move under 225 KB per token
            // (about 1.8 GB at 8,192 tokens): at most 79 ns per token at the sustained 2.85 TB/s, plus ramps.
            assertTrue(st.breakdownPs(LatencyCategory.ELEMENTWISE) <= 80_000L * t, "element-wise " + t);
        }
        // Doubling the prompt more than doubles the time, as the FLOPs do (the quadratic attention term).
        double flopRatio = closed[1] / closed[0];
        assertEquals(flopRatio, simulated[1] / (double) simulated[0], 0.05 * flopRatio);
        assertTrue(flopRatio > 2.05);
    }

    @Test
    void kvCapacity_llama8bOneH100_handComputed() {
        // 80 GB - 1 GB runtime reserve = 79e9 bytes usable. Weights (bf16): 16,060,522,496 bytes. Activation
        // reserve for passes of 256 + 8,192 (trtllm's serving.prefillChunkTokens) = 8,448 tokens: per token 2 bytes
        // x (2 x 4096 (residual and normed copy) + max(attention 2 x (32 + 8) x 128 = 10,240, FFN 3 x 14,336 =
        // 43,008)) = 102,400 bytes, 865,075,200 in all, plus fp32 logits for 256 rows: 4 x 256 x 128,256 =
        // 131,334,144. KV per token: 32 layers x 2 (K, V) x 8 heads x 128 x 2 bytes = 131,072.
        assertEquals(16_060_522_496L, LLAMA8B.weightBytes(Precision.DEFAULT));
        long free = 79_000_000_000L - 16_060_522_496L - 865_075_200L - 131_334_144L;
        GpuStepModel m = model(GpuPresets.load("h100-sxm"), LLAMA8B, GpuOptions.of(1, 1), 256, 8192);
        assertEquals(free / 131_072, m.kvCapacityTokens());
        assertEquals(472_588, m.kvCapacityTokens());
        assertEquals(1, m.maxPassesInFlight());
        assertEquals(1, m.devices());
        // TP 8: each GPU holds one of the 8 KV heads, an eighth of the weights: far more tokens.
        assertTrue(model(GpuPresets.load("h100-sxm"), LLAMA8B, GpuOptions.of(8, 1), 256, 8192).kvCapacityTokens()
                > 7 * m.kvCapacityTokens());
    }

    @Test
    void time_pipelineOfTwo_intervalIsTheBusierStage() {
        GpuStepModel m = model(GpuPresets.load("h100-sxm"), LLAMA70B, GpuOptions.of(4, 2), 8, 4096);
        assertEquals(2, m.maxPassesInFlight());
        assertEquals(8, m.devices());
        StepTime t = m.time(ForwardBatch.decode(8, 2000));
        // Each stage holds 40 of the 80 layers: it is busy about half the pass, idle the rest.
        assertTrue(t.intervalPs() < t.latencyPs());
        assertTrue(t.intervalPs() > 0.4 * t.latencyPs() && t.intervalPs() < 0.65 * t.latencyPs(),
                t.intervalPs() + " of " + t.latencyPs());
        long sum = 0;
        for (long v : t.breakdownPs()) {
            sum += v;
        }
        assertEquals(t.latencyPs(), sum);
        assertTrue(m.machine().startsWith("8 x h100-sxm (1 node), tp 4, pp 2, stack trtllm"), m.machine());
    }

    @Test
    void timeToFirstToken_chunkedPrompt_isTheSumOfItsPasses() {
        ParamSet p = GpuPresets.load("h100-sxm").with("serving.prefillChunkTokens", "4096", "test");
        GpuStepModel m = model(p, LLAMA8B, GpuOptions.of(2, 1), 1, 10_001);
        assertEquals(4096, m.prefillChunkTokens());
        TimeToFirstToken t = TimeToFirstToken.of(m, 10_000, m.prefillChunkTokens());
        // 4,096 + 4,096 + 1,808 tokens; only the last pass computes logits (the first output token).
        assertEquals(3, t.passes());
        long expected = m.time(ForwardBatch.prefill(0, 4096, false)).latencyPs()
                + m.time(ForwardBatch.prefill(4096, 4096, false)).latencyPs()
                + m.time(ForwardBatch.prefill(8192, 1808, true)).latencyPs();
        assertEquals(expected, t.latencyPs());
        long sum = 0;
        for (long v : t.breakdownPs()) {
            sum += v;
        }
        assertEquals(t.latencyPs(), sum);
        // A long prompt is compute-bound on the GPU.
        assertTrue(t.breakdownPs(LatencyCategory.COMPUTE) > t.latencyPs() / 2);
    }

    @Test
    void time_passBeyondTheReserveOrTheCache_isRejected() {
        GpuStepModel m = model(GpuPresets.load("h100-sxm"), LLAMA8B, GpuOptions.of(1, 1), 4, 8192);
        ConfigException big = assertThrows(ConfigException.class, () -> m.time(ForwardBatch.prefill(0, 9000, true)));
        assertTrue(big.getMessage().contains("more than the activation reserve of 8196 tokens"), big.getMessage());
        ConfigException full = assertThrows(ConfigException.class, () -> m.time(ForwardBatch.decode(4, 400_000)));
        assertTrue(full.getMessage().contains("does not fit the KV cache"), full.getMessage());
        ConfigException tooLong = assertThrows(ConfigException.class,
                () -> model(GpuPresets.load("h100-sxm"), LLAMA70B, GpuOptions.of(2, 1), 1, 2_000_000));
        assertTrue(tooLong.getMessage().contains("fit"), tooLong.getMessage());
    }
}
