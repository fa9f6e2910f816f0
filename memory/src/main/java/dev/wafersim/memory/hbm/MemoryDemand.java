package dev.wafersim.memory.hbm;

import java.util.Objects;

/**
 * What a model needs in HBM, for the capacity check of {@link HbmCapacity}.
 *
 * <p>Weights and KV cache are totals over the whole machine and are split evenly over the GPUs (tensor
 * or pipeline parallelism shards both); activations are per GPU (each GPU holds its own working
 * buffers whatever the GPU count).
 *
 * @param what                  name of the model or deployment, for messages (e.g. {@code Llama-3.1-70B bf16})
 * @param weightBytes           all weights, in bytes
 * @param kvCacheBytes          the whole KV cache at the planned batch and context, in bytes
 * @param activationBytesPerGpu activation and scratch buffers each GPU holds, in bytes
 */
public record MemoryDemand(String what, long weightBytes, long kvCacheBytes, long activationBytesPerGpu) {
    public MemoryDemand {
        Objects.requireNonNull(what, "what");
        if (weightBytes < 0 || kvCacheBytes < 0 || activationBytesPerGpu < 0) {
            throw new IllegalArgumentException("memory demand must be >= 0 bytes: weights=" + weightBytes
                    + ", kvCache=" + kvCacheBytes + ", activationsPerGpu=" + activationBytesPerGpu);
        }
    }

    /**
     * Bytes one GPU holds when the model is spread over {@code gpus} GPUs:
     * {@code ceil(weights / gpus) + ceil(kvCache / gpus) + activationsPerGpu}.
     */
    public long perGpuBytes(int gpus) {
        if (gpus < 1) {
            throw new IllegalArgumentException("gpu count must be >= 1, got " + gpus);
        }
        return ceilDiv(weightBytes, gpus) + ceilDiv(kvCacheBytes, gpus) + activationBytesPerGpu;
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
