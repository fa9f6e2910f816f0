package dev.wafersim.memory.hbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class HbmModelTest {
    /** A100 80GB figures: 80 GB, 1 GB reserved, 2.039 TB/s peak, effMax 0.78, ramp 4.4 us. */
    static final HbmParams A100 = new HbmParams(80_000_000_000L, 1_000_000_000L, 2.039e12, 0.78, 4_400_000L);

    @Test
    void transferTime_largeStream_reachesConfiguredSustainedBandwidth() {
        HbmModel hbm = new HbmModel("a100", A100);
        long bytes = 100_000_000_000L; // 100 GB
        // Sustained rate = 0.78 * 2.039e12 = 1.59042e12 B/s; without the ramp the stream runs exactly at it.
        double sustained = 0.78 * 2.039e12;
        long t = hbm.transferTimePs(bytes);
        assertEquals(sustained, bytes / ((t - 4_400_000L) / 1e12), sustained * 1e-9);
        // With the ramp: B_half = 4.4e-6 s * 1.59042e12 B/s = 6,997,848 B, so 100 GB reaches
        // 1e11 / (1e11 + 6,997,848) = 99.993% of the sustained rate.
        assertEquals(sustained * 1e11 / (1e11 + 6_997_848.0), hbm.achievedBandwidthBytesPerSec(bytes), sustained * 1e-7);
    }

    @Test
    void efficiency_atHalfEfficiencyBytes_isHalfOfEffMax() {
        HbmModel hbm = new HbmModel("a100", A100);
        // B_half = t0 * effMax * peak = 4.4e-6 * 0.78 * 2.039e12 = 6,997,848 bytes.
        assertEquals(6_997_848.0, hbm.halfEfficiencyBytes(), 1e-3);
        assertEquals(0.78 / 2, hbm.efficiency(6_997_848L), 1e-6);
        // eff(B) = effMax * B / (B + B_half): at 3 B_half, 3/4 of effMax.
        assertEquals(0.78 * 0.75, hbm.efficiency(3 * 6_997_848L), 1e-6);
    }

    @Test
    void transferTime_zeroBytes_isTheRampAlone() {
        assertEquals(4_400_000L, new HbmModel("a100", A100).transferTimePs(0));
    }

    @Test
    void allocate_beyondUsableCapacity_errorNamesRegionAndShortfall() {
        HbmModel hbm = new HbmModel("a100-80gb gpu 0", A100);
        hbm.allocate("weights", 70_000_000_000L);
        assertEquals(9_000_000_000L, hbm.freeBytes()); // 80 - 1 reserved - 70
        ConfigException ex = assertThrows(ConfigException.class, () -> hbm.allocate("kv-cache", 10_000_000_000L));
        // Needs 10 GB, 9 GB free: short by 1 GB.
        assertEquals("a100-80gb gpu 0: HBM region 'kv-cache' needs 10.00 GB but only 9.00 GB of 79.00 GB usable are "
                + "free (70.00 GB in use: weights 70.00 GB); short by 1.00 GB (1000000000 bytes)", ex.getMessage());
        assertEquals(70_000_000_000L, hbm.usedBytes());
        hbm.allocate("kv-cache", 9_000_000_000L);
        assertEquals(0, hbm.freeBytes());
        hbm.free("weights");
        assertEquals(70_000_000_000L, hbm.freeBytes());
    }

    @Test
    void allocate_duplicateOrUnknownRegion_rejected() {
        HbmModel hbm = new HbmModel("a100", A100);
        hbm.allocate("weights", 1);
        assertThrows(IllegalArgumentException.class, () -> hbm.allocate("weights", 1));
        assertThrows(IllegalArgumentException.class, () -> hbm.free("activations"));
    }

    @Test
    void params_reserveNotBelowCapacity_configExceptionNamesKey() {
        ConfigException ex = assertThrows(ConfigException.class,
                () -> new HbmParams(80_000_000_000L, 80_000_000_000L, 2.039e12, 0.78, 0));
        assertTrue(ex.getMessage().contains(HbmParams.RESERVED_GB), ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> new HbmParams(80_000_000_000L, 0, 2.039e12, 1.2, 0));
        assertTrue(ex.getMessage().contains(HbmParams.STREAM_EFFICIENCY), ex.getMessage());
    }
}
