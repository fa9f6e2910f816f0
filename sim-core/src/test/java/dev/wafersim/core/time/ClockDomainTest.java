package dev.wafersim.core.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClockDomainTest {

    @Test
    void fromGHz_presetFrequencies_roundToNearestPicosecond() {
        // 1000 / 0.875 = 1142.857 -> 1143; 1000 / 0.85 = 1176.47 -> 1176; 1000 / 1.1 = 909.09 -> 909.
        assertEquals(1143, ClockDomain.fromGHz("wse3", 0.875).periodPs());
        assertEquals(1176, ClockDomain.fromGHz("wse2", 0.85).periodPs());
        assertEquals(909, ClockDomain.fromGHz("fast", 1.1).periodPs());
        assertEquals(1000, ClockDomain.fromGHz("1GHz", 1.0).periodPs());
    }

    @Test
    void fromGHz_nonPositive_throws() {
        assertThrows(IllegalArgumentException.class, () -> ClockDomain.fromGHz("x", 0));
        assertThrows(IllegalArgumentException.class, () -> ClockDomain.fromGHz("x", -1));
        assertThrows(IllegalArgumentException.class, () -> ClockDomain.fromGHz("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ClockDomain.fromGHz("x", 5000));
    }

    @Test
    void cyclesToTicks_roundTrip_isExact() {
        ClockDomain c = new ClockDomain("c", 1143);
        assertEquals(1143L * 1_000_000, c.cyclesToTicks(1_000_000));
        assertEquals(1_000_000, c.ticksToCycles(c.cyclesToTicks(1_000_000)));
        assertEquals(2, c.ticksToCycles(1143 * 3 - 1));
        assertEquals(3, c.ticksToCyclesCeil(1143 * 3 - 1));
        assertEquals(3, c.ticksToCyclesCeil(1143 * 3));
        assertEquals(1143 * 4, c.nextEdge(1143 * 3 + 1));
        assertEquals(1143 * 3, c.nextEdge(1143 * 3));
    }

    @Test
    void cyclesToTicks_overflow_throws() {
        ClockDomain c = new ClockDomain("c", 1143);
        long limit = Long.MAX_VALUE / 1143;
        assertEquals(limit * 1143, c.cyclesToTicks(limit));
        assertThrows(SimTimeException.class, () -> c.cyclesToTicks(limit + 1));
        assertThrows(SimTimeException.class, () -> c.cyclesToTicks(-1));
        assertThrows(SimTimeException.class, () -> c.ticksToCycles(-5));
    }

    @Test
    void cyclesToMillis_usesRoundedPeriod() {
        ClockDomain c = ClockDomain.fromGHz("wse3", 0.875);
        // 875,000 cycles x 1143 ps = 1.000125 ms (the rounded period, not the exact 1 ms).
        assertEquals(1.000125, c.cyclesToMillis(875_000), 1e-12);
    }
}
