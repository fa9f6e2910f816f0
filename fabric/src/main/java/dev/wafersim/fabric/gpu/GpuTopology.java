package dev.wafersim.fabric.gpu;

/**
 * The GPUs of a cluster and their nodes: GPU {@code g} sits in node {@code g / gpusPerNode}. Nodes
 * are filled in order, so a cluster of {@code gpuCount} GPUs spans
 * {@code ceil(gpuCount / gpusPerNode)} nodes.
 *
 * @param gpuCount    GPUs in the cluster, >= 1
 * @param gpusPerNode GPUs per node, >= 1
 */
public record GpuTopology(int gpuCount, int gpusPerNode) {
    public GpuTopology {
        if (gpuCount < 1 || gpusPerNode < 1) {
            throw new IllegalArgumentException("topology needs gpuCount >= 1 and gpusPerNode >= 1, got "
                    + gpuCount + " and " + gpusPerNode);
        }
    }

    /** The node of GPU {@code gpu}. */
    public int node(int gpu) {
        checkGpu(gpu);
        return gpu / gpusPerNode;
    }

    /** Nodes in the cluster. */
    public int nodeCount() {
        return (gpuCount + gpusPerNode - 1) / gpusPerNode;
    }

    /** True when both GPUs are in the same node. */
    public boolean sameNode(int a, int b) {
        return node(a) == node(b);
    }

    /** The placement of a group of distinct GPUs. */
    public GroupPlacement placement(int[] gpus) {
        if (gpus.length == 0) {
            throw new IllegalArgumentException("a group needs at least one GPU");
        }
        int[] perNode = new int[nodeCount()];
        int nodes = 0;
        int max = 0;
        for (int g : gpus) {
            int n = node(g);
            if (perNode[n]++ == 0) {
                nodes++;
            }
            max = Math.max(max, perNode[n]);
        }
        return new GroupPlacement(gpus.length, nodes, max);
    }

    /** Throws when {@code gpu} is not in [0, gpuCount). */
    public void checkGpu(int gpu) {
        if (gpu < 0 || gpu >= gpuCount) {
            throw new IllegalArgumentException("gpu " + gpu + " is not in the cluster of " + gpuCount + " GPUs");
        }
    }
}
