/**
 * Decode on the HBM GPU-cluster model: {@link dev.wafersim.workloads.gpu.GpuDecodeSimulator} (the
 * {@code DecodeSimulator} of every GPU system in {@code run.SystemCatalog}) lays the model out over the GPUs
 * ({@link dev.wafersim.workloads.gpu.GpuLayout}: tensor x pipeline parallelism, head split, KV-head
 * replication), checks HBM capacity ({@link dev.wafersim.workloads.gpu.GpuMemoryPlan}), turns every
 * generated token's {@code DecodeStep} into per-GPU programs of kernels, collectives and transfers
 * ({@code GpuDecodeMapping}) and runs them on {@code fabric.gpu.GpuClusterSim}.
 *
 * <p>{@link dev.wafersim.workloads.gpu.GpuDecodeValidation} runs the published end-to-end points
 * (gpt-fast on A100) through it and reports published, simulated, error and band.
 */
package dev.wafersim.workloads.gpu;
