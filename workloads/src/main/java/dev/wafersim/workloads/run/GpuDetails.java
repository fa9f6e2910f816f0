package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a GPU-cluster decode run reports about its machine.
 *
 * @param gpus                       GPUs in the layout
 * @param tp                         tensor-parallel degree
 * @param pp                         pipeline-parallel stages
 * @param nodes                      nodes the GPUs span
 * @param layout                     {@code searched} (the fastest of {@code --gpus auto}), {@code auto} (the
 *                                   smallest that fits) or {@code given}
 * @param stack                      the software stack ({@code eager}, {@code cuda-graphs}, {@code compiled},
 *                                   {@code trtllm})
 * @param allReduce                  the algorithm of the decode all-reduce ({@code one-shot}, {@code nvls}, ...;
 *                                   {@code none} without tensor parallelism)
 * @param cudaGraphs                 whether each GPU's step was replayed as a CUDA graph
 * @param computeType                tensor-core type of the quantized weight matmuls ({@code bf16}, {@code fp8})
 * @param lmHead                     {@code vocab-parallel} or {@code replicated}
 * @param criticalGpu                the GPU whose breakdown the result reports (least idle time)
 * @param itemsPerTokenOnCriticalGpu kernels, collectives and transfers of one step on that GPU
 * @param hbmBytesUsedPerGpu         HBM in use on the fullest GPU, bytes
 * @param hbmBytesUsablePerGpu       HBM available to the model per GPU, bytes
 * @param weightBytesPerGpu          weights on the fullest stage's GPU, bytes
 * @param kvCacheBytesPerGpu         KV cache there after the last token, bytes
 * @param activationBytesPerGpu      activation buffers there, bytes
 * @param layoutsTried               layouts the search looked at; null without a search
 * @param layoutsFit                 of those, layouts that hold the model; null without a search
 */
public record GpuDetails(int gpus, int tp, int pp, int nodes, String layout, String stack, String allReduce,
                         boolean cudaGraphs, String computeType, String lmHead, int criticalGpu,
                         int itemsPerTokenOnCriticalGpu, long hbmBytesUsedPerGpu, long hbmBytesUsablePerGpu,
                         long weightBytesPerGpu, long kvCacheBytesPerGpu, long activationBytesPerGpu,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer layoutsTried,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer layoutsFit) implements MachineDetails {
    @Override
    public SystemKind kind() {
        return SystemKind.GPU;
    }
}
