package dev.wafersim.fabric.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelModelTest {
    static final KernelModel A100 = new KernelModel(GpuPresets.params("a100-80gb"));

    @Test
    void duration_largeStreamingKernel_reachesConfiguredBandwidth() {
        long bytes = 10_000_000_000L; // 10 GB, no FLOPs
        // t = t0 + B / (effMax * peak) = 4.4 us + 1e10 / (0.78 * 2.039e12) s
        double sustained = 0.78 * 2.039e12;
        long expected = 4_400_000L + Math.round(1e10 / sustained * 1e12);
        assertEquals(expected, A100.durationPs(bytes, 0, DataType.BF16));
        // The stream itself runs at the configured sustained rate; with the ramp, 10 GB reaches 99.9% of it.
        assertEquals(sustained, bytes / (A100.memoryTimePs(bytes) / 1e12), sustained * 1e-9);
        double reached = A100.achievedBandwidthBytesPerSec(bytes, 0, DataType.BF16);
        assertTrue(reached > 0.999 * sustained && reached < sustained, String.valueOf(reached));
        assertFalse(A100.isComputeBound(bytes, 0, DataType.BF16));
    }

    @Test
    void duration_largeGemm_smoothRooflineHandComputed() {
        // GEMM M=4096, K=8192, N=8192 in bf16 on an A100:
        //   FLOPs = 2*4096*8192*8192 = 549,755,813,888; bytes = 2*(8192*8192 + 4096*8192 + 4096*8192) = 268,435,456
        //   tc = 549,755,813,888 / (0.75 * 312e12) s = 2349.384 us; tm = 268,435,456 / 1.59042e12 s = 168.781 us
        //   t = 4.4 us + sqrt(tc^2 + tm^2) = 4.4 + 2355.439 = 2359.839 us
        long flops = 549_755_813_888L;
        long bytes = 268_435_456L;
        double tc = 549_755_813_888.0 / (0.75 * 312e12) * 1e12;
        double tm = 268_435_456.0 / (0.78 * 2.039e12) * 1e12;
        long expected = 4_400_000L + Math.round(Math.sqrt(tc * tc + tm * tm));
        assertEquals(expected, A100.durationPs(bytes, flops, DataType.BF16), 2);
        assertEquals(2359.839, A100.durationPs(bytes, flops, DataType.BF16) / 1e6, 0.001);
        assertTrue(A100.isComputeBound(bytes, flops, DataType.BF16));
        // Achieved FLOP/s: 2349.384 / 2359.839 = 99.56% of the sustained 234 TFLOP/s.
        assertEquals(0.75 * 312e12 * 2349.384 / 2359.839, A100.achievedFlopsPerSec(bytes, flops, DataType.BF16), 1e10);
    }

    @Test
    void duration_equalMemoryAndComputeTime_exponentSetsTheCorner() {
        // Choose FLOPs so that tc = tm = 100 us: B = 100e-6 * 1.59042e12 = 159,042,000; F = 100e-6 * 234e12 = 23.4e9.
        long bytes = 159_042_000L;
        long flops = 23_400_000_000L;
        // n = 2: t - t0 = sqrt(2) * 100 us
        assertEquals(Math.sqrt(2) * 100e6, A100.durationPs(bytes, flops, DataType.BF16) - 4_400_000L, 2);
        // n = 64: (2)^(1/64) * 100 us = 101.089 us, close to max(tm, tc)
        KernelModel sharp = new KernelModel(GpuPresets.params("a100-80gb", Map.of("kernel.rooflineExponent", "64"), "test"));
        assertEquals(Math.pow(2, 1.0 / 64) * 100e6, sharp.durationPs(bytes, flops, DataType.BF16) - 4_400_000L, 2);
    }

    @Test
    void computeTime_fp8OnH100_twiceTheBf16Rate() {
        KernelModel h100 = new KernelModel(GpuPresets.params("h100-sxm"));
        long flops = 1_000_000_000_000L;
        // 1e12 / (0.75 * 989e12) s vs 1e12 / (0.75 * 1979e12) s
        assertEquals(Math.round(1e12 / (0.75 * 989e12) * 1e12), h100.computeTimePs(flops, DataType.BF16));
        assertEquals(Math.round(1e12 / (0.75 * 1979e12) * 1e12), h100.computeTimePs(flops, DataType.FP8));
    }

    @Test
    void decodeWeightGemms_a100_reachReferenceBandOfPeak() {
        // Reference: A100 decode weight GEMMs reach 69 to 79% of 2.039 TB/s (Llama-2-70B, TP 1 to 8).
        // One 70B layer at TP1 moves 2 * 855,638,016 weights = 1,711,276,032 B in four kernels
        // (QKV 167.8 MB, O 134.2 MB, gate/up 939.5 MB, down 469.8 MB).
        long[] tp1 = {167_772_160L, 134_217_728L, 939_524_096L, 469_762_048L};
        double[] pct = new double[2];
        for (int t = 0; t < 2; t++) {
            int tp = t == 0 ? 1 : 8;
            long ps = 0;
            long total = 0;
            for (long b : tp1) {
                ps += A100.durationPs(b / tp, b / tp, DataType.BF16); // 1 token: 2 FLOPs per 2-byte weight
                total += b / tp;
            }
            pct[t] = total / (ps / 1e12) / 2.039e12;
        }
        assertTrue(pct[0] >= 0.69 && pct[0] <= 0.79, "TP1 " + pct[0]);
        assertTrue(pct[1] >= 0.67 && pct[1] <= 0.79, "TP8 " + pct[1]); // 69% measured; 2-point band
        assertTrue(pct[0] > pct[1], "larger kernels reach more of the peak");
    }
}
