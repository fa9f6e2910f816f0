package dev.wafersim.fabric.gpu;

import java.util.List;
import java.util.Map;

/**
 * A built program: per GPU, its items in order with their durations already computed by the
 * cluster's kernel and collective models, held in primitive arrays so that the simulation touches no
 * objects per event. Made by {@link ProgramBuilder#build()}; run with {@link GpuCluster#run}.
 */
public final class GpuProgram {
    static final byte KERNEL = 0;
    static final byte COLLECTIVE = 1;
    static final byte SEND = 2;
    static final byte RECV = 3;
    static final byte HOST_SYNC = 4;

    final GpuCluster cluster;
    final List<CommGroup> groups;
    /** Per GPU, per item: one of the byte constants above. */
    final byte[][] kind;
    /** Per GPU, per item: the {@link TimeCategory} ordinal the item's busy time is booked to. */
    final byte[][] category;
    /** Per GPU, per item: device time of a kernel, collective or send, in ps; 0 for others. */
    final long[][] durationPs;
    /** Per GPU, per item: group id (collective) or channel id (send, receive); -1 otherwise. */
    final int[][] ref;
    /** Per GPU, per item: message index within its channel (send, receive); -1 otherwise. */
    final int[][] seq;
    final String[][] label;
    final int[] channelSrc;
    final int[] channelDst;
    final int[] channelMessages;

    private GpuProgram(GpuCluster cluster, List<CommGroup> groups, int gpus, int channels) {
        this.cluster = cluster;
        this.groups = List.copyOf(groups);
        this.kind = new byte[gpus][];
        this.category = new byte[gpus][];
        this.durationPs = new long[gpus][];
        this.ref = new int[gpus][];
        this.seq = new int[gpus][];
        this.label = new String[gpus][];
        this.channelSrc = new int[channels];
        this.channelDst = new int[channels];
        this.channelMessages = new int[channels];
    }

    static GpuProgram compile(GpuCluster cluster, List<CommGroup> groups, StreamBuilder[] streams,
                              Map<Long, Integer> channels) {
        GpuProgram p = new GpuProgram(cluster, groups, streams.length, channels.size());
        for (Map.Entry<Long, Integer> e : channels.entrySet()) {
            p.channelSrc[e.getValue()] = (int) (e.getKey() >>> 32);
            p.channelDst[e.getValue()] = (int) (long) e.getKey();
        }
        int[] sendSeq = new int[channels.size()];
        int[] recvSeq = new int[channels.size()];
        KernelModel km = cluster.kernels();
        CollectiveModel cm = cluster.collectives();
        for (int g = 0; g < streams.length; g++) {
            List<StreamBuilder.Item> items = streams[g].items;
            int n = items.size();
            p.kind[g] = new byte[n];
            p.category[g] = new byte[n];
            p.durationPs[g] = new long[n];
            p.ref[g] = new int[n];
            p.seq[g] = new int[n];
            p.label[g] = new String[n];
            for (int i = 0; i < n; i++) {
                StreamBuilder.Item it = items.get(i);
                p.label[g][i] = it.label();
                p.ref[g][i] = -1;
                p.seq[g][i] = -1;
                TimeCategory cat = TimeCategory.COMMUNICATION;
                switch (it.kind()) {
                    case KERNEL -> {
                        p.kind[g][i] = KERNEL;
                        cat = it.category();
                        if (it.fixedPs() >= 0) {
                            p.durationPs[g][i] = it.fixedPs();
                        } else {
                            p.durationPs[g][i] = km.durationPs(it.bytes(), it.flops(), it.type());
                            if (km.isComputeBound(it.bytes(), it.flops(), it.type())) {
                                cat = TimeCategory.COMPUTE;
                            }
                        }
                    }
                    case COLLECTIVE -> {
                        p.kind[g][i] = COLLECTIVE;
                        p.ref[g][i] = it.group().id();
                        p.durationPs[g][i] = cm.timePs(it.collective(), it.bytes(), it.group().placement())
                                + (it.epilogueBytes() > 0 ? km.memoryTimePs(it.epilogueBytes()) : 0);
                    }
                    case SEND -> {
                        int c = channels.get(ProgramBuilder.pairKey(g, it.peer()));
                        p.kind[g][i] = SEND;
                        p.ref[g][i] = c;
                        p.seq[g][i] = sendSeq[c]++;
                        p.durationPs[g][i] = cm.p2pTimePs(it.bytes(), cluster.topology().sameNode(g, it.peer()));
                    }
                    case RECV -> {
                        int c = channels.get(ProgramBuilder.pairKey(it.peer(), g));
                        p.kind[g][i] = RECV;
                        p.ref[g][i] = c;
                        p.seq[g][i] = recvSeq[c]++;
                    }
                    case HOST_SYNC -> p.kind[g][i] = HOST_SYNC;
                    default -> throw new IllegalStateException("unknown item kind " + it.kind());
                }
                p.category[g][i] = (byte) cat.ordinal();
            }
        }
        System.arraycopy(sendSeq, 0, p.channelMessages, 0, sendSeq.length);
        return p;
    }

    /** The cluster the program was built for. */
    public GpuCluster cluster() {
        return cluster;
    }

    /** Number of GPUs. */
    public int gpuCount() {
        return kind.length;
    }

    /** Items in GPU {@code gpu}'s program. */
    public int itemCount(int gpu) {
        return kind[gpu].length;
    }

    /** The communication groups. */
    public List<CommGroup> groups() {
        return groups;
    }

    /** Kind of item {@code i} of GPU {@code gpu}. */
    public ItemKind kind(int gpu, int i) {
        return ItemKind.values()[kind[gpu][i]];
    }

    /** Label of item {@code i} of GPU {@code gpu}. */
    public String label(int gpu, int i) {
        return label[gpu][i];
    }

    /**
     * Device time of item {@code i} of GPU {@code gpu} in ps, as the models give it: a kernel's
     * duration, a collective's cost, a send's transfer time; 0 for receives and host syncs, whose
     * time depends on the other side.
     */
    public long durationPs(int gpu, int i) {
        return durationPs[gpu][i];
    }

    /** The category item {@code i}'s busy time is booked to; {@code null} for a host sync. */
    public TimeCategory category(int gpu, int i) {
        return kind[gpu][i] == HOST_SYNC ? null : TimeCategory.of(category[gpu][i]);
    }
}
