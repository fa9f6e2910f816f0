package dev.wafersim.fabric.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CollectiveModelTest {
    /** The A100 with the cuda-graphs stack, whose all-reduces all go through NCCL. */
    static final CollectiveModel A100 = new CollectiveModel(GpuParams.from(GpuPresets.load("a100-80gb", "cuda-graphs")));
    /** The H100 with the default stack (TensorRT-LLM: one-shot, two-shot, NVLS besides NCCL). */
    static final CollectiveModel H100 = new CollectiveModel(GpuPresets.params("h100-sxm"));
    static final long KB = 1024;

    /** busBw(S) of the A100 preset on a link of {@code link} bytes/s: f = 0.0175 + (0.63 - 0.0175) S / (S + 6e6). */
    static double busBw(double link, double s) {
        return link * (0.0175 + (0.63 - 0.0175) * s / (s + 6e6));
    }

    @Test
    void ring_allReduce_alphaBetaHandComputed() {
        // 8 GPUs in one node, 16 KB: 2(p-1) = 14 steps of 1.1 us after a 6 us base -> 21.4 us latency;
        // wire bytes 2 * 7/8 * 16384 = 28,672 at busBw(16 KB) on NVLink's 300 GB/s.
        CollectiveCost c = A100.cost(CollectiveKind.ALL_REDUCE, 16 * KB, GroupPlacement.intraNode(8), CollectiveAlgorithm.RING);
        assertEquals(21_400_000L, c.latencyPs());
        assertEquals(28_672 / busBw(300e9, 16384) * 1e12, c.transferPs(), 1);
        assertEquals(CollectiveAlgorithm.RING, c.algorithm());
    }

    @Test
    void allReduce_messageSize_timeGrowsMonotonically() {
        GroupPlacement eight = GroupPlacement.intraNode(8);
        long previous = -1;
        for (long s = 8; s <= 256L * 1024 * 1024; s *= 2) {
            long t = A100.timePs(CollectiveKind.ALL_REDUCE, s, eight);
            assertTrue(t > previous, "size " + s);
            previous = t;
        }
    }

    @Test
    void allReduce_gpuCount_latencyGrowsByTwoStepsPerGpu() {
        // Ring latency = 6 us + 2(p-1) * 1.1 us: 2 GPUs 8.2 us, 4 GPUs 12.6 us, 8 GPUs 21.4 us.
        long[] expected = {8_200_000L, 12_600_000L, 21_400_000L};
        int[] gpus = {2, 4, 8};
        long previous = 0;
        for (int i = 0; i < gpus.length; i++) {
            CollectiveCost c = A100.cost(CollectiveKind.ALL_REDUCE, 16 * KB, GroupPlacement.intraNode(gpus[i]));
            assertEquals(expected[i], c.latencyPs(), "p=" + gpus[i]);
            assertTrue(c.totalPs() > previous);
            previous = c.totalPs();
        }
    }

    @Test
    void allReduce_acrossNodes_pricedWithInfiniBandSteps() {
        // 8 GPUs as 4 + 4 on two nodes, ring: 14 steps, 2(n-1) = 2 of them cross nodes:
        // 6 + 12 * 1.1 + 2 * 21 = 61.2 us; in one node 21.4 us.
        CollectiveCost inter = A100.cost(CollectiveKind.ALL_REDUCE, 16 * KB, GroupPlacement.spread(8, 2), CollectiveAlgorithm.RING);
        CollectiveCost intra = A100.cost(CollectiveKind.ALL_REDUCE, 16 * KB, GroupPlacement.intraNode(8), CollectiveAlgorithm.RING);
        assertEquals(61_200_000L, inter.latencyPs());
        assertTrue(inter.totalPs() > intra.totalPs());
        // Bottleneck link across nodes: min(300 GB/s NVLink, 8 ports x 25 GB/s) = 200 GB/s.
        assertEquals(200e9, A100.linkBandwidthBytesPerSec(GroupPlacement.spread(8, 2)), 1);
        assertEquals(300e9, A100.linkBandwidthBytesPerSec(GroupPlacement.intraNode(8)), 1);
    }

    @Test
    void tree_twoNodes_latencyHandComputedAndAutoPicksCheaper() {
        // 16 GPUs on 2 nodes, tree: 6 + 2 * (7 * 1.1 + ceil(log2 2) * 21) = 63.4 us;
        // ring: 6 + 28 * 1.1 + 2 * 21 = 78.8 us.
        GroupPlacement w = GroupPlacement.spread(16, 2);
        CollectiveCost tree = A100.cost(CollectiveKind.ALL_REDUCE, 2048, w, CollectiveAlgorithm.TREE);
        CollectiveCost ring = A100.cost(CollectiveKind.ALL_REDUCE, 2048, w, CollectiveAlgorithm.RING);
        assertEquals(63_400_000L, tree.latencyPs());
        assertEquals(78_800_000L, ring.latencyPs());
        // Tree wire bytes 2S vs ring 2(15/16)S: small messages favour the tree, huge ones the ring.
        assertEquals(CollectiveAlgorithm.TREE, A100.cost(CollectiveKind.ALL_REDUCE, 2048, w).algorithm());
        assertEquals(CollectiveAlgorithm.RING, A100.cost(CollectiveKind.ALL_REDUCE, 256L << 20, w).algorithm());
        assertEquals(Math.min(tree.totalPs(), ring.totalPs()), A100.timePs(CollectiveKind.ALL_REDUCE, 2048, w));
    }

    @Test
    void allGather_ring_halfTheStepsAndBytesOfAllReduce() {
        // p-1 = 7 steps: 6 + 7 * 1.1 = 13.7 us; wire (p-1)/p * S.
        long s = 64 * KB;
        CollectiveCost ag = A100.cost(CollectiveKind.ALL_GATHER, s, GroupPlacement.intraNode(8), CollectiveAlgorithm.TREE);
        assertEquals(CollectiveAlgorithm.RING, ag.algorithm()); // no tree for all-gather
        assertEquals(13_700_000L, ag.latencyPs());
        assertEquals(7.0 / 8 * s / busBw(300e9, s) * 1e12, ag.transferPs(), 1);
    }

    @Test
    void singleGpuGroup_costsNothing() {
        assertEquals(0, A100.timePs(CollectiveKind.ALL_REDUCE, 1 << 20, GroupPlacement.intraNode(1)));
    }

    @Test
    void p2p_intraAndInterNode_latencyPlusBandwidthHandComputed() {
        // Same node: 10.5 us + S / (0.80 * 300 GB/s); across nodes: 24.5 us + S / (0.31 * 25 GB/s).
        long s = 1 << 20;
        assertEquals(10_500_000L + Math.round(s / 240e9 * 1e12), A100.p2pTimePs(s, true));
        assertEquals(24_500_000L + Math.round(s / 7.75e9 * 1e12), A100.p2pTimePs(s, false));
    }

    @Test
    void oneShot_h100EightGpus8KB_latencyPlusSevenPeerReads() {
        // 4.86 us + 7 x 8192 B / (0.71 x 450 GB/s) = 4.86 + 0.1795 us.
        CollectiveCost c = H100.cost(CollectiveKind.ALL_REDUCE, 8192, GroupPlacement.intraNode(8), CollectiveAlgorithm.ONE_SHOT);
        assertEquals(4_860_000L, c.latencyPs());
        assertEquals(7 * 8192 / (0.71 * 450e9) * 1e12, c.transferPs(), 1);
    }

    @Test
    void twoShotAndNvls_h100FourMiB_handComputed() {
        long s = 4L << 20;
        GroupPlacement six = GroupPlacement.intraNode(6);
        // Two-shot: 11.45 us + 2 x 5/6 x S / (0.62 x 450 GB/s); NVLS: 10.66 us + S / (0.47 x 450 GB/s).
        CollectiveCost two = H100.cost(CollectiveKind.ALL_REDUCE, s, six, CollectiveAlgorithm.TWO_SHOT);
        assertEquals(11_450_000L + 2.0 * 5 / 6 * s / (0.62 * 450e9) * 1e12, two.totalPs(), 1);
        CollectiveCost nvls = H100.cost(CollectiveKind.ALL_REDUCE, s, six, CollectiveAlgorithm.NVLS);
        assertEquals(10_660_000L + s / (0.47 * 450e9) * 1e12, nvls.totalPs(), 1);
    }

    @Test
    void stackChoice_decodeSizes_oneShotFarBelowNccl() {
        // 8 KB over 8 H100s (Llama-3.1-8B at batch 1): one-shot about 5 us against NCCL's 20+ us.
        GroupPlacement eight = GroupPlacement.intraNode(8);
        CollectiveCost chosen = H100.cost(CollectiveKind.ALL_REDUCE, 8192, eight);
        assertEquals(CollectiveAlgorithm.ONE_SHOT, chosen.algorithm());
        assertTrue(H100.ncclCost(CollectiveKind.ALL_REDUCE, 8192, eight).totalPs() > 4 * chosen.totalPs());
        // An NCCL-only stack gets NCCL.
        assertTrue(A100.cost(CollectiveKind.ALL_REDUCE, 8192, eight).algorithm().isNccl());
    }

    @Test
    void stackChoice_h100_agreesWithTensorRtLlmStrategyTableAwayFromTheBoundary() {
        // TensorRT-LLM cpp/tensorrt_llm/common/customAllReduceUtils.h, AllReduceBestStrategyTableSM90, fusion
        // RESIDUAL_RMS_NORM: TP8 one-shot up to 64 tokens at hidden 4096 and 32 at 8192 (512 KB), then NCCL;
        // TP4 one-shot up to 256 tokens at 4096 (2 MB), two-shot at 512 tokens, then NCCL.
        // The model switches from one-shot to NVLS at about 340 KB on 8 GPUs and 1.2 MB on 4: it agrees with
        // the table up to 256 KB (8 GPUs) and 1 MB (4 GPUs), and both leave one-shot from 1 MB (8) and 4 MB (4).
        GroupPlacement eight = GroupPlacement.intraNode(8);
        GroupPlacement four = GroupPlacement.intraNode(4);
        for (long s = 2048; s <= 256 * KB; s *= 2) {
            assertEquals(CollectiveAlgorithm.ONE_SHOT, H100.cost(CollectiveKind.ALL_REDUCE, s, eight).algorithm(), "8 x " + s);
        }
        for (long s = 2048; s <= 1024 * KB; s *= 2) {
            assertEquals(CollectiveAlgorithm.ONE_SHOT, H100.cost(CollectiveKind.ALL_REDUCE, s, four).algorithm(), "4 x " + s);
        }
        assertTrue(H100.cost(CollectiveKind.ALL_REDUCE, 1024 * KB, eight).algorithm() != CollectiveAlgorithm.ONE_SHOT);
        assertTrue(H100.cost(CollectiveKind.ALL_REDUCE, 4096 * KB, four).algorithm() != CollectiveAlgorithm.ONE_SHOT);
    }

    @Test
    void fastAllReduces_whereTheyCannotRun_areNotChosen() {
        // Two nodes: no peer memory across InfiniBand; the A100's NVSwitch has no SHARP; above the registered
        // buffer (8 MB) the custom kernels cannot take the message.
        assertTrue(H100.cost(CollectiveKind.ALL_REDUCE, 8192, GroupPlacement.spread(16, 2)).algorithm().isNccl());
        CollectiveModel a100Trt = new CollectiveModel(GpuPresets.params("a100-80gb"));
        assertTrue(!a100Trt.applies(CollectiveAlgorithm.NVLS, CollectiveKind.ALL_REDUCE, 8192, GroupPlacement.intraNode(8)));
        assertTrue(!H100.applies(CollectiveAlgorithm.ONE_SHOT, CollectiveKind.ALL_REDUCE, 9_000_000, GroupPlacement.intraNode(8)));
        assertTrue(!H100.applies(CollectiveAlgorithm.ONE_SHOT, CollectiveKind.ALL_GATHER, 8192, GroupPlacement.intraNode(8)));
    }
}
