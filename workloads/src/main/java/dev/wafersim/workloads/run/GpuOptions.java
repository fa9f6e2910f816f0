package dev.wafersim.workloads.run;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.gpu.DataType;
import java.util.Objects;

/**
 * How a decode run is laid out on a GPU cluster. CUDA graphs are not here: they are the hardware
 * parameter {@code kernel.cudaGraphs} of the request's {@code ParamSet} (the command's
 * {@code --cuda-graphs} sets it), so the effective configuration and its hash record them.
 *
 * @param gpus             GPUs, or {@link #AUTO}
 * @param tp               tensor-parallel degree, or {@link #AUTO}
 * @param pp               pipeline-parallel stages, or {@link #AUTO}
 * @param computeType      tensor-core data type of the weight matmuls whose weights are quantized by the
 *                         precision ({@link DataType#FP8} with fp8 weights); everything else runs in bf16
 * @param replicatedLmHead true to keep the whole LM head on every GPU of the last stage (no
 *                         vocabulary split, no gather), as pytorch-labs/gpt-fast's tp.py does; false for
 *                         the vocabulary-parallel head with an all-gather of the logits (Megatron, vLLM,
 *                         TensorRT-LLM)
 * @param search           true to search the layout ({@code --gpus auto}): every tensor x pipeline split of
 *                         up to {@code maxGpus} GPUs that fits, the one with the lowest per-token latency
 *                         wins; gpus, tp and pp must then be {@link #AUTO}
 * @param maxGpus          most GPUs the search tries; {@link #AUTO} for {@link #DEFAULT_SEARCH_NODES} nodes
 */
public record GpuOptions(int gpus, int tp, int pp, DataType computeType, boolean replicatedLmHead, boolean search,
                         int maxGpus)
        implements MachineOptions {

    /** A count left for the simulator to choose (the smallest layout that fits). */
    public static final int AUTO = 0;

    /** Largest accepted GPU count (and TP or PP degree). */
    public static final int MAX_GPUS = 4096;

    /** Nodes the layout search ({@code --gpus auto}) spans at most unless {@code maxGpus} says otherwise. */
    public static final int DEFAULT_SEARCH_NODES = 4;

    public GpuOptions {
        Objects.requireNonNull(computeType, "computeType");
        check("gpus", gpus);
        check("tp", tp);
        check("pp", pp);
        check("max-gpus", maxGpus);
        if (search && (gpus != AUTO || tp != AUTO || pp != AUTO)) {
            throw new ConfigException("--gpus=auto searches the layout and is not allowed with --tp or --pp; expected"
                    + " --gpus auto alone, or --gpus N with --tp/--pp");
        }
        if (!search && maxGpus != AUTO) {
            throw new ConfigException("--max-gpus=" + maxGpus + " applies to the layout search; expected it with"
                    + " --gpus auto");
        }
    }

    /** Options without a layout search. */
    public GpuOptions(int gpus, int tp, int pp, DataType computeType, boolean replicatedLmHead) {
        this(gpus, tp, pp, computeType, replicatedLmHead, false, AUTO);
    }

    /** A layout search over up to {@code maxGpus} GPUs ({@link #AUTO}: {@link #DEFAULT_SEARCH_NODES} nodes). */
    public static GpuOptions search(int maxGpus) {
        return new GpuOptions(AUTO, AUTO, AUTO, DataType.BF16, false, true, maxGpus);
    }

    /** Everything chosen by the simulator, bf16 compute, vocabulary-parallel LM head. */
    public static GpuOptions auto() {
        return new GpuOptions(AUTO, AUTO, AUTO, DataType.BF16, false);
    }

    /** {@code tp} x {@code pp} GPUs, bf16 compute, vocabulary-parallel LM head. */
    public static GpuOptions of(int tp, int pp) {
        return new GpuOptions(tp * pp, tp, pp, DataType.BF16, false);
    }

    /** These options with another compute type. */
    public GpuOptions withComputeType(DataType type) {
        return new GpuOptions(gpus, tp, pp, type, replicatedLmHead, search, maxGpus);
    }

    /** These options with the LM head replicated (true) or vocabulary-parallel (false). */
    public GpuOptions withReplicatedLmHead(boolean replicated) {
        return new GpuOptions(gpus, tp, pp, computeType, replicated, search, maxGpus);
    }

    @Override
    public SystemKind kind() {
        return SystemKind.GPU;
    }

    private static void check(String option, int v) {
        if (v < 0 || v > MAX_GPUS) {
            throw new ConfigException("--" + option + "=" + v + " is not allowed; expected an integer in [1, "
                    + MAX_GPUS + "]");
        }
    }
}
