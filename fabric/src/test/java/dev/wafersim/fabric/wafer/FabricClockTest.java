package dev.wafersim.fabric.wafer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The fabric clock: handles of a cycle come out once each, in grid order, near or far in the future. */
class FabricClockTest {

    @Test
    void sched_repeatsAndFarFuture_eachHandleOnceInAscendingOrder() {
        FabricClock c = new FabricClock(100);
        c.cycle = 0;
        c.sched(3, FabricClock.pe(7));
        c.sched(3, FabricClock.router(7));
        c.sched(3, FabricClock.router(90));
        c.sched(3, FabricClock.pe(7));
        c.sched(200, FabricClock.router(1));
        assertEquals(3, c.ring.advance());
        int[] got = c.ring.drain(new int[8]);
        assertArrayEquals(new int[] {14, 15, 180}, Arrays.copyOf(got, c.ring.drainedCount()));
        c.cycle = 3;
        assertEquals(200, c.ring.advance());
        got = c.ring.drain(new int[8]);
        assertArrayEquals(new int[] {2}, Arrays.copyOf(got, c.ring.drainedCount()));
    }
}
