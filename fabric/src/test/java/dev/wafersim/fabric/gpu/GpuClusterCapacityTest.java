package dev.wafersim.fabric.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.memory.hbm.CapacityCheck;
import dev.wafersim.memory.hbm.MemoryDemand;
import org.junit.jupiter.api.Test;

class GpuClusterCapacityTest {
    static final long GB = 1_000_000_000L;

    @Test
    void checkCapacity_405bOnH100_minimumCountHandComputed() {
        // 405B parameters in bf16 = 810 GB of weights, 40 GB KV cache, 2 GB activations per GPU; an H100
        // holds 80 - 1 = 79 GB: (810 + 40) / (79 - 2) = 11.04, so 12 GPUs (67.5 + 3.33 + 2 = 72.8 GB each).
        // Restricted to powers of two (tensor parallelism over 8 KV heads and beyond): 16.
        MemoryDemand d = new MemoryDemand("Llama-3.1-405B bf16", 810 * GB, 40 * GB, 2 * GB);
        GpuCluster eight = new GpuCluster(GpuPresets.params("h100-sxm"), 8);
        CapacityCheck c = eight.checkCapacity(d);
        assertEquals(12, c.minGpus());
        // On 8 GPUs: 101.25 + 5 + 2 = 108.25 GB per GPU, short by 29.25 GB.
        assertEquals(108_250_000_000L, c.perGpuBytes());
        assertEquals(29_250_000_000L, c.shortfallBytes());
        ConfigException ex = assertThrows(ConfigException.class, c::requireFits);
        assertTrue(ex.getMessage().startsWith("Llama-3.1-405B bf16 does not fit on 8 x h100-sxm: needs 108.25 GB per GPU"),
                ex.getMessage());
        assertTrue(ex.getMessage().endsWith("short by 29.25 GB per GPU; the smallest GPU count that holds it is 12"),
                ex.getMessage());
        assertEquals(16, eight.checkCapacity(d, g -> Integer.bitCount(g) == 1, 1024).minGpus());
    }

    @Test
    void checkCapacity_biggerHbm_fitsOnFewerGpus() {
        // 140 + 10 GB, 1 GB activations: on a B200 (179 GB usable) one GPU holds 151 GB.
        MemoryDemand d = new MemoryDemand("Llama-2-70B bf16", 140 * GB, 10 * GB, GB);
        new GpuCluster(GpuPresets.params("b200"), 1).checkCapacity(d).requireFits();
        assertEquals(2, new GpuCluster(GpuPresets.params("a100-80gb"), 1).checkCapacity(d).minGpus());
    }
}
