package dev.wafersim.workloads.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.gpu.CollectiveAlgorithm;
import dev.wafersim.fabric.gpu.CollectiveKind;
import dev.wafersim.fabric.gpu.CollectiveModel;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuCluster;
import dev.wafersim.fabric.gpu.GpuParams;
import dev.wafersim.fabric.gpu.GpuPresets;
import dev.wafersim.fabric.gpu.GpuProgram;
import dev.wafersim.fabric.gpu.GroupPlacement;
import dev.wafersim.fabric.gpu.ItemKind;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.LatencyCategory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Closed-form and hand-computed checks of the decode mapping onto the GPU cluster model. */
class GpuDecodeSimulatorTest {
    static final ModelSpec LLAMA8B = ModelCatalog.get("llama-3.1-8b");
    static final ModelSpec LLAMA70B = ModelCatalog.get("llama-3.1-70b");
    static final GpuDecodeSimulator SIM = GpuDecodeSimulator.INSTANCE;

    static DecodeResult run(String preset, ModelSpec m, DecodeWorkload w, GpuOptions o) {
        return SIM.simulate(new DecodeRequest(preset, GpuPresets.load(preset), m, w, o));
    }

    static DecodeResult run(ParamSet p, ModelSpec m, DecodeWorkload w, GpuOptions o) {
        return SIM.simulate(new DecodeRequest(p.name(), p, m, w, o));
    }

    @Test
    void weightReads_singleGpuBatch1_equalWeightBytesOverTheHbmCurve() {
        // Llama-3.1-8B bf16 matmul weights per layer: qkv 4096 x 6144, o 4096 x 4096, gate/up 4096 x 28672,
        // down 14336 x 4096, 2 bytes each = 50,331,648 + 33,554,432 + 234,881,024 + 117,440,512 = 436,207,616;
        // x 32 layers = 13,958,643,712; LM head 4096 x 128256 x 2 = 1,050,673,152. Activations in + out per
        // layer (B = 1, bf16): (4096 + 6144) + (4096 + 4096) + (4096 + 28672) + (14336 + 4096) = 69,632 elements
        // = 139,264 bytes, x 32 = 4,456,448; LM head (4096 + 128256) x 2 = 264,704.
        long bytes = 13_958_643_712L + 1_050_673_152L + 4_456_448L + 264_704L;
        int kernels = 4 * 32 + 1;
        GpuParams p = GpuPresets.params("h100-sxm");
        // The HBM curve: a kernel of B bytes takes B / bw(B) = t0 + B / (effMax x peak); summed over kernels,
        // N t0 + W / (effMax x peak). H100: t0 = 3.1 us, effMax x peak = 0.85 x 3,350 GB/s.
        double expectedPs = kernels * (double) p.hbm().rampLatencyPs()
                + bytes / p.hbm().sustainedBandwidthBytesPerSec() * 1e12;
        assertEquals(3_100_000, p.hbm().rampLatencyPs());
        DecodeResult r = run("h100-sxm", LLAMA8B, DecodeWorkload.of(1, 128, 1), GpuOptions.of(1, 1));
        // The compute half adds (1 + (tc/tm)^2)^(1/2) - 1 < 1e-5 at 1 FLOP per byte (ridge about 260).
        assertEquals(expectedPs, r.breakdownTotalPs(LatencyCategory.WEIGHT_READS), expectedPs * 1e-5);
        assertEquals(0, r.breakdownTotalPs(LatencyCategory.COMPUTE));
        assertEquals(0, r.breakdownTotalPs(LatencyCategory.COMMUNICATION));
        assertEquals(0, r.breakdownTotalPs(LatencyCategory.IDLE));
    }

    /** The h100-sxm preset with software stack {@code stack}. */
    static ParamSet h100(String stack) {
        return GpuPresets.load("h100-sxm", stack);
    }

    @Test
    void launchOverhead_cudaGraphsOn_isOneGraphLaunchPlusOneGapPerItem() {
        GpuParams p = GpuParams.from(h100("cuda-graphs"));
        GpuCluster cluster = new GpuCluster(p, 1);
        GpuLayout layout = GpuLayout.of(LLAMA8B, 1, 1, false);
        GpuDecodeMapping mapping = new GpuDecodeMapping(cluster, layout, LLAMA8B, Precision.DEFAULT, DataType.BF16,
                false);
        DecodeWorkload w = DecodeWorkload.of(1, 100, 1);
        GpuProgram program = mapping.program(w.step(LLAMA8B, 0));
        // 32 layers x 9 kernels + embed + final norm + LM head + sample, then the host sync.
        assertEquals(32 * 9 + 4 + 1, program.itemCount(0));
        long expected = p.launchOverheadPs() + (program.itemCount(0) - 1) * p.deviceGapPs();
        DecodeResult on = run(h100("cuda-graphs"), LLAMA8B, w, GpuOptions.of(1, 1));
        assertEquals(expected, on.breakdownTotalPs(LatencyCategory.LAUNCH_OVERHEAD));
        ParamSet off = h100("cuda-graphs").with("kernel.cudaGraphs", "false", "test");
        DecodeResult r = run(off, LLAMA8B, w, GpuOptions.of(1, 1));
        // Without graphs the host pays 5 us per item; where kernels are shorter the device waits.
        assertTrue(r.breakdownTotalPs(LatencyCategory.LAUNCH_OVERHEAD) > expected);
        assertTrue(r.meanMs() > on.meanMs());
    }

    @Test
    void stack_trtllmOneGpu_rotaryInsideAttentionLeavesEightKernelsPerLayer() {
        GpuParams p = GpuPresets.params("h100-sxm");
        assertEquals("trtllm", p.stack().name());
        GpuCluster cluster = new GpuCluster(p, 1);
        GpuDecodeMapping mapping = new GpuDecodeMapping(cluster, GpuLayout.of(LLAMA8B, 1, 1, false), LLAMA8B,
                Precision.DEFAULT, DataType.BF16, false);
        var step = DecodeWorkload.of(1, 100, 1).step(LLAMA8B, 0);
        GpuProgram program = mapping.program(step);
        // attn_norm(+residual), qkv, attention (+rotary), o, ffn_norm(+residual), gate/up, act, down: 8 per layer.
        assertEquals(32 * 8 + 4 + 1, program.itemCount(0));
        // The attention kernel carries the rotary FLOPs: 3 per rotated element, (32 + 8) heads x 128.
        int attention = 3;
        assertEquals("layers.0.attention", program.label(0, attention));
        GpuDecodeMapping.Piece plain = mapping.kernel(step.layer(0).ops().get(3));
        long rotaryFlops = 3L * (32 + 8) * 128;
        assertEquals(plain.flops() + rotaryFlops,
                mapping.stagePieces(step, 0).get(attention).flops());
    }

    @Test
    void stack_eagerOneGpu_kernelCountsFromTheStackParameters() {
        ParamSet eager = GpuPresets.load("h100-sxm", "eager");
        GpuParams p = GpuParams.from(eager);
        GpuDecodeMapping mapping = new GpuDecodeMapping(new GpuCluster(p, 1), GpuLayout.of(LLAMA8B, 1, 1, false), LLAMA8B,
                Precision.DEFAULT, DataType.BF16, false);
        GpuProgram program = mapping.program(DecodeWorkload.of(1, 100, 1).step(LLAMA8B, 0));
        // Per layer: attn_norm 8, qkv 1, rotary 18, attention 4, o 1, attn_residual 1, ffn_norm 8, w1 and w3 2,
        // act 2, down 1, ffn_residual 1 = 47; the step adds embed 1, final norm 8, LM head 1, sample 1 and the
        // host sync.
        assertEquals(32 * 47 + 11 + 1, program.itemCount(0));
        // Without CUDA graphs the host pays kernel.launchOverheadNs (26 us) for every kernel: the step lasts at
        // least that long, however short the kernels.
        DecodeResult r = run(eager, LLAMA8B, DecodeWorkload.of(1, 100, 1), GpuOptions.of(1, 1));
        assertTrue(r.tokenLatencyPs(0) >= (32L * 47 + 11) * p.launchOverheadPs());
    }

    @Test
    void tensorParallel_tp8NcclStack_twoAllReducesPerLayerPlusLmHeadGather_timedByCollectiveModel() {
        GpuParams p = GpuParams.from(h100("cuda-graphs"));
        GpuCluster cluster = new GpuCluster(p, 8);
        GpuLayout layout = GpuLayout.of(LLAMA8B, 8, 1, false);
        GpuDecodeMapping mapping = new GpuDecodeMapping(cluster, layout, LLAMA8B, Precision.DEFAULT, DataType.BF16,
                false);
        DecodeWorkload w = DecodeWorkload.of(1, 512, 2);
        GpuProgram program = mapping.program(w.step(LLAMA8B, 0));
        CollectiveModel cm = new CollectiveModel(p);
        // All-reduce of B x hidden bf16 = 8,192 bytes; gather of B x vocab bf16 = 256,512 bytes; NCCL for both.
        long ar = cm.ncclCost(CollectiveKind.ALL_REDUCE, 8192, GroupPlacement.intraNode(8)).totalPs();
        assertEquals(ar, cm.timePs(CollectiveKind.ALL_REDUCE, 8192, GroupPlacement.intraNode(8)));
        long ag = cm.timePs(CollectiveKind.ALL_GATHER, 256_512, GroupPlacement.intraNode(8));
        for (int g = 0; g < 8; g++) {
            int allReduces = 0;
            int gathers = 0;
            for (int i = 0; i < program.itemCount(g); i++) {
                if (program.kind(g, i) == ItemKind.COLLECTIVE) {
                    if (program.label(g, i).endsWith(".all_reduce")) {
                        allReduces++;
                        assertEquals(ar, program.durationPs(g, i));
                    } else {
                        gathers++;
                        assertEquals(ag, program.durationPs(g, i));
                    }
                }
            }
            assertEquals(2 * 32, allReduces, "gpu " + g);
            assertEquals(1, gathers, "gpu " + g);
        }
        // The 8 ranks run identical programs, so nobody waits at a collective: communication per token is
        // exactly the sum of the collectives' costs.
        DecodeResult r = run(h100("cuda-graphs"), LLAMA8B, w, GpuOptions.of(8, 1));
        assertEquals(2 * (64 * ar + ag), r.breakdownTotalPs(LatencyCategory.COMMUNICATION));
        assertEquals(0, r.breakdownTotalPs(LatencyCategory.IDLE));
    }

    @Test
    void tensorParallel_tp8Trtllm_oneShotAllReducesCarryTheResidualAndNorm() {
        GpuParams p = GpuPresets.params("h100-sxm");
        GpuCluster cluster = new GpuCluster(p, 8);
        GpuDecodeMapping mapping = new GpuDecodeMapping(cluster, GpuLayout.of(LLAMA8B, 8, 1, false), LLAMA8B,
                Precision.DEFAULT, DataType.BF16, false);
        DecodeWorkload w = DecodeWorkload.of(1, 512, 1);
        GpuProgram program = mapping.program(w.step(LLAMA8B, 0));
        // Per layer 6 kernels (qkv, attention, o, gate/up, act, down) and 2 all-reduces; the norms and residuals
        // run inside the all-reduces, except the first attn_norm (no all-reduce before it). The step: embed,
        // layer 0's attn_norm, 32 x 8, LM head, gather, sample, host sync.
        assertEquals(1 + 1 + 32 * 8 + 3 + 1, program.itemCount(0));
        // One-shot of 8 KB (4.86 us + 7 x 8192 B / (0.71 x 450 GB/s)) plus the epilogue: residual add (reads 2,
        // writes 1 hidden vector) and RMSNorm (reads the vector and its weight, writes 1): 6 x 4096 x 2 bytes at
        // the sustained HBM rate, no ramp.
        CollectiveModel cm = new CollectiveModel(p);
        long oneShot = cm.cost(CollectiveKind.ALL_REDUCE, 8192, GroupPlacement.intraNode(8),
                CollectiveAlgorithm.ONE_SHOT).totalPs();
        long epilogue = cluster.kernels().memoryTimePs(6L * 4096 * 2);
        int fused = 0;
        for (int i = 0; i < program.itemCount(0); i++) {
            if (program.kind(0, i) == ItemKind.COLLECTIVE && program.label(0, i).endsWith(".all_reduce")) {
                assertEquals(oneShot + epilogue, program.durationPs(0, i), program.label(0, i));
                fused++;
            }
        }
        assertEquals(64, fused);
        DecodeResult r = run("h100-sxm", LLAMA8B, w, GpuOptions.of(8, 1));
        assertEquals("one-shot", r.extras().get("allReduce"));
        assertEquals("trtllm", r.extras().get("stack"));
        assertTrue(r.machine().contains("stack trtllm (all-reduce one-shot)"), r.machine());
    }

    @Test
    void tensorParallel_tp8_shardsWeightsAndReplicatesKvHeadsBeyondTheirCount() {
        // Llama-3.1-8B has 8 KV heads: at TP 16 every GPU holds one, each KV head on two GPUs.
        GpuLayout tp16 = GpuLayout.of(LLAMA8B, 16, 1, false);
        assertEquals(1, tp16.kvHeadsPerGpu(LLAMA8B));
        assertEquals(2, tp16.queryHeadsPerGpu(LLAMA8B));
        GpuLayout tp8 = GpuLayout.of(LLAMA8B, 8, 1, false);
        GpuCluster cluster = new GpuCluster(GpuPresets.params("h100-sxm"), 8);
        GpuDecodeMapping m = new GpuDecodeMapping(cluster, tp8, LLAMA8B, Precision.DEFAULT, DataType.BF16, false);
        var step = DecodeWorkload.of(1, 1000, 1).step(LLAMA8B, 0);
        var attn = m.kernel(step.layer(0).ops().get(3));
        // Step 0 at context 1000 reads 1000 cached tokens. One KV head per GPU: 1000 x (K + V) x 128 x 2 bytes
        // read, plus the new token's K and V written (512 bytes); q in and out 4 heads x 128 x 2 bytes each.
        assertEquals(1000L * 2 * 128 * 2 + 2 * 128 * 2 + 2 * 4 * 128 * 2, attn.bytes());
        var qkv = m.kernel(step.layer(0).ops().get(1));
        // 4 query heads + 1 K + 1 V head of 128: 4096 x 768 x 2 bytes, input 4096, output 768 elements.
        assertEquals(4096L * 768 * 2 + 4096 * 2 + 768 * 2, qkv.bytes());
        assertEquals(2L * 4096 * 768, qkv.flops());
    }

    @Test
    void mixtureOfExperts_tp2Batch1_readsTheTwoRoutedExpertsSplitOverTheRanks() {
        ModelSpec mixtral = ModelCatalog.get("mixtral-8x7b");
        GpuLayout layout = GpuLayout.of(mixtral, 2, 1, false);
        GpuCluster cluster = new GpuCluster(GpuPresets.params("h100-sxm"), 2);
        GpuDecodeMapping m = new GpuDecodeMapping(cluster, layout, mixtral, Precision.DEFAULT, DataType.BF16, false);
        var ops = DecodeWorkload.of(1, 100, 1).step(mixtral, 0).layer(0).ops();
        // Batch 1 routes to k = 2 experts; each expert's gate/up is 4096 x (2 x 14336) bf16 = 234,881,024 bytes,
        // split over 2 ranks: 2 x 234,881,024 / 2 per GPU, plus input 4096 x 2 rows and output 2 x 28672 / 2.
        var gateUp = m.kernel(ops.get(8));
        assertEquals(234_881_024L + 2 * 4096 * 2 + 2 * 28672 * 2 / 2, gateUp.bytes());
        // The router is replicated: 4096 x 8 bf16 plus activations.
        var router = m.kernel(ops.get(7));
        assertEquals(4096L * 8 * 2 + 4096 * 2 + 8 * 2, router.bytes());
    }

    @Test
    void pipeline_fourStagesBatch1_eachGpuIdleThreeQuarters() {
        // 8 heavy layers (a Llama-70B layer: about 0.86 GB of weights, 0.3 ms on an H100) and a vocabulary of 8
        // tokens, so embedding and LM head are small next to a stage of two layers.
        ModelSpec m = ModelSpec.builder("pp-test").layers(8).hidden(8192).heads(64, 8).ffn(28672).vocab(8).build();
        DecodeWorkload w = DecodeWorkload.of(1, 16, 2);
        DecodeResult pp1 = run("h100-sxm", m, w, GpuOptions.of(1, 1));
        DecodeResult pp4 = run("h100-sxm", m, w, GpuOptions.of(1, 4));
        // At batch 1 one micro-batch walks through the stages in turn: each GPU works on 2 of 8 layers and
        // waits for the other 3 stages, so about (P - 1) / P = 3/4 of the step is a bubble on every GPU.
        double idle = pp4.breakdownMs(LatencyCategory.IDLE) / pp4.meanMs();
        assertEquals(0.75, idle, 0.02);
        // Pipelining does not shorten a batch-1 step; it adds, per stage boundary, the send's device gap, the
        // activation transfer and the residual add that no longer fuses with the next stage's norm (its
        // kernel ramp and gap), and the token ids' trip back to stage 0 (a gap and the transfer).
        GpuParams p = GpuPresets.params("h100-sxm");
        CollectiveModel cm = new CollectiveModel(p);
        long g = p.deviceGapPs();
        long perBoundary = 2 * g + p.hbm().rampLatencyPs() + cm.p2pTimePs(8192 * 2, true);
        long back = g + cm.p2pTimePs(4, true);
        long expected = 3 * perBoundary + back;
        long delta = pp4.tokenLatencyPs(0) - pp1.tokenLatencyPs(0);
        assertEquals(expected, delta, 10, "byte rounding of the split kernels: a few ps");
    }

    @Test
    void capacity_llama70bBf16OnOneH100_failsNamingTwoGpus() {
        // Hand computation: Llama-3.1-70B has 70.55 B parameters, 141.1 GB in bf16; its KV cache at batch 1 for
        // 4,096 + 128 positions is 80 layers x 4,224 x (K + V) x 1,024 x 2 bytes = 1.38 GB. One H100 offers
        // 80 - 1 = 79 GB: too small. Two GPUs (TP 2) hold 70.6 GB of weights (the replicated 2.1 GB embedding
        // table included) + 0.69 GB of KV each: they fit, so 2 is the minimum.
        assertEquals(141.1e9, LLAMA70B.weightBytes(Precision.DEFAULT), 0.05e9);
        ConfigException e = assertThrows(ConfigException.class,
                () -> run("h100-sxm", LLAMA70B, DecodeWorkload.of(1, 4096, 128), GpuOptions.of(1, 1)));
        assertTrue(e.getMessage().contains("on 1 x h100-sxm (tp 1, pp 1) does not fit"), e.getMessage());
        assertTrue(e.getMessage().contains("weights 141.11 GB + KV cache 1.38 GB"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the smallest GPU count that holds it is 2 (--gpus 2 --tp 2 --pp 1)"),
                e.getMessage());
    }

    @Test
    void autoLayout_presets_chooseTheSmallestCountThatFits() {
        DecodeWorkload w = DecodeWorkload.of(1, 4096, 1);
        assertEquals(1L, run("h100-sxm", LLAMA8B, w, GpuOptions.auto()).extras().get("gpus"));
        DecodeResult r70 = run("h100-sxm", LLAMA70B, w, GpuOptions.auto());
        assertEquals(2L, r70.extras().get("gpus"));
        assertEquals("auto", r70.extras().get("layout"));
        // Llama-3.1-405B bf16 is 811 GB: 8 x 79 GB is too little, 16 GPUs (two nodes, TP 16) hold it.
        GpuDecodeSimulator.Plan plan = GpuDecodeSimulator.plan(ModelCatalog.get("llama-3.1-405b"), w,
                GpuPresets.params("h100-sxm"), GpuOptions.auto());
        assertEquals(16, plan.layout().gpus());
        assertEquals(16, plan.layout().tp());
    }

    @Test
    void layoutSearch_llama8bUpTo8H100_triesTenLayoutsAndKeepsTheFastest() {
        DecodeWorkload w = DecodeWorkload.of(1, 1024, 4);
        DecodeResult r = run("h100-sxm", LLAMA8B, w, GpuOptions.search(8));
        // Counts 1, 2, 4, 8 and every tp the 32 query / 8 KV heads allow that divides them:
        // 1 (tp1), 2 (tp1 pp2, tp2), 4 (tp1 pp4, tp2 pp2, tp4), 8 (tp1 pp8, tp2 pp4, tp4 pp2, tp8) = 10.
        assertEquals(10L, r.extras().get("layoutsTried"));
        assertEquals(10L, r.extras().get("layoutsFit"));
        assertEquals("searched", r.extras().get("layout"));
        assertEquals(8L, r.extras().get("tp"));
        assertEquals(1L, r.extras().get("pp"));
        for (GpuOptions other : List.of(GpuOptions.of(4, 1), GpuOptions.of(4, 2), GpuOptions.of(2, 1))) {
            assertTrue(run("h100-sxm", LLAMA8B, w, other).meanMs() > r.meanMs(), other.toString());
        }
        ConfigException tooFew = assertThrows(ConfigException.class,
                () -> run("h100-sxm", LLAMA70B, w, GpuOptions.search(1)));
        assertTrue(tooFew.getMessage().contains("does not fit on up to 1 x h100-sxm"), tooFew.getMessage());
    }

    @Test
    void memoryPlan_oneGpu_holdsExactlyTheModelWeights() {
        DecodeWorkload w = DecodeWorkload.of(2, 100, 28);
        for (ModelSpec m : List.of(LLAMA8B, ModelCatalog.get("llama-3.2-1b"), ModelCatalog.get("mixtral-8x7b"),
                ModelCatalog.get("gpt-oss-120b"))) {
            GpuMemoryPlan plan = GpuMemoryPlan.of(m, w, GpuLayout.of(m, 1, 1, false), false);
            assertEquals(m.weightBytes(w.precision()), plan.weightBytes(0), m.name());
            assertEquals(m.kvCacheBytes(w.precision(), 128, 2), plan.kvCacheBytes(0), m.name());
        }
        // Two stages of TP 2: the four GPUs' weights sum to the model's plus the second copies of what each rank
        // replicates: the 64 layer norms and the final norm, and the embedding table on stage 0.
        GpuMemoryPlan split = GpuMemoryPlan.of(LLAMA8B, w, GpuLayout.of(LLAMA8B, 2, 2, false), false);
        long replicas = 32 * 2 * LLAMA8B.normWeightBytes() + LLAMA8B.normWeightBytes()
                + LLAMA8B.embeddingTableBytes(Precision.DEFAULT);
        assertEquals(LLAMA8B.weightBytes(Precision.DEFAULT) + replicas, 2 * (split.weightBytes(0) + split.weightBytes(1)));
    }

    @Test
    void layout_badDegrees_areConfigErrorsNamingTheOption() {
        DecodeWorkload w = DecodeWorkload.of(1, 10, 1);
        ConfigException tp = assertThrows(ConfigException.class,
                () -> run("h100-sxm", LLAMA8B, w, new GpuOptions(0, 3, 0, DataType.BF16, false)));
        assertTrue(tp.getMessage().startsWith("--tp=3 is not allowed"), tp.getMessage());
        ConfigException count = assertThrows(ConfigException.class,
                () -> run("h100-sxm", LLAMA8B, w, new GpuOptions(8, 2, 2, DataType.BF16, false)));
        assertTrue(count.getMessage().startsWith("--gpus=8 is not allowed with --tp=2 and --pp=2"), count.getMessage());
        ConfigException pp = assertThrows(ConfigException.class,
                () -> run("h100-sxm", LLAMA8B, w, new GpuOptions(0, 1, 33, DataType.BF16, false)));
        assertTrue(pp.getMessage().startsWith("--pp=33 is not allowed"), pp.getMessage());
        ConfigException fp8 = assertThrows(ConfigException.class, () -> run("a100-80gb", LLAMA8B,
                w.withPrecision(Precision.parse("fp8", null)), GpuOptions.of(1, 1).withComputeType(DataType.FP8)));
        assertTrue(fp8.getMessage().contains("no FP8 tensor cores"), fp8.getMessage());
        // --gpus alone is tp = gpus, pp = 1.
        assertEquals(4L, run("h100-sxm", LLAMA8B, w, new GpuOptions(4, 0, 0, DataType.BF16, false)).extras().get("tp"));
    }

    @Test
    void tokens_contextGrows_latencyNeverFallsAndBreakdownSumsToMean() {
        DecodeResult r = run("a100-80gb", LLAMA8B, DecodeWorkload.of(4, 2000, 16), GpuOptions.of(2, 1));
        for (int t = 1; t < r.tokens(); t++) {
            assertTrue(r.tokenLatencyPs(t) >= r.tokenLatencyPs(t - 1), "token " + t);
        }
        double sum = 0;
        for (LatencyCategory c : LatencyCategory.values()) {
            sum += r.breakdownMs(c);
        }
        assertEquals(r.meanMs(), sum, 1e-9 * r.meanMs());
        // Every token reads one more cached position per sequence and layer: the last token reads
        // 15 x 4 sequences x 32 layers x 2 KB more KV cache than the first.
        assertTrue(r.tokenLatencyPs(15) > r.tokenLatencyPs(0));
    }

    @Test
    void simulate_sameRequestTwice_identicalResults() {
        DecodeWorkload w = DecodeWorkload.of(3, 300, 5);
        DecodeResult a = run("h200", ModelCatalog.get("mixtral-8x7b"), w, GpuOptions.of(2, 2));
        DecodeResult b = run("h200", ModelCatalog.get("mixtral-8x7b"), w, GpuOptions.of(2, 2));
        assertArrayEquals(a.tokenLatenciesPs(), b.tokenLatenciesPs());
        assertEquals(a.toJson("x"), b.toJson("x"));
    }
}
