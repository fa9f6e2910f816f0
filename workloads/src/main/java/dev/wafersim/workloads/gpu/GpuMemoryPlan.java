package dev.wafersim.workloads.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.memory.hbm.HbmParams;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.model.TensorRole;
import java.util.Locale;

/**
 * The HBM each GPU of a layout holds: its share of the weights, of the KV cache at the end of the run,
 * and its activation buffers. All GPUs of a stage hold the same; {@link #fullestStage()} is the one
 * the capacity check uses.
 *
 * <p>Weights per GPU of stage {@code s}, for each of its layers: both RMSNorm scales (replicated);
 * {@code ceil(q part / tp)} of the QKV projection plus the K and V parts of its own KV heads
 * ({@code kvHeadsPerGpu / Hkv} of them, so replicated KV heads are counted on every GPU that holds one);
 * {@code ceil(bytes / tp)} of the output projection, the sinks and the FFN (dense, or all experts split
 * like tensor parallelism); the MoE router replicated. Stage 0 adds the whole embedding table
 * (replicated: a lookup reads B rows, so splitting it would only add an all-reduce); the last stage adds
 * the final norm and the LM head, {@code ceil(bytes / tp)} when vocabulary-parallel or whole when
 * replicated, and nothing when the LM head is the tied embedding table already on the same GPU
 * ({@code pp = 1}). With {@code tp = pp = 1} this is exactly {@link ModelSpec#weightBytes}.
 *
 * <p>KV cache per GPU: for each of its layers, {@code attendedTokens(layer, context + tokens) x B x
 * kvHeadsPerGpu x headDim x 2 (K and V) x bytes per element}: the peak, after the last token.
 *
 * <p>Activations per GPU (bf16, times B): the residual stream and its normed copy ({@code 2 h}) plus the
 * larger of the attention working set (the GPU's q, k, v and attention output) and the FFN working set
 * (gate, up and activation output, {@code 3 ceil(f / tp)}, times k rows per token for a MoE); the last
 * stage adds the gathered logits in fp32 ({@code 4 B vocab}). Small next to the weights; it matters only
 * at large batch.
 */
public final class GpuMemoryPlan {
    private final GpuLayout layout;
    private final long[] weightBytes;
    private final long[] kvBytes;
    private final long[] activationBytes;
    private final long[] kvBytesPerToken;

    private GpuMemoryPlan(GpuLayout layout, long[] weightBytes, long[] kvBytes, long[] activationBytes,
                          long[] kvBytesPerToken) {
        this.layout = layout;
        this.weightBytes = weightBytes;
        this.kvBytes = kvBytes;
        this.activationBytes = activationBytes;
        this.kvBytesPerToken = kvBytesPerToken;
    }

    /** The plan of {@code workload} on {@code layout}: its batch at its final length, one token per sequence per step. */
    public static GpuMemoryPlan of(ModelSpec m, DecodeWorkload w, GpuLayout layout, boolean replicatedLmHead) {
        return of(m, w.precision(), layout, replicatedLmHead, w.batchSize(), w.finalPositions(), w.batchSize(),
                w.batchSize());
    }

    /**
     * The plan of {@code sequences} sequences of {@code positions} positions each, with activation buffers
     * for passes of up to {@code passTokens} new tokens of which up to {@code logitTokens} need logits.
     */
    public static GpuMemoryPlan of(ModelSpec m, Precision p, GpuLayout layout, boolean replicatedLmHead, long sequences,
                                   long positions, long passTokens, long logitTokens) {
        int tp = layout.tp();
        int pp = layout.pp();
        int kvh = layout.kvHeadsPerGpu(m);
        int qh = layout.queryHeadsPerGpu(m);
        long b = sequences;
        long h = m.hiddenSize();
        long d = m.headDim();
        long f = m.ffnHiddenSize();

        long qW = qProjectionBytes(m, p);
        long kvW = m.qkvWeightBytes(p) - qW;
        long ffn = m.gateUpWeightBytes(p) + m.downWeightBytes(p);
        long layerW = 2 * m.normWeightBytes()
                + ceilDiv(qW, tp) + ceilDiv(Math.multiplyExact(kvW, (long) kvh), m.numKvHeads())
                + ceilDiv(m.outProjWeightBytes(p), tp) + ceilDiv(m.sinkBytes(), tp)
                + (m.isMixtureOfExperts()
                        ? m.routerWeightBytes(p) + ceilDiv(Math.multiplyExact((long) m.numExperts(), ffn), tp)
                        : ceilDiv(ffn, tp));
        long kvPerTokenPerGpu = Math.multiplyExact(2L * kvh * d, (long) p.kvBytesPerElement());
        long rowsPerToken = m.isMixtureOfExperts() ? m.expertsPerToken() : 1;
        long attnWork = (2L * qh + 2L * kvh) * d;
        long ffnWork = 3 * ceilDiv(f, tp) * rowsPerToken;
        long act = Math.multiplyExact(passTokens * Precision.ACTIVATION_BYTES, 2 * h + Math.max(attnWork, ffnWork));

        long[] weights = new long[pp];
        long[] kv = new long[pp];
        long[] acts = new long[pp];
        long[] perToken = new long[pp];
        for (int s = 0; s < pp; s++) {
            int layers = layout.endLayer(s) - layout.firstLayer(s);
            weights[s] = Math.multiplyExact(layerW, (long) layers);
            long tokens = 0;
            for (int l = layout.firstLayer(s); l < layout.endLayer(s); l++) {
                tokens = Math.addExact(tokens, m.attention().attendedTokens(l, positions));
            }
            kv[s] = Math.multiplyExact(Math.multiplyExact(tokens, b), kvPerTokenPerGpu);
            perToken[s] = Math.multiplyExact((long) layers, kvPerTokenPerGpu);
            acts[s] = act;
            if (s == 0) {
                weights[s] += m.embeddingTableBytes(p);
            }
            if (s == pp - 1) {
                weights[s] += m.normWeightBytes();
                boolean tableHere = m.tiedEmbeddings() && pp == 1;
                if (!tableHere) {
                    long head = m.lmHeadWeightBytes(p);
                    weights[s] += replicatedLmHead ? head : ceilDiv(head, tp);
                }
                acts[s] += Math.multiplyExact(4L * logitTokens, (long) m.vocabSize());
            }
        }
        return new GpuMemoryPlan(layout, weights, kv, acts, perToken);
    }

    /** Bytes of the q part of the QKV projection (matrix and bias). */
    static long qProjectionBytes(ModelSpec m, Precision p) {
        return p.matrixBytes(TensorRole.ATTENTION, m.hiddenSize(), m.qDim())
                + (m.qkvBias() ? Precision.vectorBytes(m.qDim()) : 0);
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** The layout. */
    public GpuLayout layout() {
        return layout;
    }

    /** Weight bytes on each GPU of stage {@code s}. */
    public long weightBytes(int s) {
        return weightBytes[s];
    }

    /** KV-cache bytes on each GPU of stage {@code s}, after the last token. */
    public long kvCacheBytes(int s) {
        return kvBytes[s];
    }

    /** Activation bytes on each GPU of stage {@code s}. */
    public long activationBytes(int s) {
        return activationBytes[s];
    }

    /**
     * KV-cache bytes one token (one position of one sequence) takes on each GPU of stage {@code s}: its
     * layers x (K and V) x the GPU's KV heads x head dim x bytes per element. Sliding-window layers are
     * counted like full ones (they hold at most a window per sequence, so this over-states long sequences).
     */
    public long kvBytesPerToken(int s) {
        return kvBytesPerToken[s];
    }

    /**
     * Tokens of KV cache the layout holds: on each stage, the usable HBM left after the weights and the
     * activation buffers, divided by {@link #kvBytesPerToken}; the smallest over the stages (every stage holds
     * every token's K and V for its layers). 0 when a stage has no room.
     */
    public long kvCapacityTokens(HbmParams hbm) {
        long min = Long.MAX_VALUE;
        for (int s = 0; s < weightBytes.length; s++) {
            long free = hbm.usableBytes() - weightBytes[s] - activationBytes[s];
            min = Math.min(min, free <= 0 ? 0 : free / kvBytesPerToken[s]);
        }
        return min;
    }

    /** Everything on each GPU of stage {@code s}. */
    public long totalBytes(int s) {
        return weightBytes[s] + kvBytes[s] + activationBytes[s];
    }

    /** The stage whose GPUs hold the most (the first on ties). */
    public int fullestStage() {
        int best = 0;
        for (int s = 1; s < weightBytes.length; s++) {
            if (totalBytes(s) > totalBytes(best)) {
                best = s;
            }
        }
        return best;
    }

    /** Bytes on the fullest GPU. */
    public long maxBytesPerGpu() {
        return totalBytes(fullestStage());
    }

    /** True when the fullest GPU fits in the usable HBM. */
    public boolean fits(HbmParams hbm) {
        return maxBytesPerGpu() <= hbm.usableBytes();
    }

    /**
     * One line saying what the fullest GPU needs against what is usable, e.g.
     * {@code needs 142.93 GB per GPU (weights 141.11 GB + KV cache 1.38 GB + activations 0.04 GB),
     * 79.00 GB is usable (80.00 GB HBM - 1.00 GB reserved)}.
     */
    public String describe(HbmParams hbm) {
        int s = fullestStage();
        return String.format(Locale.ROOT,
                "needs %s per GPU (weights %s + KV cache %s + activations %s), %s is usable (%s HBM - %s reserved)",
                gb(totalBytes(s)), gb(weightBytes[s]), gb(kvBytes[s]), gb(activationBytes[s]), gb(hbm.usableBytes()),
                gb(hbm.capacityBytes()), gb(hbm.reservedBytes()));
    }

    /** Bytes as decimal GB with two decimals. */
    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /** Throws a {@link ConfigException} naming {@code what} when the plan does not fit. */
    void requireFits(HbmParams hbm, String what, String minimumHint) {
        if (!fits(hbm)) {
            throw new ConfigException(what + " does not fit: " + describe(hbm) + "; short by "
                    + gb(maxBytesPerGpu() - hbm.usableBytes()) + " per GPU; " + minimumHint);
        }
    }
}
