package dev.wafersim.memory.hbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class HbmCapacityTest {
    static final HbmParams A100 = HbmModelTest.A100; // 80 GB, 1 GB reserved: 79 GB usable
    static final long GB = 1_000_000_000L;

    @Test
    void check_modelTooLarge_minimumGpuCountHandComputed() {
        // 140 GB weights + 10 GB KV cache, 1 GB activations per GPU, on 79 GB usable:
        // 1 GPU needs 151 GB (short by 72 GB); g >= 150 / (79 - 1) = 1.92, so 2 GPUs: 75 + 1 = 76 GB <= 79.
        MemoryDemand d = new MemoryDemand("Llama-2-70B bf16", 140 * GB, 10 * GB, GB);
        CapacityCheck c = HbmCapacity.check("a100-80gb", A100, d, 1);
        assertFalse(c.fits());
        assertEquals(151 * GB, c.perGpuBytes());
        assertEquals(72 * GB, c.shortfallBytes());
        assertEquals(2, c.minGpus());
        ConfigException ex = assertThrows(ConfigException.class, c::requireFits);
        assertEquals("Llama-2-70B bf16 does not fit on 1 x a100-80gb: needs 151.00 GB per GPU (weights 140.00 GB + "
                + "KV cache 10.00 GB + activations 1.00 GB), 79.00 GB is usable (80.00 GB HBM - 1.00 GB reserved); "
                + "short by 72.00 GB per GPU; the smallest GPU count that holds it is 2", ex.getMessage());
        assertTrue(HbmCapacity.check("a100-80gb", A100, d, 2).fits());
    }

    @Test
    void minGpus_perGpuRounding_stepsPastTheRealBound() {
        // 79 usable bytes; weights 157 B, KV 1 B: (157 + 1) / 79 = 2 GPUs by the real bound, but
        // ceil(157/2) + ceil(1/2) = 79 + 1 = 80 > 79; 3 GPUs hold ceil(157/3) + 1 = 54.
        HbmParams tiny = new HbmParams(100, 21, 1e9, 1, 0);
        assertEquals(3, HbmCapacity.minGpus(tiny, new MemoryDemand("toy", 157, 1, 0)));
    }

    @Test
    void minGpus_powerOfTwoConstraint_roundsUpToAllowedCount() {
        // 300 GB + 20 GB over (79 - 2) GB of room: 320 / 77 = 4.16, so 5 GPUs (64 + 4 + 2 = 70 GB);
        // tensor parallelism restricted to powers of two: 8.
        MemoryDemand d = new MemoryDemand("405B-ish", 300 * GB, 20 * GB, 2 * GB);
        assertEquals(5, HbmCapacity.minGpus(A100, d));
        assertEquals(8, HbmCapacity.minGpus(A100, d, g -> Integer.bitCount(g) == 1, 1024));
        assertEquals(-1, HbmCapacity.minGpus(A100, d, g -> Integer.bitCount(g) == 1, 4));
    }

    @Test
    void check_activationsAloneExceedHbm_noGpuCountHolds() {
        MemoryDemand d = new MemoryDemand("huge batch", GB, 0, 80 * GB);
        CapacityCheck c = HbmCapacity.check("a100-80gb", A100, d, 8);
        assertEquals(-1, c.minGpus());
        assertTrue(c.message().contains("no GPU count holds it"), c.message());
    }

    @Test
    void check_fits_messageSaysFits() {
        CapacityCheck c = HbmCapacity.check("a100-80gb", A100, new MemoryDemand("7B", 14 * GB, GB, GB), 1);
        assertTrue(c.fits());
        assertEquals(0, c.shortfallBytes());
        assertEquals(1, c.minGpus());
        c.requireFits();
        assertTrue(c.message().startsWith("7B fits on 1 x a100-80gb: needs 16.00 GB per GPU"), c.message());
    }
}
