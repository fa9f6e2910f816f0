/**
 * The HBM GPU-cluster machine model: GPU presets ({@link dev.wafersim.fabric.gpu.GpuPresets},
 * {@link dev.wafersim.fabric.gpu.GpuParams}), software-stack presets ({@link dev.wafersim.fabric.gpu.GpuStacks},
 * {@link dev.wafersim.fabric.gpu.GpuStack}: launches, fusions, all-reduce algorithms), kernel timing
 * ({@link dev.wafersim.fabric.gpu.KernelModel}), collective and point-to-point timing
 * ({@link dev.wafersim.fabric.gpu.CollectiveModel}: NCCL ring and tree, one-shot, two-shot and NVLS all-reduce),
 * and a discrete-event simulation with one timeline per GPU ({@link dev.wafersim.fabric.gpu.GpuClusterSim}).
 *
 * <p>How a workload mapping uses it:
 * <ol>
 *   <li>{@code GpuCluster cluster = new GpuCluster(GpuPresets.params("h100-sxm"), 16);}</li>
 *   <li>{@code cluster.checkCapacity(new MemoryDemand(...)).requireFits();} (HBM capacity; the error
 *       gives the smallest GPU count that holds the model);</li>
 *   <li>{@code ProgramBuilder b = cluster.newProgram();} declare groups ({@code b.group("tp0", 0, 1, 2, 3)}),
 *       then per GPU append kernels (category, bytes, FLOPs, data type; or a fixed duration),
 *       collectives over groups, sends and receives between GPUs, and host syncs;</li>
 *   <li>{@code GpuRunResult r = cluster.run(b.build());} gives the wall time, each GPU's timeline, and
 *       each GPU's time per {@link dev.wafersim.fabric.gpu.TimeCategory} (weight reads, KV-cache reads,
 *       element-wise, compute, communication, launch, idle), which sums to the wall time.</li>
 * </ol>
 *
 * <p>{@link dev.wafersim.fabric.gpu.GpuCalibration} lists every published measurement the model is
 * calibrated or checked against, with the model's value and error.
 */
package dev.wafersim.fabric.gpu;
