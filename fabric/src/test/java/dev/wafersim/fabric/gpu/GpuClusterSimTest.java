package dev.wafersim.fabric.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.core.stats.StatsRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuClusterSimTest {
    static final long US = 1_000_000L;

    /** An A100 cluster with the given overrides. */
    static GpuCluster cluster(int gpus, Map<String, String> overrides) {
        return new GpuCluster(GpuPresets.params("a100-80gb", overrides, "test"), gpus);
    }

    /**
     * No launch cost, no dispatch gap, no CUDA graphs: only kernels and transfers take time; all-reduces
     * through NCCL (the closed forms below are NCCL's).
     */
    static final Map<String, String> NO_LAUNCH = Map.of("kernel.launchOverheadNs", "0", "kernel.deviceGapNs", "0",
            "kernel.cudaGraphs", "false", "stack.allReduceAlgorithms", "none");

    static void assertBreakdownSumsToWallTime(GpuRunResult r) {
        for (int g = 0; g < r.gpuCount(); g++) {
            long sum = 0;
            for (long v : r.breakdownPs(g)) {
                sum += v;
            }
            assertEquals(r.endPs(), sum, "gpu " + g);
        }
    }

    /** A pipeline of {@code stages} GPUs, {@code microBatches} micro-batches, each stage's kernel D ps. */
    static GpuProgram pipeline(GpuCluster c, int stages, int microBatches, long kernelPs, long bytes) {
        ProgramBuilder b = c.newProgram();
        for (int s = 0; s < stages; s++) {
            StreamBuilder st = b.gpu(s);
            for (int m = 0; m < microBatches; m++) {
                if (s > 0) {
                    st.recv(s - 1, bytes, "mb" + m);
                }
                st.kernelFixed(TimeCategory.WEIGHT_READ, kernelPs, "stage" + s + ".mb" + m);
                if (s < stages - 1) {
                    st.send(s + 1, bytes, "mb" + m);
                }
            }
        }
        return b.build();
    }

    @Test
    void pipeline_oneMicroBatchFreeTransfers_eachGpuIdleThreeQuarters() {
        // P = 4 stages, 1 micro-batch, zero-cost transfers: wall = P * D; each GPU works D and idles
        // (P-1) * D, i.e. (P-1)/P = 3/4 of the time.
        Map<String, String> free = Map.of("kernel.launchOverheadNs", "0", "kernel.deviceGapNs", "0",
                "kernel.cudaGraphs", "false", "nvlink.p2pLatencyNs", "0");
        GpuCluster c = cluster(4, free);
        long d = 1000 * US;
        GpuRunResult r = c.run(pipeline(c, 4, 1, d, 0));
        assertEquals(4 * d, r.endPs());
        for (int g = 0; g < 4; g++) {
            assertEquals(d, r.timePs(g, TimeCategory.WEIGHT_READ), "gpu " + g);
            assertEquals(3 * d, r.timePs(g, TimeCategory.IDLE), "gpu " + g);
            // The stage's kernel runs in its own slot: [s D, (s+1) D).
            assertEquals(g * d, r.timeline(g).activePs(g == 0 ? 0 : 1));
        }
        assertBreakdownSumsToWallTime(r);
    }

    @Test
    void pipeline_eightMicroBatches_gpipeBubbleFraction() {
        // P = 4, M = 8, free transfers: wall = (M + P - 1) D = 11 D; each GPU busy M D, idle (P-1) D,
        // bubble fraction (P-1)/(M+P-1) = 3/11.
        Map<String, String> free = Map.of("kernel.launchOverheadNs", "0", "kernel.deviceGapNs", "0",
                "kernel.cudaGraphs", "false", "nvlink.p2pLatencyNs", "0");
        GpuCluster c = cluster(4, free);
        long d = 100 * US;
        GpuRunResult r = c.run(pipeline(c, 4, 8, d, 0));
        assertEquals(11 * d, r.endPs());
        for (int g = 0; g < 4; g++) {
            assertEquals(8 * d, r.timePs(g, TimeCategory.WEIGHT_READ));
            assertEquals(3 * d, r.timePs(g, TimeCategory.IDLE));
        }
        assertBreakdownSumsToWallTime(r);
    }

    @Test
    void pipeline_withNvlinkTransfers_closedForm() {
        // Transfer of 16 KB inside a node: c = 10.5 us + 16384 / (0.80 * 300e9) s = 10,500,000 + 68,267 ps.
        // One micro-batch through P = 4 stages: wall = P D + (P-1) c. Stage s communicates c as a
        // receiver (s > 0) and c as a sender (s < P-1); the rest of the wall time is idle.
        GpuCluster c = cluster(4, NO_LAUNCH);
        long cPs = 10_500_000L + Math.round(16384 / 240e9 * 1e12);
        assertEquals(10_568_267L, cPs);
        long d = 500 * US;
        GpuRunResult r = c.run(pipeline(c, 4, 1, d, 16384));
        long wall = 4 * d + 3 * cPs;
        assertEquals(wall, r.endPs());
        for (int s = 0; s < 4; s++) {
            long comm = (s > 0 ? cPs : 0) + (s < 3 ? cPs : 0);
            assertEquals(comm, r.timePs(s, TimeCategory.COMMUNICATION), "stage " + s);
            assertEquals(wall - d - comm, r.timePs(s, TimeCategory.IDLE), "stage " + s);
        }
        assertBreakdownSumsToWallTime(r);
    }

    @Test
    void send_acrossNodes_usesInfiniBand() {
        // GPUs 0 and 8 of a 16-GPU cluster sit in different nodes: 24.5 us + 1 MB / (0.31 * 25 GB/s).
        GpuCluster c = cluster(16, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        b.gpu(0).send(8, 1 << 20, "x");
        b.gpu(8).recv(0, 1 << 20, "x");
        GpuRunResult r = c.run(b.build());
        assertEquals(24_500_000L + Math.round((1 << 20) / 7.75e9 * 1e12), r.endPs());
    }

    @Test
    void collective_lateMember_othersIdleUntilItArrives() {
        // GPU 0 computes 10 us, GPU 1 30 us, then an all-reduce of 16 KB over both:
        // ring, 2 GPUs: 6 + 2 * 1.1 = 8.2 us + 2 * 1/2 * 16384 B / busBw(16 KB).
        GpuCluster c = cluster(2, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        CommGroup tp = b.group("tp", 0, 1);
        b.gpu(0).kernelFixed(TimeCategory.WEIGHT_READ, 10 * US, "k");
        b.gpu(1).kernelFixed(TimeCategory.WEIGHT_READ, 30 * US, "k");
        b.allReduce(tp, 16384, "ar");
        GpuRunResult r = c.run(b.build());
        long ar = 8_200_000L + Math.round(16384 / CollectiveModelTest.busBw(300e9, 16384) * 1e12);
        assertEquals(30 * US + ar, r.endPs());
        assertEquals(20 * US, r.timePs(0, TimeCategory.IDLE));
        assertEquals(0, r.timePs(1, TimeCategory.IDLE));
        assertEquals(ar, r.timePs(0, TimeCategory.COMMUNICATION));
        assertEquals(ar, r.timePs(1, TimeCategory.COMMUNICATION));
        assertEquals(10 * US, r.timeline(0).readyPs(1));
        assertEquals(30 * US, r.timeline(0).activePs(1));
        assertBreakdownSumsToWallTime(r);
    }

    @Test
    void launch_shortKernelsWithoutGraphs_hostBound() {
        // 100 kernels of 2 us, 5 us launch each, 0.5 us dispatch gap: the host issues kernel i at
        // (i+1) * 5 us and the device waits for it, so wall = 100 * 5 + 0.5 + 2 = 502.5 us, of which
        // 502.5 - 200 = 302.5 us is launch wait.
        GpuCluster c = cluster(1, Map.of("kernel.cudaGraphs", "false"));
        ProgramBuilder b = c.newProgram();
        for (int i = 0; i < 100; i++) {
            b.gpu(0).kernelFixed(TimeCategory.ELEMENTWISE, 2 * US, null);
        }
        GpuRunResult r = c.run(b.build());
        assertEquals(502_500_000L, r.endPs());
        assertEquals(302_500_000L, r.timePs(0, TimeCategory.LAUNCH));
        assertEquals(200 * US, r.timePs(0, TimeCategory.ELEMENTWISE));
    }

    @Test
    void launch_longKernelsWithoutGraphs_hiddenByHostRunAhead() {
        // 100 kernels of 20 us > 5 us launch: only the first launch shows, plus the 0.5 us dispatch gap
        // per kernel: wall = 5 + 100 * (0.5 + 20) = 2055 us, launch = 5 + 100 * 0.5 = 55 us.
        GpuCluster c = cluster(1, Map.of("kernel.cudaGraphs", "false"));
        ProgramBuilder b = c.newProgram();
        for (int i = 0; i < 100; i++) {
            b.gpu(0).kernelFixed(TimeCategory.WEIGHT_READ, 20 * US, null);
        }
        GpuRunResult r = c.run(b.build());
        assertEquals(2055 * US, r.endPs());
        assertEquals(55 * US, r.timePs(0, TimeCategory.LAUNCH));
    }

    @Test
    void cudaGraphs_shortKernels_oneLaunchPerSegmentPlusResidualGap() {
        // With graphs: one 5 us graph launch per segment, then the 0.5 us dispatch gap per kernel.
        // Two segments of 100 kernels of 2 us split by a host sync: wall = 2 * (5 + 100 * 2.5) = 510 us,
        // launch = 2 * (5 + 100 * 0.5) = 110 us. Without graphs each segment is host-bound:
        // 2 * (100 * 5 + 0.5 + 2) = 1005 us.
        for (boolean graphs : new boolean[]{true, false}) {
            GpuCluster c = cluster(1, Map.of("kernel.cudaGraphs", String.valueOf(graphs)));
            ProgramBuilder b = c.newProgram();
            for (int seg = 0; seg < 2; seg++) {
                for (int i = 0; i < 100; i++) {
                    b.gpu(0).kernelFixed(TimeCategory.ELEMENTWISE, 2 * US, null);
                }
                b.gpu(0).hostSync("token");
            }
            GpuRunResult r = c.run(b.build());
            assertEquals(graphs ? 510 * US : 1005 * US, r.endPs());
            assertEquals(graphs ? 110 * US : 605 * US, r.timePs(0, TimeCategory.LAUNCH));
            assertBreakdownSumsToWallTime(r);
        }
    }

    @Test
    void kernel_computeBoundGemm_bookedAsCompute() {
        GpuCluster c = cluster(1, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        // Same GEMM as KernelModelTest: 2359.839 us, compute-bound; then a 1 GB weight stream.
        b.gpu(0).kernel(TimeCategory.WEIGHT_READ, 268_435_456L, 549_755_813_888L, DataType.BF16, "gemm")
                .kernel(TimeCategory.WEIGHT_READ, 1_000_000_000L, 1_000_000_000L, DataType.BF16, "gemv");
        GpuRunResult r = c.run(b.build());
        KernelModel km = c.kernels();
        assertEquals(km.durationPs(268_435_456L, 549_755_813_888L, DataType.BF16), r.timePs(0, TimeCategory.COMPUTE));
        assertEquals(km.durationPs(1_000_000_000L, 1_000_000_000L, DataType.BF16), r.timePs(0, TimeCategory.WEIGHT_READ));
        assertEquals(TimeCategory.COMPUTE, r.timeline(0).category(0));
    }

    /** A tensor- and pipeline-parallel step: 2 stages of TP4 over 8 GPUs, 2 layers each, 2 tokens. */
    static GpuProgram mixed(GpuCluster c) {
        ProgramBuilder b = c.newProgram();
        CommGroup[] tp = {b.group("tp0", 0, 1, 2, 3), b.group("tp1", 4, 5, 6, 7)};
        for (int token = 0; token < 2; token++) {
            for (int stage = 0; stage < 2; stage++) {
                for (int rank = 0; rank < 4; rank++) {
                    int g = stage * 4 + rank;
                    StreamBuilder s = b.gpu(g);
                    if (stage == 1) {
                        s.recv(rank, 16384, "act");
                    }
                    for (int layer = 0; layer < 2; layer++) {
                        s.kernel(TimeCategory.ELEMENTWISE, 49_152, 0, DataType.BF16, "norm")
                                .kernel(TimeCategory.WEIGHT_READ, 20_971_520 + rank * 1_000_000L, 20_971_520, DataType.BF16, "qkv")
                                .kernel(TimeCategory.KV_CACHE_READ, 2_000_000, 2_000_000, DataType.BF16, "attn")
                                .allReduce(tp[stage], 16384, "ar1")
                                .kernel(TimeCategory.WEIGHT_READ, 117_440_512, 117_440_512, DataType.BF16, "mlp")
                                .allReduce(tp[stage], 16384, "ar2");
                    }
                    if (stage == 0) {
                        s.send(4 + rank, 16384, "act");
                    } else if (rank == 0) {
                        s.send(0, 4, "token");
                    }
                    if (stage == 0 && rank == 0) {
                        s.recv(4, 4, "token");
                    }
                    s.hostSync("step");
                }
            }
        }
        return b.build();
    }

    @Test
    void run_mixedProgram_breakdownSumsToWallTimeOnEveryGpu() {
        GpuCluster c = cluster(8, Map.of());
        GpuRunResult r = c.run(mixed(c));
        assertBreakdownSumsToWallTime(r);
        assertTrue(r.totalPs(TimeCategory.COMMUNICATION) > 0);
        assertTrue(r.totalPs(TimeCategory.IDLE) > 0, "stage 1 waits for stage 0");
        assertTrue(r.timePs(4, TimeCategory.IDLE) > r.timePs(0, TimeCategory.IDLE) / 2);
        StatsRegistry stats = new StatsRegistry();
        r.registerStats(stats, "gpu");
        assertEquals(r.endPs(), stats.counterValue("gpu.endPs"));
        assertEquals(r.timePs(3, TimeCategory.WEIGHT_READ), stats.counterValue("gpu.gpu3.weightReadPs"));
    }

    @Test
    void run_sameProgramTwice_identicalTimelines() {
        GpuCluster c = cluster(8, Map.of());
        GpuRunResult a = c.run(mixed(c));
        GpuRunResult b = c.run(mixed(c));
        assertEquals(a.endPs(), b.endPs());
        for (int g = 0; g < 8; g++) {
            assertEquals(a.timeline(g), b.timeline(g), "gpu " + g);
            assertEquals(java.util.Arrays.toString(a.breakdownPs(g)), java.util.Arrays.toString(b.breakdownPs(g)));
        }
    }

    @Test
    void run_receiveCycle_stallNamesTheWaitingGpus() {
        GpuCluster c = cluster(2, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        b.gpu(0).recv(1, 8, "a").send(1, 8, "b");
        b.gpu(1).recv(0, 8, "b").send(0, 8, "a");
        GpuProgram p = b.build();
        SimulationStalledException ex = assertThrows(SimulationStalledException.class, () -> c.run(p));
        assertTrue(ex.getMessage().contains("gpu 0 stalled at item 0 (recv 'a')"), ex.getMessage());
        assertTrue(ex.getMessage().contains("gpu 1 stalled at item 0 (recv 'b')"), ex.getMessage());
    }

    @Test
    void build_mismatchedCollectives_errorNamesGroupAndCall() {
        GpuCluster c = cluster(2, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        CommGroup tp = b.group("tp", 0, 1);
        b.gpu(0).allReduce(tp, 16384, "ar");
        b.gpu(1).allReduce(tp, 32768, "ar");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals("group 'tp' [0, 1], collective #0: gpu 0 calls ALL_REDUCE of 16384 bytes ('ar') but gpu 1 "
                + "calls ALL_REDUCE of 32768 bytes ('ar')", ex.getMessage());
    }

    @Test
    void build_unmatchedSend_errorNamesPair() {
        GpuCluster c = cluster(2, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        b.gpu(0).send(1, 8, "x").send(1, 8, "y");
        b.gpu(1).recv(0, 8, "x");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals("gpu 0 sends 2 messages to gpu 1 but gpu 1 receives 1 from gpu 0", ex.getMessage());
    }

    @Test
    void build_collectiveByNonMember_rejected() {
        GpuCluster c = cluster(4, NO_LAUNCH);
        ProgramBuilder b = c.newProgram();
        CommGroup tp = b.group("tp", 0, 1);
        assertThrows(IllegalArgumentException.class, () -> b.gpu(2).allReduce(tp, 8, "x"));
        assertThrows(IllegalArgumentException.class, () -> b.group("bad", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> b.gpu(0).send(0, 8, "self"));
    }
}
