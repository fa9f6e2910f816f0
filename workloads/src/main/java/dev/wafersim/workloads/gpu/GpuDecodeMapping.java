package dev.wafersim.workloads.gpu;

import dev.wafersim.fabric.gpu.CommGroup;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuCluster;
import dev.wafersim.fabric.gpu.GpuProgram;
import dev.wafersim.fabric.gpu.ProgramBuilder;
import dev.wafersim.fabric.gpu.StreamBuilder;
import dev.wafersim.fabric.gpu.TimeCategory;
import dev.wafersim.workloads.model.DecodeStep;
import dev.wafersim.workloads.model.LayerOps;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.NumberFormat;
import dev.wafersim.workloads.model.Op;
import dev.wafersim.workloads.model.OpKind;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.model.TensorRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns one decode step ({@link DecodeStep}) into a program for a GPU cluster: per GPU, the kernels,
 * collectives and transfers of its pipeline stage and tensor-parallel rank.
 */
final class GpuDecodeMapping {
    /*
     * Kernels. Every op of the step becomes a kernel timed by the KernelModel from the bytes it moves
     * through HBM (its weights, KV cache and activations, as the GPU's share) and its FLOPs, with two
     * fusions that torch.compile, vLLM (fused_add_rms_norm) and TensorRT-LLM all make: a residual add
     * runs in the same kernel as the RMSNorm that follows it (the next layer's attn_norm, the layer's
     * ffn_norm, or the final norm), and the new token's K and V are written by the attention kernel.
     * A dense layer is 9 kernels: attn_norm(+residual), qkv_proj, rotary, attention, o_proj,
     * ffn_norm(+residual), gate_up_proj, act, down_proj; a MoE layer replaces the last three by router,
     * experts.gate_up_proj, experts.act, experts.down_proj, moe_combine. The step adds embed (stage 0)
     * and final_norm(+residual), lm_head and sample (last stage). A stage that ends inside the model ends
     * with its last residual add as a kernel of its own (there is no next norm on this GPU).
     *
     * Categories: weight matmuls WEIGHT_READ, attention KV_CACHE_READ, the rest ELEMENTWISE; the
     * cluster books a kernel whose compute time exceeds its memory time to COMPUTE instead.
     *
     * Tensor parallelism (Megatron): QKV and gate/up column-parallel (each GPU its heads / its ffn/tp
     * columns), o_proj and down row-parallel, followed each by an all-reduce of the B x hidden bf16
     * activations over the stage's tp GPUs: two all-reduces per layer. Per GPU:
     *   - QKV: ceil(q part / tp) plus the K and V columns of its kvHeadsPerGpu heads; FLOPs in the
     *     same proportion, (H/tp + 2 kvh) / (H + 2 Hkv);
     *   - attention: kvh / Hkv of the KV cache read and written, H/tp of the heads' FLOPs;
     *   - rotary: (H/tp + kvh) / (H + Hkv); gate/up, act, down, o_proj: 1/tp (rounded up);
     *   - norms, residual adds, embedding: replicated (each GPU does all of it);
     *   - MoE: the router is replicated; every expert is split over the tp GPUs like a dense FFN
     *     (tensor-parallel experts, vLLM's default for Mixtral), so each GPU reads 1/tp of the matrices
     *     of every expert the batch touches (ExpertRouting's expected distinct count); moe_combine is
     *     replicated and the all-reduce follows it;
     *   - LM head: vocabulary-parallel, 1/tp of the head, then an all-gather of the B x vocab bf16
     *     logits; or replicated (GpuOptions.replicatedLmHead, gpt-fast): the whole head, no gather.
     *   - sample: one kernel reading the B x vocab logits (argmax / top-k sampling).
     * Column-parallel kernels read the full input and write their share; row-parallel ones read their
     * share and write the full output.
     *
     * Pipeline parallelism: stage s > 0 first receives the B x hidden bf16 activations from the same
     * rank of stage s-1; every stage but the last sends them on. With pp > 1 the last stage sends the
     * B sampled token ids (int32) back to the same rank of stage 0, which receives them at the end of its
     * program: the next step cannot start before its token exists. One decode step is one micro-batch
     * (all B sequences move together), so at batch 1 a stage works while the others wait: pipeline
     * bubbles show as IDLE (a stage is busy about 1/pp of the step).
     *
     * Every GPU's program ends with a host sync (the sampled token is copied to the host), so with
     * CUDA graphs each GPU launches one graph per token.
     */

    /** Bytes of one token id (int32). */
    static final int TOKEN_ID_BYTES = Precision.TOKEN_ID_BYTES;

    private final GpuCluster cluster;
    private final GpuLayout layout;
    private final ModelSpec model;
    private final Precision precision;
    private final int batch;
    private final DataType computeType;
    private final boolean replicatedLmHead;
    private final int qh;
    private final int kvh;
    private final long qProjBytes;

    GpuDecodeMapping(GpuCluster cluster, GpuLayout layout, ModelSpec model, Precision precision, int batch,
                     DataType computeType, boolean replicatedLmHead) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.model = Objects.requireNonNull(model, "model");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.batch = batch;
        this.computeType = Objects.requireNonNull(computeType, "computeType");
        this.replicatedLmHead = replicatedLmHead;
        this.qh = layout.queryHeadsPerGpu(model);
        this.kvh = layout.kvHeadsPerGpu(model);
        this.qProjBytes = GpuMemoryPlan.qProjectionBytes(model, precision);
        if (cluster.gpuCount() != layout.gpus()) {
            throw new IllegalArgumentException("cluster of " + cluster.gpuCount() + " GPUs for " + layout);
        }
    }

    /** One item of a stage's program, the same on every rank. */
    record Piece(Kind kind, TimeCategory category, long bytes, long flops, DataType type, String label) {
        enum Kind { KERNEL, ALL_REDUCE, ALL_GATHER }
    }

    /** Bytes of the activations passed between stages: B x hidden, bf16. */
    long stageActivationBytes() {
        return (long) batch * model.hiddenSize() * Precision.ACTIVATION_BYTES;
    }

    /** Bytes of the token ids sent back to stage 0: B x int32. */
    long tokenIdBytes() {
        return (long) batch * TOKEN_ID_BYTES;
    }

    /** The program of one step on the whole cluster. */
    GpuProgram program(DecodeStep step) {
        ProgramBuilder b = cluster.newProgram();
        int tp = layout.tp();
        int pp = layout.pp();
        List<LayerOps> layers = step.layers();
        long act = stageActivationBytes();
        long ids = tokenIdBytes();
        for (int s = 0; s < pp; s++) {
            CommGroup group = tp > 1 ? b.group("tp" + s, layout.stageGpus(s)) : null;
            List<Piece> pieces = stagePieces(step, layers, s);
            for (int r = 0; r < tp; r++) {
                StreamBuilder st = b.gpu(layout.gpu(s, r));
                if (s > 0) {
                    st.recv(layout.gpu(s - 1, r), act, "recv activations");
                }
                for (Piece p : pieces) {
                    switch (p.kind()) {
                        case KERNEL -> st.kernel(p.category(), p.bytes(), p.flops(), p.type(), p.label());
                        case ALL_REDUCE -> st.allReduce(group, p.bytes(), p.label());
                        case ALL_GATHER -> st.allGather(group, p.bytes(), p.label());
                        default -> throw new IllegalStateException(p.kind().name());
                    }
                }
                if (s < pp - 1) {
                    st.send(layout.gpu(s + 1, r), act, "send activations");
                } else if (pp > 1) {
                    st.send(layout.gpu(0, r), ids, "send token ids");
                }
                if (s == 0 && pp > 1) {
                    st.recv(layout.gpu(pp - 1, r), ids, "recv token ids");
                }
                st.hostSync("token");
            }
        }
        return b.build();
    }

    /** The items of stage {@code s}, in order, for every rank of the stage. */
    List<Piece> stagePieces(DecodeStep step, List<LayerOps> layers, int s) {
        List<Piece> out = new ArrayList<>();
        boolean collectives = layout.tp() > 1;
        Op pendingResidual = null;
        if (s == 0) {
            out.add(kernel(step.embedding()));
        }
        for (int l = layout.firstLayer(s); l < layout.endLayer(s); l++) {
            for (Op op : layers.get(l).ops()) {
                if (op.kind() == OpKind.RESIDUAL_ADD) {
                    pendingResidual = op;
                    continue;
                }
                if (op.kind() == OpKind.RMS_NORM && pendingResidual != null) {
                    out.add(fused(pendingResidual, op));
                    pendingResidual = null;
                    continue;
                }
                out.add(kernel(op));
                if (collectives && (op.kind() == OpKind.OUT_PROJ || op.kind() == OpKind.DOWN_PROJ
                        || op.kind() == OpKind.MOE_COMBINE)) {
                    out.add(new Piece(Piece.Kind.ALL_REDUCE, TimeCategory.COMMUNICATION, stageActivationBytes(), 0,
                            DataType.BF16, op.name() + ".all_reduce"));
                }
            }
        }
        if (s == layout.pp() - 1) {
            Op norm = step.finalNorm();
            out.add(pendingResidual != null ? fused(pendingResidual, norm) : kernel(norm));
            pendingResidual = null;
            out.add(kernel(step.lmHead()));
            long logits = (long) batch * model.vocabSize() * Precision.ACTIVATION_BYTES;
            if (collectives && !replicatedLmHead) {
                out.add(new Piece(Piece.Kind.ALL_GATHER, TimeCategory.COMMUNICATION, logits, 0, DataType.BF16,
                        "lm_head.all_gather"));
            }
            out.add(new Piece(Piece.Kind.KERNEL, TimeCategory.ELEMENTWISE, logits + tokenIdBytes(),
                    Math.multiplyExact(logits / Precision.ACTIVATION_BYTES, 6L), DataType.BF16, "sample"));
        } else if (pendingResidual != null) {
            out.add(kernel(pendingResidual));
        }
        return out;
    }

    private Piece fused(Op residual, Op norm) {
        Piece a = kernel(residual);
        Piece b = kernel(norm);
        return new Piece(Piece.Kind.KERNEL, TimeCategory.ELEMENTWISE, a.bytes() + b.bytes(), a.flops() + b.flops(),
                DataType.BF16, norm.name() + "+residual");
    }

    /** The kernel of {@code op} on one GPU of its stage. */
    Piece kernel(Op op) {
        long w = Math.round(op.weightBytes());
        long in = op.activationBytesIn();
        long outB = op.activationBytesOut();
        int tp = layout.tp();
        int h = model.numHeads();
        int hkv = model.numKvHeads();
        return switch (op.kind()) {
            case EMBEDDING, RMS_NORM, RESIDUAL_ADD, MOE_COMBINE ->
                    piece(op, TimeCategory.ELEMENTWISE, w + in + outB, op.flops(), DataType.BF16);
            case ROUTER -> piece(op, TimeCategory.WEIGHT_READ, w + in + outB, op.flops(), type(TensorRole.ROUTER));
            case QKV_PROJ -> {
                long share = w - qProjBytes;
                long bytes = ceilDiv(qProjBytes, tp) + ceilDiv(Math.multiplyExact(share, (long) kvh), hkv)
                        + in + scale(outB, qh + 2L * kvh, h + 2L * hkv);
                yield piece(op, TimeCategory.WEIGHT_READ, bytes, scale(op.flops(), qh + 2L * kvh, h + 2L * hkv),
                        type(TensorRole.ATTENTION));
            }
            case ROTARY -> piece(op, TimeCategory.ELEMENTWISE, scale(in + outB, qh + (long) kvh, h + (long) hkv),
                    scale(op.flops(), qh + (long) kvh, h + (long) hkv), DataType.BF16);
            case ATTENTION -> {
                long kv = scale(op.kvBytesRead() + op.kvBytesWritten(), kvh, hkv);
                long bytes = kv + scale(w + in + outB, qh, h);
                yield piece(op, TimeCategory.KV_CACHE_READ, bytes, scale(op.flops(), qh, h), DataType.BF16);
            }
            case OUT_PROJ -> piece(op, TimeCategory.WEIGHT_READ, ceilDiv(w, tp) + ceilDiv(in, tp) + outB,
                    ceilDiv(op.flops(), tp), type(TensorRole.ATTENTION));
            case GATE_UP_PROJ -> piece(op, TimeCategory.WEIGHT_READ, ceilDiv(w, tp) + in + ceilDiv(outB, tp),
                    ceilDiv(op.flops(), tp), type(TensorRole.FFN));
            case DOWN_PROJ -> piece(op, TimeCategory.WEIGHT_READ, ceilDiv(w, tp) + ceilDiv(in, tp) + outB,
                    ceilDiv(op.flops(), tp), type(TensorRole.FFN));
            case EXPERT_GATE_UP_PROJ -> piece(op, TimeCategory.WEIGHT_READ,
                    Math.round(op.weightBytes() / tp) + in + ceilDiv(outB, tp), ceilDiv(op.flops(), tp),
                    type(TensorRole.EXPERT));
            case EXPERT_DOWN_PROJ -> piece(op, TimeCategory.WEIGHT_READ,
                    Math.round(op.weightBytes() / tp) + ceilDiv(in, tp) + outB, ceilDiv(op.flops(), tp),
                    type(TensorRole.EXPERT));
            case FFN_ACTIVATION -> piece(op, TimeCategory.ELEMENTWISE, ceilDiv(in + outB, tp),
                    ceilDiv(op.flops(), tp), DataType.BF16);
            case LM_HEAD -> {
                TensorRole role = model.tiedEmbeddings() ? TensorRole.EMBEDDING : TensorRole.LM_HEAD;
                if (replicatedLmHead || tp == 1) {
                    yield piece(op, TimeCategory.WEIGHT_READ, w + in + outB, op.flops(), type(role));
                }
                yield piece(op, TimeCategory.WEIGHT_READ, ceilDiv(w, tp) + in + ceilDiv(outB, tp),
                        ceilDiv(op.flops(), tp), type(role));
            }
        };
    }

    private static Piece piece(Op op, TimeCategory category, long bytes, long flops, DataType type) {
        return new Piece(Piece.Kind.KERNEL, category, bytes, flops, type, op.name());
    }

    /**
     * The tensor-core type of a matmul whose weights have {@code role}: FP8 when the run computes in FP8
     * and the precision stores that role in fp8; bf16 otherwise (embedding, LM head and router stay bf16
     * under the default block scope).
     */
    private DataType type(TensorRole role) {
        return computeType == DataType.FP8 && precision.weights() == NumberFormat.FP8 && precision.quantizes(role)
                ? DataType.FP8 : DataType.BF16;
    }

    /** {@code ceil(v * num / den)}. */
    private static long scale(long v, long num, long den) {
        return ceilDiv(Math.multiplyExact(v, num), den);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
