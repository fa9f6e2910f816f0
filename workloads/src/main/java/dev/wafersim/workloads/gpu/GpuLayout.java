package dev.wafersim.workloads.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a model is split over a GPU cluster: {@code tp} GPUs per pipeline stage share every layer of the
 * stage (tensor parallelism), {@code pp} stages hold consecutive layers (pipeline parallelism).
 *
 * <p>Numbering: GPU {@code g} is rank {@code g % tp} of stage {@code g / tp}, so a stage's GPUs are
 * consecutive and sit in one node whenever {@code tp <= gpu.gpusPerNode} (nodes are filled in order).
 * Layers: stage {@code s} holds {@code floor(N / pp)} layers, one more for the first {@code N % pp}
 * stages (Megatron's even split). The embedding is on stage 0; the final norm, LM head and sampling
 * on the last stage.
 *
 * <p>Heads: each GPU computes {@code H / tp} query heads; {@code tp} must divide {@code H}. KV heads are
 * split {@code Hkv / tp} per GPU when {@code tp} divides {@code Hkv}; when {@code tp > Hkv} each GPU
 * holds one KV head, each replicated {@code tp / Hkv} times (so {@code Hkv} must divide {@code tp}),
 * as vLLM and TensorRT-LLM do. Any other {@code tp} is rejected.
 */
public final class GpuLayout {
    private final int tp;
    private final int pp;
    private final int[] stageStart;
    private final boolean automatic;

    private GpuLayout(int tp, int pp, int[] stageStart, boolean automatic) {
        this.tp = tp;
        this.pp = pp;
        this.stageStart = stageStart;
        this.automatic = automatic;
    }

    /**
     * The layout of {@code tp x pp} GPUs for {@code model}.
     *
     * @param automatic whether the simulator chose it (for the report)
     * @throws ConfigException when {@code tp} does not split the heads or {@code pp} exceeds the layers
     */
    public static GpuLayout of(ModelSpec model, int tp, int pp, boolean automatic) {
        checkTp(model, tp);
        checkPp(model, pp);
        int n = model.numLayers();
        int[] start = new int[pp + 1];
        for (int s = 0; s < pp; s++) {
            start[s + 1] = start[s] + n / pp + (s < n % pp ? 1 : 0);
        }
        return new GpuLayout(tp, pp, start, automatic);
    }

    /** True when {@code tp} splits the model's query and KV heads as described in the class comment. */
    public static boolean validTp(ModelSpec model, int tp) {
        int h = model.numHeads();
        int kv = model.numKvHeads();
        return tp >= 1 && h % tp == 0 && (kv % tp == 0 || tp % kv == 0);
    }

    /** The tensor-parallel degrees the model accepts, ascending (for messages). */
    public static List<Integer> validTps(ModelSpec model) {
        List<Integer> out = new ArrayList<>();
        for (int t = 1; t <= model.numHeads(); t++) {
            if (validTp(model, t)) {
                out.add(t);
            }
        }
        return out;
    }

    static void checkTp(ModelSpec model, int tp) {
        if (!validTp(model, tp)) {
            throw new ConfigException(String.format(Locale.ROOT,
                    "--tp=%d is not allowed for %s (%d query heads, %d KV heads); expected a degree that divides "
                            + "the query heads and divides or is a multiple of the KV heads: %s",
                    tp, model.name(), model.numHeads(), model.numKvHeads(), join(validTps(model))));
        }
    }

    static void checkPp(ModelSpec model, int pp) {
        if (pp < 1 || pp > model.numLayers()) {
            throw new ConfigException(String.format(Locale.ROOT,
                    "--pp=%d is not allowed for %s; expected 1 to %d stages (one layer per stage at most)",
                    pp, model.name(), model.numLayers()));
        }
    }

    private static String join(List<Integer> v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(v.get(i));
        }
        return sb.toString();
    }

    /** GPUs: {@code tp x pp}. */
    public int gpus() {
        return tp * pp;
    }

    /** Tensor-parallel degree: GPUs per stage. */
    public int tp() {
        return tp;
    }

    /** Pipeline stages. */
    public int pp() {
        return pp;
    }

    /** True when the simulator chose this layout. */
    public boolean automatic() {
        return automatic;
    }

    /** The stage of GPU {@code gpu}. */
    public int stage(int gpu) {
        return gpu / tp;
    }

    /** The rank of GPU {@code gpu} in its stage. */
    public int rank(int gpu) {
        return gpu % tp;
    }

    /** The GPU of rank {@code rank} in stage {@code stage}. */
    public int gpu(int stage, int rank) {
        return stage * tp + rank;
    }

    /** The GPUs of stage {@code stage}, ascending. */
    public int[] stageGpus(int stage) {
        int[] g = new int[tp];
        for (int r = 0; r < tp; r++) {
            g[r] = gpu(stage, r);
        }
        return g;
    }

    /** First layer (inclusive) of stage {@code stage}. */
    public int firstLayer(int stage) {
        return stageStart[stage];
    }

    /** End layer (exclusive) of stage {@code stage}. */
    public int endLayer(int stage) {
        return stageStart[stage + 1];
    }

    /** Query heads each GPU computes: {@code H / tp}. */
    public int queryHeadsPerGpu(ModelSpec model) {
        return model.numHeads() / tp;
    }

    /** KV heads each GPU holds: {@code Hkv / tp}, or 1 (replicated) when {@code tp > Hkv}. */
    public int kvHeadsPerGpu(ModelSpec model) {
        return tp <= model.numKvHeads() ? model.numKvHeads() / tp : 1;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d GPUs (tp %d, pp %d)", gpus(), tp, pp);
    }
}
