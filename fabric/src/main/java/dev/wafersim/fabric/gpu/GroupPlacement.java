package dev.wafersim.fabric.gpu;

/**
 * Where the members of a collective sit: how many GPUs, over how many nodes, and the most members in
 * any one node. This is all the collective cost depends on (NVSwitch joins every pair inside a node
 * at the same rate; nodes are joined by InfiniBand).
 *
 * @param gpus           members, >= 1
 * @param nodes          nodes that hold at least one member, in [1, gpus]
 * @param maxGpusPerNode the largest number of members in one node, in [ceil(gpus/nodes), gpus]
 */
public record GroupPlacement(int gpus, int nodes, int maxGpusPerNode) {
    public GroupPlacement {
        if (gpus < 1 || nodes < 1 || nodes > gpus) {
            throw new IllegalArgumentException("group placement needs 1 <= nodes <= gpus, got gpus=" + gpus
                    + ", nodes=" + nodes);
        }
        if (maxGpusPerNode < (gpus + nodes - 1) / nodes || maxGpusPerNode > gpus - (nodes - 1)) {
            throw new IllegalArgumentException("group placement: maxGpusPerNode=" + maxGpusPerNode
                    + " is impossible for " + gpus + " GPUs on " + nodes + " nodes");
        }
    }

    /** {@code gpus} GPUs in one node. */
    public static GroupPlacement intraNode(int gpus) {
        return new GroupPlacement(gpus, 1, gpus);
    }

    /** {@code gpus} GPUs spread evenly over {@code nodes} nodes. */
    public static GroupPlacement spread(int gpus, int nodes) {
        return new GroupPlacement(gpus, nodes, (gpus + nodes - 1) / nodes);
    }

    /** True when every member is in one node. */
    public boolean isIntraNode() {
        return nodes == 1;
    }
}
