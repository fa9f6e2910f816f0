package dev.wafersim.memory.hbm;

import dev.wafersim.core.config.ConfigException;
import java.util.Locale;

/**
 * The result of checking a {@link MemoryDemand} against the HBM of a number of GPUs.
 *
 * @param device         the GPU preset name
 * @param demand         what was checked
 * @param gpus           the GPU count checked
 * @param perGpuBytes    bytes each GPU must hold at that count
 * @param capacityBytes  vendor HBM capacity per GPU
 * @param usableBytes    capacity minus the runtime reserve, per GPU
 * @param minGpus        the smallest allowed GPU count that holds the demand, or -1 when none up to
 *                       the search limit does
 */
public record CapacityCheck(String device, MemoryDemand demand, int gpus, long perGpuBytes, long capacityBytes,
                            long usableBytes, int minGpus) {

    /** True when the demand fits at {@link #gpus()}. */
    public boolean fits() {
        return perGpuBytes <= usableBytes;
    }

    /** Bytes missing per GPU at {@link #gpus()}; 0 when it fits. */
    public long shortfallBytes() {
        return Math.max(0, perGpuBytes - usableBytes);
    }

    /**
     * Returns normally when the demand fits; otherwise throws the {@link ConfigException} whose message
     * is {@link #message()}.
     */
    public void requireFits() {
        if (!fits()) {
            throw new ConfigException(message());
        }
    }

    /**
     * One line saying whether it fits; when it does not, the per-GPU need by part, the usable HBM, the
     * shortfall and the smallest GPU count that would hold it. For example:
     *
     * <pre>
     * Llama-2-70B bf16 does not fit on 1 x a100-80gb: needs 151.00 GB per GPU (weights 140.00 GB +
     * KV cache 10.00 GB + activations 1.00 GB) but 79.00 GB is usable (80.00 GB HBM - 1.00 GB reserved);
     * short by 72.00 GB per GPU; the smallest GPU count that holds it is 2
     * </pre>
     */
    public String message() {
        String head = String.format(Locale.ROOT,
                "%s %s on %d x %s: needs %s per GPU (weights %s + KV cache %s + activations %s), %s is usable (%s HBM - %s reserved)",
                demand.what(), fits() ? "fits" : "does not fit", gpus, device, HbmParams.gb(perGpuBytes),
                HbmParams.gb(MemoryDemand.ceilDiv(demand.weightBytes(), gpus)),
                HbmParams.gb(MemoryDemand.ceilDiv(demand.kvCacheBytes(), gpus)),
                HbmParams.gb(demand.activationBytesPerGpu()), HbmParams.gb(usableBytes),
                HbmParams.gb(capacityBytes), HbmParams.gb(capacityBytes - usableBytes));
        if (fits()) {
            return head;
        }
        String tail = minGpus > 0
                ? "the smallest GPU count that holds it is " + minGpus
                : "no GPU count holds it: the activations per GPU alone need "
                        + HbmParams.gb(demand.activationBytesPerGpu()) + " or no allowed count is large enough";
        return head + String.format(Locale.ROOT, "; short by %s per GPU; %s", HbmParams.gb(shortfallBytes()), tail);
    }
}
