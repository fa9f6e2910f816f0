package dev.wafersim.fabric.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link GpuProgram}: one stream of items per GPU. This is the target of the op-graph
 * mapping: a decode step becomes, per GPU, kernels (by bytes and FLOPs or by duration), collectives
 * over communication groups and sends/receives between pipeline stages.
 *
 * <pre>
 * ProgramBuilder b = cluster.newProgram();
 * CommGroup tp = b.group("tp0", 0, 1, 2, 3);
 * for (int g : tp.gpus()) {
 *     b.gpu(g).kernel(TimeCategory.WEIGHT_READ, qkvBytes, qkvFlops, DataType.BF16, "l0.qkv")
 *             .allReduce(tp, hiddenBytes, "l0.attn.ar");
 * }
 * GpuProgram p = b.build();          // checks that every group's members call the same collectives
 * GpuRunResult r = cluster.run(p);
 * </pre>
 *
 * <p>Matching rules, checked by {@link #build()}: the k-th collective a member calls on a group is
 * the same collective for every member (same kind and size); the k-th send from GPU a to GPU b
 * matches the k-th receive on b from a (same size). Violations are {@link IllegalArgumentException}s
 * naming the group or the pair.
 */
public final class ProgramBuilder {
    private final GpuCluster cluster;
    private final List<CommGroup> groups = new ArrayList<>();
    private final Set<String> groupNames = new HashSet<>();
    private final StreamBuilder[] streams;
    private boolean built;

    ProgramBuilder(GpuCluster cluster) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.streams = new StreamBuilder[cluster.gpuCount()];
        for (int g = 0; g < streams.length; g++) {
            streams[g] = new StreamBuilder(this, g);
        }
    }

    /** The cluster the program is for. */
    public GpuCluster cluster() {
        return cluster;
    }

    /**
     * Declares a communication group of distinct GPUs.
     *
     * @throws IllegalArgumentException for an empty, duplicate or out-of-range member list, or a name
     *                                  already used
     */
    public CommGroup group(String name, int... gpus) {
        Objects.requireNonNull(name, "name");
        checkOpen();
        if (!groupNames.add(name)) {
            throw new IllegalArgumentException("group name '" + name + "' is used twice");
        }
        if (gpus.length == 0) {
            throw new IllegalArgumentException("group '" + name + "' has no GPUs");
        }
        Set<Integer> seen = new HashSet<>();
        for (int g : gpus) {
            cluster.topology().checkGpu(g);
            if (!seen.add(g)) {
                throw new IllegalArgumentException("group '" + name + "' names gpu " + g + " twice");
            }
        }
        CommGroup grp = new CommGroup(groups.size(), name, gpus, cluster.topology().placement(gpus));
        groups.add(grp);
        return grp;
    }

    /** The stream of GPU {@code gpu}, to append items to. */
    public StreamBuilder gpu(int gpu) {
        cluster.topology().checkGpu(gpu);
        return streams[gpu];
    }

    /** Appends the same all-reduce to every member of {@code group}. */
    public ProgramBuilder allReduce(CommGroup group, long bytes, String label) {
        for (int i = 0; i < group.size(); i++) {
            streams[group.gpu(i)].allReduce(group, bytes, label);
        }
        return this;
    }

    void checkOpen() {
        if (built) {
            throw new IllegalStateException("the program was already built");
        }
    }

    CommGroup ownGroup(CommGroup g) {
        if (g.id() >= groups.size() || groups.get(g.id()) != g) {
            throw new IllegalArgumentException(g + " belongs to another program");
        }
        return g;
    }

    /**
     * Checks the matching rules, computes every item's duration with the cluster's models and returns
     * the program. The builder cannot be used afterwards.
     */
    public GpuProgram build() {
        checkOpen();
        checkCollectives();
        Map<Long, Integer> channels = checkChannels();
        built = true;
        return GpuProgram.compile(cluster, groups, streams, channels);
    }

    private void checkCollectives() {
        for (CommGroup grp : groups) {
            List<StreamBuilder.Item> first = null;
            int firstGpu = -1;
            for (int i = 0; i < grp.size(); i++) {
                int g = grp.gpu(i);
                List<StreamBuilder.Item> calls = new ArrayList<>();
                for (StreamBuilder.Item it : streams[g].items) {
                    if (it.kind() == ItemKind.COLLECTIVE && it.group() == grp) {
                        calls.add(it);
                    }
                }
                if (first == null) {
                    first = calls;
                    firstGpu = g;
                    continue;
                }
                if (calls.size() != first.size()) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "%s: gpu %d calls %d collectives on it but gpu %d calls %d",
                            grp, g, calls.size(), firstGpu, first.size()));
                }
                for (int k = 0; k < calls.size(); k++) {
                    StreamBuilder.Item a = first.get(k);
                    StreamBuilder.Item b = calls.get(k);
                    if (a.collective() != b.collective() || a.bytes() != b.bytes()) {
                        throw new IllegalArgumentException(String.format(Locale.ROOT,
                                "%s, collective #%d: gpu %d calls %s of %d bytes ('%s') but gpu %d calls %s of %d bytes ('%s')",
                                grp, k, firstGpu, a.collective(), a.bytes(), a.label(), g, b.collective(), b.bytes(),
                                b.label()));
                    }
                }
            }
        }
    }

    /** Maps each (src, dst) pair that has messages to a channel index, after checking the matching. */
    private Map<Long, Integer> checkChannels() {
        Map<Long, List<StreamBuilder.Item>> sends = new HashMap<>();
        Map<Long, List<StreamBuilder.Item>> recvs = new HashMap<>();
        List<Long> order = new ArrayList<>();
        for (StreamBuilder s : streams) {
            for (StreamBuilder.Item it : s.items) {
                if (it.kind() == ItemKind.SEND || it.kind() == ItemKind.RECV) {
                    int src = it.kind() == ItemKind.SEND ? s.gpu : it.peer();
                    int dst = it.kind() == ItemKind.SEND ? it.peer() : s.gpu;
                    long key = pairKey(src, dst);
                    if (!sends.containsKey(key)) {
                        sends.put(key, new ArrayList<>());
                        recvs.put(key, new ArrayList<>());
                        order.add(key);
                    }
                    (it.kind() == ItemKind.SEND ? sends : recvs).get(key).add(it);
                }
            }
        }
        Map<Long, Integer> channels = new HashMap<>();
        for (long key : order) {
            int src = (int) (key >>> 32);
            int dst = (int) key;
            List<StreamBuilder.Item> s = sends.get(key);
            List<StreamBuilder.Item> r = recvs.get(key);
            if (s.size() != r.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "gpu %d sends %d messages to gpu %d but gpu %d receives %d from gpu %d",
                        src, s.size(), dst, dst, r.size(), src));
            }
            for (int k = 0; k < s.size(); k++) {
                if (s.get(k).bytes() != r.get(k).bytes()) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "message #%d from gpu %d to gpu %d: the send ('%s') has %d bytes but the receive ('%s') expects %d",
                            k, src, dst, s.get(k).label(), s.get(k).bytes(), r.get(k).label(), r.get(k).bytes()));
                }
            }
            channels.put(key, channels.size());
        }
        return channels;
    }

    static long pairKey(int src, int dst) {
        return ((long) src << 32) | (dst & 0xffffffffL);
    }
}
