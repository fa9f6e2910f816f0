package dev.wafersim.fabric.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Appends items to one GPU's program, in order (one CUDA stream per GPU). Obtained from
 * {@link ProgramBuilder#gpu(int)}; every method returns {@code this}. Labels name the item in
 * timelines and error messages; {@code null} gives a default label.
 */
public final class StreamBuilder {
    /** One item as written; durations are computed when the program is built. */
    record Item(ItemKind kind, TimeCategory category, long bytes, long flops, DataType type, long fixedPs,
                CommGroup group, CollectiveKind collective, int peer, long epilogueBytes, String label) {
    }

    private final ProgramBuilder owner;
    final int gpu;
    final List<Item> items = new ArrayList<>();

    StreamBuilder(ProgramBuilder owner, int gpu) {
        this.owner = owner;
        this.gpu = gpu;
    }

    /** The GPU this stream belongs to. */
    public int gpuIndex() {
        return gpu;
    }

    /** Items appended so far. */
    public int size() {
        return items.size();
    }

    /**
     * A kernel timed by {@link KernelModel} from the bytes it moves through HBM and its FLOPs.
     *
     * @param category what the kernel does (a kernel category: weight read, KV-cache read, element-wise,
     *                 compute); a kernel whose compute time exceeds its memory time is booked as compute
     * @param bytes    bytes read plus written in HBM
     * @param flops    floating-point operations (multiply-add = 2)
     * @param type     tensor-core data type
     */
    public StreamBuilder kernel(TimeCategory category, long bytes, long flops, DataType type, String label) {
        checkKernelCategory(category);
        Objects.requireNonNull(type, "type");
        if (bytes < 0 || flops < 0) {
            throw new IllegalArgumentException("kernel on gpu " + gpu + ": bytes and flops must be >= 0, got "
                    + bytes + " and " + flops);
        }
        return add(new Item(ItemKind.KERNEL, category, bytes, flops, type, -1, null, null, -1, 0,
                label(label, "kernel")));
    }

    /** A kernel with a given device duration in ps (e.g. from a profile), booked to {@code category}. */
    public StreamBuilder kernelFixed(TimeCategory category, long durationPs, String label) {
        checkKernelCategory(category);
        if (durationPs < 0) {
            throw new IllegalArgumentException("kernel on gpu " + gpu + ": duration must be >= 0 ps, got " + durationPs);
        }
        return add(new Item(ItemKind.KERNEL, category, 0, 0, DataType.BF16, durationPs, null, null, -1, 0,
                label(label, "kernel")));
    }

    /** An all-reduce of {@code bytes} (the buffer size) over {@code group}, which must contain this GPU. */
    public StreamBuilder allReduce(CommGroup group, long bytes, String label) {
        return collective(CollectiveKind.ALL_REDUCE, group, bytes, 0, label);
    }

    /**
     * An all-reduce whose kernel also runs an element-wise epilogue on the reduced buffer (the residual add
     * and RMSNorm TensorRT-LLM fuses into its one-shot and two-shot kernels): the collective's time plus
     * {@code epilogueBytes} of HBM traffic at the sustained rate (no extra kernel ramp).
     */
    public StreamBuilder allReduce(CommGroup group, long bytes, long epilogueBytes, String label) {
        if (epilogueBytes < 0) {
            throw new IllegalArgumentException("all-reduce on gpu " + gpu + ": epilogue bytes must be >= 0, got "
                    + epilogueBytes);
        }
        return collective(CollectiveKind.ALL_REDUCE, group, bytes, epilogueBytes, label);
    }

    /** An all-gather whose gathered output is {@code bytes} in total. */
    public StreamBuilder allGather(CommGroup group, long bytes, String label) {
        return collective(CollectiveKind.ALL_GATHER, group, bytes, 0, label);
    }

    /** A reduce-scatter whose input is {@code bytes} in total. */
    public StreamBuilder reduceScatter(CommGroup group, long bytes, String label) {
        return collective(CollectiveKind.REDUCE_SCATTER, group, bytes, 0, label);
    }

    /** A collective of the given kind over {@code group}, which must contain this GPU. */
    public StreamBuilder collective(CollectiveKind kind, CommGroup group, long bytes, String label) {
        return collective(kind, group, bytes, 0, label);
    }

    private StreamBuilder collective(CollectiveKind kind, CommGroup group, long bytes, long epilogueBytes,
                                     String label) {
        Objects.requireNonNull(kind, "kind");
        owner.ownGroup(Objects.requireNonNull(group, "group"));
        if (!group.contains(gpu)) {
            throw new IllegalArgumentException("gpu " + gpu + " calls a collective on " + group
                    + " but is not a member");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("collective on gpu " + gpu + ": bytes must be >= 0, got " + bytes);
        }
        String def = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " " + group.name();
        return add(new Item(ItemKind.COLLECTIVE, TimeCategory.COMMUNICATION, bytes, 0, DataType.BF16, -1, group, kind,
                -1, epilogueBytes, label(label, def)));
    }

    /** Sends {@code bytes} to GPU {@code dst} (NVLink in a node, InfiniBand across nodes). */
    public StreamBuilder send(int dst, long bytes, String label) {
        checkPeer(dst, bytes);
        return add(new Item(ItemKind.SEND, TimeCategory.COMMUNICATION, bytes, 0, DataType.BF16, -1, null, null, dst,
                0, label(label, "send to gpu " + dst)));
    }

    /** Receives the matching message of {@code bytes} from GPU {@code src}. */
    public StreamBuilder recv(int src, long bytes, String label) {
        checkPeer(src, bytes);
        return add(new Item(ItemKind.RECV, TimeCategory.COMMUNICATION, bytes, 0, DataType.BF16, -1, null, null, src,
                0, label(label, "recv from gpu " + src)));
    }

    /**
     * The host waits until this GPU has finished everything appended before (end of a decode step:
     * the sampled token is copied to the host). With CUDA graphs, the next item starts a new graph.
     */
    public StreamBuilder hostSync(String label) {
        return add(new Item(ItemKind.HOST_SYNC, null, 0, 0, DataType.BF16, -1, null, null, -1, 0,
                label(label, "host sync")));
    }

    private void checkKernelCategory(TimeCategory category) {
        Objects.requireNonNull(category, "category");
        if (!category.isKernelCategory()) {
            throw new IllegalArgumentException("a kernel's category must be a kernel category "
                    + "(WEIGHT_READ, KV_CACHE_READ, ELEMENTWISE, COMPUTE), got " + category);
        }
    }

    private void checkPeer(int peer, long bytes) {
        owner.cluster().topology().checkGpu(peer);
        if (peer == gpu) {
            throw new IllegalArgumentException("gpu " + gpu + " cannot send to or receive from itself");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("message on gpu " + gpu + ": bytes must be >= 0, got " + bytes);
        }
    }

    private StreamBuilder add(Item it) {
        owner.checkOpen();
        items.add(it);
        return this;
    }

    private static String label(String given, String fallback) {
        return given != null ? given : fallback;
    }
}
