package dev.wafersim.memory.hbm;

import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Does a model fit in the HBM of a number of GPUs, and if not, how many it needs.
 *
 * <p>Arithmetic: on {@code g} GPUs each holds {@code ceil(W/g) + ceil(KV/g) + A} bytes (weights and
 * KV cache split evenly, activations per GPU; see {@link MemoryDemand}), which must not exceed the
 * usable HBM {@code U = capacity - reserve}. Ignoring the ceilings, the smallest count is
 * {@code ceil((W + KV) / (U - A))}; the search starts there and steps up past any count that the
 * rounding or the caller's constraint (e.g. tensor parallelism must divide the head count) rules
 * out. When {@code A >= U} no count helps.
 */
public final class HbmCapacity {
    /** The largest GPU count searched by default. */
    public static final int DEFAULT_MAX_GPUS = 1 << 16;

    private HbmCapacity() {
    }

    /** Checks {@code demand} on {@code gpus} GPUs; any count is allowed as the minimum. */
    public static CapacityCheck check(String device, HbmParams hbm, MemoryDemand demand, int gpus) {
        return check(device, hbm, demand, gpus, g -> true, DEFAULT_MAX_GPUS);
    }

    /**
     * Checks {@code demand} on {@code gpus} GPUs; the reported minimum is the smallest count in
     * [1, maxGpus] accepted by {@code allowed} that holds the demand.
     */
    public static CapacityCheck check(String device, HbmParams hbm, MemoryDemand demand, int gpus,
                                      IntPredicate allowed, int maxGpus) {
        Objects.requireNonNull(device, "device");
        long perGpu = demand.perGpuBytes(gpus);
        return new CapacityCheck(device, demand, gpus, perGpu, hbm.capacityBytes(), hbm.usableBytes(),
                minGpus(hbm, demand, allowed, maxGpus));
    }

    /** The smallest GPU count that holds {@code demand}, or -1 when none does. */
    public static int minGpus(HbmParams hbm, MemoryDemand demand) {
        return minGpus(hbm, demand, g -> true, DEFAULT_MAX_GPUS);
    }

    /**
     * The smallest count in [1, maxGpus] accepted by {@code allowed} that holds {@code demand}, or -1
     * when none does.
     */
    public static int minGpus(HbmParams hbm, MemoryDemand demand, IntPredicate allowed, int maxGpus) {
        Objects.requireNonNull(allowed, "allowed");
        if (maxGpus < 1) {
            throw new IllegalArgumentException("maxGpus must be >= 1, got " + maxGpus);
        }
        long room = hbm.usableBytes() - demand.activationBytesPerGpu();
        if (room <= 0) {
            return -1;
        }
        long sharded = demand.weightBytes() + demand.kvCacheBytes();
        long start = Math.max(1, MemoryDemand.ceilDiv(sharded, room));
        for (long g = start; g <= maxGpus; g++) {
            if (allowed.test((int) g) && demand.perGpuBytes((int) g) <= hbm.usableBytes()) {
                return (int) g;
            }
        }
        return -1;
    }
}
