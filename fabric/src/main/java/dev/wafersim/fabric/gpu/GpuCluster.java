package dev.wafersim.fabric.gpu;

import dev.wafersim.memory.hbm.CapacityCheck;
import dev.wafersim.memory.hbm.HbmCapacity;
import dev.wafersim.memory.hbm.MemoryDemand;
import java.util.Objects;
import java.util.function.IntPredicate;

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

    /**
     * Checks whether {@code demand} fits in the HBM of this cluster's GPUs (weights and KV cache split
     * evenly, activations per GPU); {@link CapacityCheck#requireFits()} turns a misfit into a
     * {@code ConfigException} that gives the smallest GPU count that would hold it.
     */
    public CapacityCheck checkCapacity(MemoryDemand demand) {
        return HbmCapacity.check(params.presetName(), params.hbm(), demand, gpuCount());
    }

    /**
     * As {@link #checkCapacity(MemoryDemand)}, with the reported minimum restricted to GPU counts in
     * [1, maxGpus] that {@code allowedGpuCounts} accepts (e.g. counts that divide the KV-head count).
     */
    public CapacityCheck checkCapacity(MemoryDemand demand, IntPredicate allowedGpuCounts, int maxGpus) {
        return HbmCapacity.check(params.presetName(), params.hbm(), demand, gpuCount(), allowedGpuCounts, maxGpus);
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
