package dev.wafersim.fabric.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.time.Ticks;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The software stack that runs a model on the GPUs: how it launches kernels, which ops it fuses into
 * which kernels, which all-reduce algorithms it has, and how it chunks prefills. These are mechanics, never
 * a speed-up factor: the kernel list and the collectives they imply are simulated like any other. Presets
 * live in {@code presets/gpu/stack/*.yaml} ({@link GpuStacks}), each value with its source.
 *
 * @param name                      the stack preset the values came from ({@code eager}, {@code cuda-graphs},
 *                                  {@code compiled}, {@code trtllm})
 * @param launchOverheadPs          host time to launch one kernel (without CUDA graphs) or one graph, ps
 * @param cudaGraphs                whether each step between host syncs is replayed as one CUDA graph
 * @param fusedQkv                  q, k and v projections in one GEMM (false: three)
 * @param fusedGateUp               gate and up projections in one GEMM (false: two)
 * @param normKernels               kernels one RMSNorm takes when not fused (an eager norm is a chain of
 *                                  element-wise ops: cast, square, mean, add, rsqrt, scale, cast, weight)
 * @param fuseResidualIntoNorm      whether a residual add runs in the kernel of the RMSNorm that follows it
 * @param rotaryKernels             kernels the rotary embedding of q and k takes; 0 when the attention kernel
 *                                  applies it
 * @param attentionKernels          kernels a decode attention takes (1: one kernel that also writes the new K
 *                                  and V; more: separate cache writes and copies)
 * @param activationKernels         kernels of the gated activation; 0 when the gate/up GEMM's epilogue
 *                                  applies it
 * @param allReduceAlgorithms       the fast all-reduces the stack has besides NCCL (one-shot, two-shot,
 *                                  NVLS); NCCL's ring and tree are always available
 * @param customAllReduceMaxBytes   largest message the one-shot and two-shot kernels take (their
 *                                  registered buffer), bytes
 * @param fuseAllReduceResidualNorm whether a one-shot or two-shot all-reduce also does the residual add and
 *                                  the following RMSNorm in its kernel
 * @param prefillChunkTokens        prompt tokens per prefill pass (chunked prefill); a longer prompt takes
 *                                  several passes
 */
public record GpuStack(String name, long launchOverheadPs, boolean cudaGraphs, boolean fusedQkv, boolean fusedGateUp,
                       int normKernels, boolean fuseResidualIntoNorm, int rotaryKernels, int attentionKernels,
                       int activationKernels, Set<CollectiveAlgorithm> allReduceAlgorithms,
                       long customAllReduceMaxBytes, boolean fuseAllReduceResidualNorm, int prefillChunkTokens) {

    /** The names of the stack presets, fastest last. */
    public static final List<String> NAMES = List.of("eager", "cuda-graphs", "compiled", "trtllm");

    /** The all-reduce algorithms a stack may list (NCCL's are always there). */
    static final Set<CollectiveAlgorithm> FAST_ALL_REDUCES = EnumSet.of(CollectiveAlgorithm.ONE_SHOT,
            CollectiveAlgorithm.TWO_SHOT, CollectiveAlgorithm.NVLS);

    /** Every parameter of a stack preset. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.choice("stack.name", "Software stack: eager, cuda-graphs, compiled or trtllm (select with --stack).",
                    NAMES.toArray(new String[0])),
            ParamSpec.real("kernel.launchOverheadNs", "ns", 0, 1_000_000,
                    "Host time to launch one kernel (or one CUDA graph) on its stream."),
            ParamSpec.flag("kernel.cudaGraphs",
                    "Replay each segment between host syncs as one CUDA graph instead of launching kernel by kernel."),
            ParamSpec.flag("stack.fusedQkv", "q, k and v projections as one GEMM (false: three GEMMs)."),
            ParamSpec.flag("stack.fusedGateUp", "Gate and up projections as one GEMM (false: two GEMMs)."),
            ParamSpec.integer("stack.normKernels", "kernels", 1, 64,
                    "Kernels of one RMSNorm that is not fused with a residual add."),
            ParamSpec.flag("stack.fuseResidualIntoNorm",
                    "Residual add in the kernel of the RMSNorm that follows it."),
            ParamSpec.integer("stack.rotaryKernels", "kernels", 0, 64,
                    "Kernels of the rotary embedding of q and k; 0 when the attention kernel applies it."),
            ParamSpec.integer("stack.attentionKernels", "kernels", 1, 64,
                    "Kernels of one layer's decode attention (1: one kernel that also writes the new K and V)."),
            ParamSpec.integer("stack.activationKernels", "kernels", 0, 64,
                    "Kernels of the gated activation; 0 when the gate/up GEMM epilogue applies it."),
            ParamSpec.text("stack.allReduceAlgorithms",
                    "Fast all-reduces besides NCCL, comma-separated: one-shot, two-shot, nvls; or none. Each call "
                            + "uses the cheapest that applies, as the stacks' own selectors do."),
            ParamSpec.longInt("stack.customAllReduceMaxBytes", "bytes", 0, 1L << 40,
                    "Largest message the one-shot and two-shot kernels take (their registered buffer)."),
            ParamSpec.flag("stack.fuseAllReduceResidualNorm",
                    "A one-shot or two-shot all-reduce also does the residual add and the next RMSNorm."),
            ParamSpec.integer("serving.prefillChunkTokens", "tokens", 1, 1 << 24,
                    "Prompt tokens per prefill pass (chunked prefill); longer prompts take several passes."));

    public GpuStack {
        Objects.requireNonNull(name, "name");
        allReduceAlgorithms = Set.copyOf(allReduceAlgorithms);
        if (launchOverheadPs < 0) {
            throw new ConfigException("kernel.launchOverheadNs must be >= 0, got " + launchOverheadPs + " ps");
        }
        for (CollectiveAlgorithm a : allReduceAlgorithms) {
            if (!FAST_ALL_REDUCES.contains(a)) {
                throw new ConfigException("stack.allReduceAlgorithms contains " + a.key()
                        + "; expected one-shot, two-shot or nvls (NCCL's ring and tree are always available)");
            }
        }
    }

    /** Builds the record from a parameter set whose schema contains {@link #SCHEMA}. */
    public static GpuStack from(ParamSet p) {
        return new GpuStack(
                p.getString("stack.name"),
                Ticks.fromNanos(p.getDouble("kernel.launchOverheadNs")),
                p.getBoolean("kernel.cudaGraphs"),
                p.getBoolean("stack.fusedQkv"),
                p.getBoolean("stack.fusedGateUp"),
                p.getInt("stack.normKernels"),
                p.getBoolean("stack.fuseResidualIntoNorm"),
                p.getInt("stack.rotaryKernels"),
                p.getInt("stack.attentionKernels"),
                p.getInt("stack.activationKernels"),
                parseAlgorithms(p.getString("stack.allReduceAlgorithms")),
                p.getLong("stack.customAllReduceMaxBytes"),
                p.getBoolean("stack.fuseAllReduceResidualNorm"),
                p.getInt("serving.prefillChunkTokens"));
    }

    /**
     * Parses {@code stack.allReduceAlgorithms}: {@code none} or a comma-separated list of one-shot,
     * two-shot and nvls.
     *
     * @throws ConfigException naming the key, the value and what is allowed
     */
    public static Set<CollectiveAlgorithm> parseAlgorithms(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        EnumSet<CollectiveAlgorithm> out = EnumSet.noneOf(CollectiveAlgorithm.class);
        if (t.equals("none") || t.isEmpty()) {
            return out;
        }
        for (String part : t.split(",")) {
            CollectiveAlgorithm found = null;
            for (CollectiveAlgorithm a : FAST_ALL_REDUCES) {
                if (a.key().equals(part.trim())) {
                    found = a;
                }
            }
            if (found == null) {
                throw new ConfigException("stack.allReduceAlgorithms=" + text + " is not allowed; expected none or a "
                        + "comma-separated list of one-shot, two-shot and nvls");
            }
            out.add(found);
        }
        return out;
    }

    /** The all-reduce algorithms as written in presets: {@code one-shot,two-shot} or {@code none}. */
    public String allReduceAlgorithmsText() {
        StringBuilder sb = new StringBuilder();
        for (CollectiveAlgorithm a : CollectiveAlgorithm.values()) {
            if (allReduceAlgorithms.contains(a)) {
                sb.append(sb.length() == 0 ? "" : ",").append(a.key());
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
