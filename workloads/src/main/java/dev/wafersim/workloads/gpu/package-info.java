/**
 * Decode on the HBM GPU-cluster model: {@link dev.wafersim.workloads.gpu.GpuDecodeSimulator} (the
 * {@code DecodeSimulator} of every GPU system in {@code run.SystemCatalog}) lays the model out over the GPUs
 * ({@link dev.wafersim.workloads.gpu.GpuLayout}: tensor x pipeline parallelism, head split, KV-head
 * replication), checks HBM capacity ({@link dev.wafersim.workloads.gpu.GpuMemoryPlan}), turns every
 * generated token's {@code DecodeStep} into per-GPU programs of kernels, collectives and transfers as the
 * configured software stack runs them ({@code GpuDecodeMapping}) and runs them on
 * {@code fabric.gpu.GpuClusterSim}; with {@code --gpus auto} it searches the layout.
 * {@link dev.wafersim.workloads.gpu.GpuStepModel} does the same for any forward pass
 * ({@code step.ForwardBatch}: prefill chunks, mixed batches) for serving replays and time to first token.
 *
 * <p>{@link dev.wafersim.workloads.gpu.GpuDecodeValidation} and
 * {@link dev.wafersim.workloads.gpu.GpuPrefillValidation} run the published end-to-end points through them
 * and report published, simulated, error, band and whether the point was fitted or held out.
 */
package dev.wafersim.workloads.gpu;
