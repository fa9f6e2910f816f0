package dev.wafersim.core.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TicksTest {

    @Test
    void fromNanos_fraction_roundsToNearestPicosecond() {
        assertEquals(1500, Ticks.fromNanos(1.5));
        assertEquals(1, Ticks.fromNanos(0.0006));
        assertEquals(0, Ticks.fromNanos(0.0004));
        assertEquals(2_500_000, Ticks.fromMicros(2.5));
        assertEquals(3 * Ticks.PS_PER_S, Ticks.fromSeconds(3));
    }

    @Test
    void fromNanos_negativeOrHuge_throws() {
        assertThrows(SimTimeException.class, () -> Ticks.fromNanos(-1));
        assertThrows(SimTimeException.class, () -> Ticks.fromNanos(Double.NaN));
        assertThrows(SimTimeException.class, () -> Ticks.fromSeconds(1e10));
    }

    @Test
    void add_overflowOrNegative_throws() {
        assertEquals(7, Ticks.add(3, 4));
        assertThrows(SimTimeException.class, () -> Ticks.add(Long.MAX_VALUE - 2, 3));
        assertThrows(SimTimeException.class, () -> Ticks.add(3, -1));
    }
}
