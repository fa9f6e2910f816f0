package dev.wafersim.fabric.gpu;

import java.util.Objects;

/**
 * A cluster of identical GPUs: the parameters, the topology (nodes of {@code gpu.gpusPerNode} GPUs)
 * and the kernel and collective timing models. Programs are built against a cluster
 * ({@link #newProgram()}) and run on it ({@link #run}).
 */
public final class GpuCluster {
    private final GpuParams params;
    private final GpuTopology topology;
    private final KernelModel kernels;
    private final CollectiveModel collectives;

    /** A cluster of {@code gpuCount} GPUs with the given parameters. */
    public GpuCluster(GpuParams params, int gpuCount) {
        this.params = Objects.requireNonNull(params, "params");
        this.topology = new GpuTopology(gpuCount, params.gpusPerNode());
        this.kernels = new KernelModel(params);
        this.collectives = new CollectiveModel(params);
    }

    /** The parameters. */
    public GpuParams params() {
        return params;
    }

    /** GPUs and nodes. */
    public GpuTopology topology() {
        return topology;
    }

    /** Number of GPUs. */
    public int gpuCount() {
        return topology.gpuCount();
    }

    /** Kernel timing. */
    public KernelModel kernels() {
        return kernels;
    }

    /** Collective and point-to-point timing. */
    public CollectiveModel collectives() {
        return collectives;
    }

    /** A builder for a program on this cluster. */
    public ProgramBuilder newProgram() {
        return new ProgramBuilder(this);
    }

    /** Runs a program built for this cluster on a fresh engine and returns what happened. */
    public GpuRunResult run(GpuProgram program) {
        return new GpuClusterSim(program).run();
    }
}
