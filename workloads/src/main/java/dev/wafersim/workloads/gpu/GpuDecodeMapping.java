package dev.wafersim.workloads.gpu;

import dev.wafersim.fabric.gpu.CollectiveAlgorithm;
import dev.wafersim.fabric.gpu.CollectiveKind;
import dev.wafersim.fabric.gpu.CommGroup;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuCluster;
import dev.wafersim.fabric.gpu.GpuProgram;
import dev.wafersim.fabric.gpu.GpuStack;
import dev.wafersim.fabric.gpu.ProgramBuilder;
import dev.wafersim.fabric.gpu.StreamBuilder;
import dev.wafersim.fabric.gpu.TimeCategory;
import dev.wafersim.workloads.model.ForwardGraph;
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
 * Turns one forward pass ({@link ForwardGraph}: a decode step, or any mix of decode tokens, prefill chunks
 * and verify steps) into a program for a GPU cluster: per GPU, the kernels, collectives and transfers of
 * its pipeline stage and tensor-parallel rank, as the configured software stack ({@link GpuStack}) runs them.
 */
final class GpuDecodeMapping {
    /*
     * Kernels. Every op of the pass becomes one or more kernels timed by the KernelModel from the bytes it
     * moves through HBM (its share of the weights, KV cache and activations) and its FLOPs. T is the pass's
     * new tokens (the rows of every matmul), L those that need logits. What fuses into what is the stack's
     * (GpuStack, presets/gpu/stack/*.yaml):
     *   - RMSNorm: one kernel, or stack.normKernels kernels when a framework runs it op by op; with
     *     stack.fuseResidualIntoNorm the residual add before it runs in the same kernel (torch.compile, vLLM's
     *     fused_add_rms_norm, TensorRT-LLM), otherwise the residual is a kernel of its own;
     *   - QKV and gate/up: one GEMM each, or three and two (stack.fusedQkv, stack.fusedGateUp);
     *   - rotary: stack.rotaryKernels kernels, or none when the attention kernel applies it (TensorRT-LLM's
     *     decode attention): its FLOPs then go to the attention kernel;
     *   - attention: one kernel that also writes the new K and V, plus stack.attentionKernels - 1 small
     *     kernels (separate cache writes, copies) for an eager framework;
     *   - gated activation: stack.activationKernels kernels, or none (in the gate/up GEMM's epilogue, which
     *     then writes f instead of 2f values per row).
     * An op split into k element-wise kernels reads its input and writes its output in each (rotary: each
     * kernel works on q or on k, half of the op's bytes): an upper bound on the traffic of the intermediates;
     * such kernels are dominated by their ramp and launch.
     * Categories: weight matmuls WEIGHT_READ, attention KV_CACHE_READ, the rest ELEMENTWISE; the cluster
     * books a kernel whose compute time exceeds its memory time to COMPUTE instead (a prefill's GEMMs and
     * attention).
     *
     * Tensor parallelism (Megatron): QKV and gate/up column-parallel (each GPU its heads / its ffn/tp
     * columns), o_proj and down row-parallel, followed each by an all-reduce of the T x hidden bf16
     * activations over the stage's tp GPUs: two all-reduces per layer. Per GPU:
     *   - QKV: ceil(q part / tp) plus the K and V columns of its kvHeadsPerGpu heads; FLOPs in the
     *     same proportion, (H/tp + 2 kvh) / (H + 2 Hkv);
     *   - attention: kvh / Hkv of the KV cache read and written, H/tp of the heads' FLOPs;
     *   - rotary: (H/tp + kvh) / (H + Hkv); gate/up, act, down, o_proj: 1/tp (rounded up);
     *   - norms, residual adds, embedding: replicated (each GPU does all of it);
     *   - MoE: the router is replicated; every expert is split over the tp GPUs like a dense FFN
     *     (tensor-parallel experts, vLLM's default for Mixtral), so each GPU reads 1/tp of the matrices
     *     of every expert the pass touches (ExpertRouting's expected distinct count); moe_combine is
     *     replicated and the all-reduce follows it;
     *   - LM head: vocabulary-parallel, 1/tp of the head, then an all-gather of the L x vocab bf16
     *     logits; or replicated (GpuOptions.replicatedLmHead, gpt-fast): the whole head, no gather.
     *   - sample: one kernel reading the L x vocab logits (argmax / top-k sampling).
     * Column-parallel kernels read the full input and write their share; row-parallel ones read their
     * share and write the full output.
     * All-reduce: the collective model's choice for the stack (CollectiveModel.cost: NCCL, or one-shot,
     * two-shot, NVLS where the stack has them). With stack.fuseAllReduceResidualNorm and a one-shot or
     * two-shot choice, the all-reduce kernel also does the residual add and the next RMSNorm (TensorRT-LLM's
     * RESIDUAL_RMS_NORM fusion): those two ops become its epilogue (their bytes at the HBM rate, no kernel of
     * their own).
     *
     * Pipeline parallelism: stage s > 0 first receives the T x hidden bf16 activations from the same
     * rank of stage s-1; every stage but the last sends them on. With pp > 1 and L > 0 the last stage sends
     * the L sampled token ids (int32) back to the same rank of stage 0, which receives them at the end of its
     * program: the next step cannot start before its tokens exist. One pass is one micro-batch, so at batch 1
     * a stage works while the others wait: pipeline bubbles show as IDLE (a stage is busy about 1/pp of it).
     *
     * Every GPU's program ends with a host sync (the sampled token is copied to the host), so with
     * CUDA graphs each GPU launches one graph per pass.
     */

    /** Bytes of one token id (int32). */
    static final int TOKEN_ID_BYTES = Precision.TOKEN_ID_BYTES;

    private final GpuCluster cluster;
    private final GpuStack stack;
    private final GpuLayout layout;
    private final ModelSpec model;
    private final Precision precision;
    private final DataType computeType;
    private final boolean replicatedLmHead;
    private final int qh;
    private final int kvh;
    private final long qProjBytes;

    GpuDecodeMapping(GpuCluster cluster, GpuLayout layout, ModelSpec model, Precision precision, DataType computeType,
                     boolean replicatedLmHead) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.stack = cluster.params().stack();
        this.layout = Objects.requireNonNull(layout, "layout");
        this.model = Objects.requireNonNull(model, "model");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.computeType = Objects.requireNonNull(computeType, "computeType");
        this.replicatedLmHead = replicatedLmHead;
        this.qh = layout.queryHeadsPerGpu(model);
        this.kvh = layout.kvHeadsPerGpu(model);
        this.qProjBytes = GpuMemoryPlan.qProjectionBytes(model, precision);
        if (cluster.gpuCount() != layout.gpus()) {
            throw new IllegalArgumentException("cluster of " + cluster.gpuCount() + " GPUs for " + layout);
        }
    }

    /**
     * One item of a stage's program, the same on every rank. {@code epilogueBytes} is the HBM traffic of
     * the element-wise ops an all-reduce kernel does after reducing (0 when nothing is fused into it).
     */
    record Piece(Kind kind, TimeCategory category, long bytes, long flops, DataType type, long epilogueBytes,
                 String label) {
        enum Kind { KERNEL, ALL_REDUCE, ALL_GATHER }

        Piece withEpilogue(long more) {
            return new Piece(kind, category, bytes, flops, type, epilogueBytes + more, label);
        }
    }

    /** Bytes of the activations passed between stages: T x hidden, bf16. */
    long stageActivationBytes(ForwardGraph pass) {
        return pass.newTokens() * model.hiddenSize() * Precision.ACTIVATION_BYTES;
    }

    /** Bytes of the token ids sent back to stage 0: L x int32. */
    static long tokenIdBytes(ForwardGraph pass) {
        return pass.logitTokens() * TOKEN_ID_BYTES;
    }

    /** The program of one pass on the whole cluster. */
    GpuProgram program(ForwardGraph pass) {
        ProgramBuilder b = cluster.newProgram();
        int tp = layout.tp();
        int pp = layout.pp();
        long act = stageActivationBytes(pass);
        long ids = tokenIdBytes(pass);
        for (int s = 0; s < pp; s++) {
            CommGroup group = tp > 1 ? b.group("tp" + s, layout.stageGpus(s)) : null;
            List<Piece> pieces = stagePieces(pass, s);
            for (int r = 0; r < tp; r++) {
                StreamBuilder st = b.gpu(layout.gpu(s, r));
                if (s > 0) {
                    st.recv(layout.gpu(s - 1, r), act, "recv activations");
                }
                for (Piece p : pieces) {
                    switch (p.kind()) {
                        case KERNEL -> st.kernel(p.category(), p.bytes(), p.flops(), p.type(), p.label());
                        case ALL_REDUCE -> st.allReduce(group, p.bytes(), p.epilogueBytes(), p.label());
                        case ALL_GATHER -> st.allGather(group, p.bytes(), p.label());
                        default -> throw new IllegalStateException(p.kind().name());
                    }
                }
                if (s < pp - 1) {
                    st.send(layout.gpu(s + 1, r), act, "send activations");
                } else if (pp > 1 && ids > 0) {
                    st.send(layout.gpu(0, r), ids, "send token ids");
                }
                if (s == 0 && pp > 1 && ids > 0) {
                    st.recv(layout.gpu(pp - 1, r), ids, "recv token ids");
                }
                st.hostSync("token");
            }
        }
        return b.build();
    }

    /** The items of stage {@code s}, in order, for every rank of the stage. */
    List<Piece> stagePieces(ForwardGraph pass, int s) {
        List<Piece> out = new ArrayList<>();
        boolean collectives = layout.tp() > 1;
        Op pendingResidual = null;
        int fusedAllReduce = -1;
        long rotaryFlops = 0;
        long arBytes = stageActivationBytes(pass);
        if (s == 0) {
            out.add(kernel(pass.embedding()));
        }
        List<LayerOps> layers = pass.layers();
        for (int l = layout.firstLayer(s); l < layout.endLayer(s); l++) {
            for (Op op : layers.get(l).ops()) {
                switch (op.kind()) {
                    case RESIDUAL_ADD -> {
                        if (fusedAllReduce >= 0) {
                            out.set(fusedAllReduce, out.get(fusedAllReduce).withEpilogue(kernel(op).bytes()));
                        } else if (stack.fuseResidualIntoNorm()) {
                            pendingResidual = op;
                        } else {
                            out.add(kernel(op));
                        }
                    }
                    case RMS_NORM -> {
                        if (fusedAllReduce >= 0) {
                            out.set(fusedAllReduce, out.get(fusedAllReduce).withEpilogue(kernel(op).bytes()));
                            fusedAllReduce = -1;
                        } else if (pendingResidual != null) {
                            out.add(fused(pendingResidual, op));
                            pendingResidual = null;
                        } else {
                            split(out, kernel(op), stack.normKernels(), false);
                        }
                    }
                    case ROTARY -> {
                        if (stack.rotaryKernels() == 0) {
                            rotaryFlops = kernel(op).flops();
                        } else {
                            split(out, kernel(op), stack.rotaryKernels(), true);
                        }
                    }
                    case ATTENTION -> {
                        Piece a = kernel(op);
                        out.add(new Piece(a.kind(), a.category(), a.bytes(), a.flops() + rotaryFlops, a.type(), 0,
                                a.label()));
                        rotaryFlops = 0;
                        for (int k = 1; k < stack.attentionKernels(); k++) {
                            // Separate cache writes and copies of an eager framework: each reads and writes
                            // a q-sized tensor.
                            long q = scale(op.activationBytesOut(), qh, model.numHeads());
                            out.add(new Piece(Piece.Kind.KERNEL, TimeCategory.ELEMENTWISE, 2 * q, 0, DataType.BF16, 0,
                                    op.name() + ".aux" + k));
                        }
                    }
                    case QKV_PROJ -> {
                        if (stack.fusedQkv()) {
                            out.add(kernel(op));
                        } else {
                            out.addAll(separateQkv(op));
                        }
                    }
                    case GATE_UP_PROJ -> {
                        Piece g = kernel(op);
                        if (stack.activationKernels() == 0) {
                            // The activation runs in the GEMM's epilogue: f outputs per row instead of 2f.
                            long outShare = ceilDiv(op.activationBytesOut(), layout.tp());
                            g = new Piece(g.kind(), g.category(), g.bytes() - outShare / 2, g.flops(), g.type(), 0,
                                    g.label() + "+act");
                        }
                        if (stack.fusedGateUp()) {
                            out.add(g);
                        } else {
                            out.add(half(g, op, ".gate"));
                            out.add(half(g, op, ".up"));
                        }
                    }
                    case FFN_ACTIVATION -> {
                        if (stack.activationKernels() == 0) {
                            Piece gateUp = out.remove(out.size() - 1);
                            out.add(new Piece(gateUp.kind(), gateUp.category(), gateUp.bytes(),
                                    gateUp.flops() + kernel(op).flops(), gateUp.type(), 0, gateUp.label()));
                        } else {
                            split(out, kernel(op), stack.activationKernels(), false);
                        }
                    }
                    case OUT_PROJ, DOWN_PROJ, MOE_COMBINE -> {
                        out.add(kernel(op));
                        if (collectives) {
                            out.add(new Piece(Piece.Kind.ALL_REDUCE, TimeCategory.COMMUNICATION, arBytes, 0,
                                    DataType.BF16, 0, op.name() + ".all_reduce"));
                            if (fusesEpilogue(arBytes)) {
                                fusedAllReduce = out.size() - 1;
                            }
                        }
                    }
                    default -> out.add(kernel(op));
                }
            }
        }
        if (s == layout.pp() - 1) {
            Op norm = pass.finalNorm();
            if (fusedAllReduce >= 0) {
                out.set(fusedAllReduce, out.get(fusedAllReduce).withEpilogue(kernel(norm).bytes()));
            } else if (pendingResidual != null) {
                out.add(fused(pendingResidual, norm));
            } else {
                split(out, kernel(norm), stack.normKernels(), false);
            }
            pendingResidual = null;
            Op head = pass.lmHead();
            if (head != null) {
                out.add(kernel(head));
                long logits = pass.logitTokens() * model.vocabSize() * Precision.ACTIVATION_BYTES;
                if (collectives && !replicatedLmHead) {
                    out.add(new Piece(Piece.Kind.ALL_GATHER, TimeCategory.COMMUNICATION, logits, 0, DataType.BF16, 0,
                            "lm_head.all_gather"));
                }
                out.add(new Piece(Piece.Kind.KERNEL, TimeCategory.ELEMENTWISE, logits + tokenIdBytes(pass),
                        Math.multiplyExact(logits / Precision.ACTIVATION_BYTES, 6L), DataType.BF16, 0, "sample"));
            }
        } else if (pendingResidual != null) {
            out.add(kernel(pendingResidual));
        }
        return out;
    }

    /** True when an all-reduce of {@code bytes} over a stage runs one-shot or two-shot and the stack fuses into it. */
    private boolean fusesEpilogue(long bytes) {
        if (!stack.fuseAllReduceResidualNorm()) {
            return false;
        }
        var where = cluster.topology().placement(layout.stageGpus(0));
        CollectiveAlgorithm a = cluster.collectives().cost(CollectiveKind.ALL_REDUCE, bytes, where).algorithm();
        return a == CollectiveAlgorithm.ONE_SHOT || a == CollectiveAlgorithm.TWO_SHOT;
    }

    /** {@code p} as {@code k} element-wise kernels; see the class comment for their bytes. */
    private static void split(List<Piece> out, Piece p, int k, boolean halfEach) {
        if (k == 1) {
            out.add(p);
            return;
        }
        long bytes = halfEach ? ceilDiv(p.bytes(), 2) : p.bytes();
        long flops = ceilDiv(p.flops(), k);
        for (int i = 0; i < k; i++) {
            out.add(new Piece(p.kind(), p.category(), bytes, flops, p.type(), 0, p.label() + "." + i));
        }
    }

    /** One of the two GEMMs of an unfused gate/up: half the weights, FLOPs and outputs; the whole input. */
    private Piece half(Piece g, Op op, String suffix) {
        long in = op.activationBytesIn();
        long rest = g.bytes() - in;
        return new Piece(g.kind(), g.category(), in + ceilDiv(rest, 2), ceilDiv(g.flops(), 2), g.type(), 0,
                op.name() + suffix);
    }

    /** The q, k and v projections as three GEMMs, each reading the whole input. */
    private List<Piece> separateQkv(Op op) {
        long w = Math.round(op.weightBytes());
        long in = op.activationBytesIn();
        long outB = op.activationBytesOut();
        int h = model.numHeads();
        int hkv = model.numKvHeads();
        long kvW = ceilDiv(Math.multiplyExact(w - qProjBytes, (long) kvh), hkv);
        long parts = h + 2L * hkv;
        DataType t = type(TensorRole.ATTENTION);
        List<Piece> out = new ArrayList<>(3);
        out.add(new Piece(Piece.Kind.KERNEL, TimeCategory.WEIGHT_READ, ceilDiv(qProjBytes, layout.tp()) + in
                + scale(outB, qh, parts), scale(op.flops(), qh, parts), t, 0, op.name() + ".q"));
        for (String name : new String[] {".k", ".v"}) {
            out.add(new Piece(Piece.Kind.KERNEL, TimeCategory.WEIGHT_READ, ceilDiv(kvW, 2) + in + scale(outB, kvh, parts),
                    scale(op.flops(), kvh, parts), t, 0, op.name() + name));
        }
        return out;
    }

    private Piece fused(Op residual, Op norm) {
        Piece a = kernel(residual);
        Piece b = kernel(norm);
        return new Piece(Piece.Kind.KERNEL, TimeCategory.ELEMENTWISE, a.bytes() + b.bytes(), a.flops() + b.flops(),
                DataType.BF16, 0, norm.name() + "+residual");
    }

    /** The kernel of {@code op} on one GPU of its stage, as one fused kernel. */
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
        return new Piece(Piece.Kind.KERNEL, category, bytes, flops, type, 0, op.name());
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
