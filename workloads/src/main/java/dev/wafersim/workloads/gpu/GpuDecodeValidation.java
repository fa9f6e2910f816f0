package dev.wafersim.workloads.gpu;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.validation.CalibrationPoint;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuPresets;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.LatencyCategory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * End-to-end validation of the GPU decode model (the project's issue 5): published per-token latencies
 * of whole models, run through {@link GpuDecodeSimulator} with the shipped presets. Nothing was tuned on
 * these points; the parameters come from kernel and NCCL measurements ({@code fabric.gpu.GpuCalibration}).
 *
 * <p>Source of every point: pytorch-labs/gpt-fast README (benchmarks on "an 8xA100-80GB, power limited to
 * 330W with a hybrid cube mesh topology", batch size 1, a 5-token prompt, {@code torch.compile} with
 * {@code mode="reduce-overhead"}, i.e. CUDA graphs; tokens/s converted to ms per token as 1000 / tokens/s;
 * copied in the project reference decode-measurements.csv as G1, G2, G3, G3b). gpt-fast's generate.py
 * generates {@code --max_new_tokens} 200 tokens by default and its tp.py shards only attention and FFN, so
 * every point runs 200 tokens from a 5-token context with the LM head replicated on every GPU.
 *
 * <p>Bands, set before the model was run on these points: 15% for the single GPU (the decode-kernel band
 * of GpuCalibration: the step is a sum of kernels calibrated there), 25% for tensor parallelism (10 points
 * more: the collective model was fitted on NCCL over NVSwitch DGX nodes, while the measured machine joins
 * its GPUs in a hybrid cube mesh and gpt-fast runs with PyTorch's ENABLE_INTRA_NODE_COMM all-reduce; neither
 * is in any calibration). A point outside its band is kept and listed in {@link #KNOWN_MISSES} with the
 * reason, never hidden by a wider band.
 *
 * <p>Not modelled, for all points: the 330 W power cap. gpt-fast's README says the capped part reaches
 * "about 1700 GB/s" at best; the A100 preset's sustained HBM rate (0.78 x 2,039 = 1,590 GB/s, fitted on
 * vidur's uncapped kernel times) is already below that, so no derate is applied. A run that wants one sets
 * it explicitly, e.g. {@code --set hbm.peakBandwidthGBps=1900}. Also not modelled: gpt-fast reads its whole
 * static KV cache (prompt + 200 positions) every step, runs w1 and w3 of the FFN as two matmuls, and times
 * the 5-token prefill with the decode (under 1% at 200 tokens).
 */
public final class GpuDecodeValidation {
    private static final String GPT_FAST = "pytorch-labs/gpt-fast README (reference decode-measurements.csv %s)";
    private static final String TP_COMM = "the model's all-reduce is NCCL over NVSwitch (about 24 us for 16 KB over"
            + " 8 A100s, vidur); gpt-fast's hybrid cube mesh with ENABLE_INTRA_NODE_COMM is faster for small messages";

    /**
     * Points outside their band, with the reason (filled in after the model was run; see the README's
     * validation table).
     */
    static final Map<String, String> KNOWN_MISSES = Map.of(
            "G2", "communication: the model spends 1.54 ms per token in 64 all-reduces of 8 KB at 24 us each (NCCL over"
                    + " 8 A100s, fitted on vidur's 25 us); everything else sums to 2.66 ms, so the measured run can have"
                    + " spent at most 0.34 ms, about 5 us per all-reduce, which is what a one-shot intra-node all-reduce"
                    + " (ENABLE_INTRA_NODE_COMM) reaches, not NCCL; the 4.4 us kernel ramp, fitted on larger GEMVs, adds"
                    + " a little on the small TP8 kernels");

    /**
     * One validation setup.
     *
     * @param id          the reference id (G1, G2, ...)
     * @param preset      GPU preset
     * @param model       model preset
     * @param tp          tensor-parallel degree (pp = 1)
     * @param publishedMs measured per-token latency, ms
     * @param bandPct     acceptance band, percent
     * @param description what was measured
     */
    public record Setup(String id, String preset, String model, int tp, double publishedMs, double bandPct,
                        String description) {
        /** Batch of every gpt-fast benchmark. */
        public static final int BATCH = 1;
        /** Prompt tokens in the cache when generation starts. */
        public static final long CONTEXT = 5;
        /** Tokens generated (gpt-fast generate.py --max_new_tokens default). */
        public static final int TOKENS = 200;

        /** The request that simulates this setup. */
        public DecodeRequest request() {
            ParamSet params = GpuPresets.load(preset);
            return new DecodeRequest(preset, params, ModelCatalog.get(model), DecodeWorkload.of(BATCH, CONTEXT, TOKENS),
                    new GpuOptions(tp, tp, 1, DataType.BF16, true));
        }
    }

    private GpuDecodeValidation() {
    }

    /** The setups, in reference order. */
    public static List<Setup> setups() {
        return List.of(
                new Setup("G1", "a100-80gb", "llama-2-7b", 1, 1000 / 104.9, 15,
                        "Llama-2-7B fp16, 1 x A100 80GB (330 W), batch 1, 5-token prompt: ms per token"),
                new Setup("G2", "a100-80gb", "llama-2-7b", 8, 1000 / 328.43, 25,
                        "Llama-2-7B fp16, 8 x A100 80GB TP8 (330 W), batch 1, 5-token prompt: ms per token"),
                new Setup("G3", "a100-80gb", "llama-2-70b", 8, 1000 / 62.50, 25,
                        "Llama-2-70B bf16, 8 x A100 80GB TP8 (330 W), batch 1, 5-token prompt: ms per token"),
                new Setup("G3b", "a100-80gb", "llama-2-70b", 2, 1000 / 21.32, 25,
                        "Llama-2-70B bf16, 2 x A100 80GB TP2 (330 W), batch 1, 5-token prompt: ms per token"));
    }

    /** Runs every setup and returns the published and simulated values, in reference order. */
    public static List<CalibrationPoint> points() {
        List<CalibrationPoint> out = new ArrayList<>();
        for (Setup s : setups()) {
            out.add(point(s, GpuDecodeSimulator.INSTANCE.simulate(s.request())));
        }
        return Collections.unmodifiableList(out);
    }

    /** The point of setup {@code s} given its simulated result. */
    static CalibrationPoint point(Setup s, DecodeResult r) {
        String miss = KNOWN_MISSES.get(s.id());
        String note = String.format(Locale.ROOT, "breakdown ms: weights %.2f, KV %.2f, elementwise %.2f, comm %.2f, "
                        + "launch %.2f, idle %.2f", r.breakdownMs(LatencyCategory.WEIGHT_READS),
                r.breakdownMs(LatencyCategory.KV_CACHE_READS),
                r.breakdownMs(LatencyCategory.ELEMENTWISE),
                r.breakdownMs(LatencyCategory.COMMUNICATION),
                r.breakdownMs(LatencyCategory.LAUNCH_OVERHEAD),
                r.breakdownMs(LatencyCategory.IDLE));
        if (miss != null) {
            note = miss + "; " + note;
        } else if (s.tp() > 1) {
            note = note + "; " + TP_COMM;
        }
        return new CalibrationPoint(s.id(), s.preset(), s.description(), "ms", s.publishedMs(), r.meanMs(), false,
                s.bandPct(), miss != null, String.format(Locale.ROOT, GPT_FAST, s.id()), note);
    }

    /** The points as a text table (the format of {@code GpuCalibration.table()}). */
    public static String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-34s %10s %10s %-5s %8s  %-6s %s%n",
                "point", "measured", "model", "unit", "error", "band", "role"));
        for (CalibrationPoint p : points()) {
            sb.append(p.row()).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
