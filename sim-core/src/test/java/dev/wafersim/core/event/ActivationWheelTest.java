package dev.wafersim.core.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.random.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ActivationWheelTest {

    private static int[] drainAll(ActivationWheel w) {
        int[] buf = w.drain(new int[1]);
        return Arrays.copyOf(buf, w.drainedCount());
    }

    @Test
    void drain_sameCycle_insertionOrder() {
        ActivationWheel w = new ActivationWheel(4, 0);
        w.schedule(3, 7);
        w.schedule(3, 1);
        w.schedule(2, 9);
        w.schedule(3, 4);
        assertEquals(2, w.advance());
        assertArrayEquals(new int[] {9}, drainAll(w));
        assertEquals(3, w.advance());
        assertArrayEquals(new int[] {7, 1, 4}, drainAll(w));
        assertEquals(Long.MAX_VALUE, w.advance());
        assertTrue(w.isEmpty());
    }

    @Test
    void schedule_beyondRing_comesBackAtItsCycle() {
        // Ring of 16 cycles: cycle 1,000 is far beyond it and waits in the overflow heap.
        ActivationWheel w = new ActivationWheel(4, 0);
        w.schedule(1000, 5);
        w.schedule(17, 6);
        w.schedule(1000, 8);
        assertEquals(17, w.advance());
        assertArrayEquals(new int[] {6}, drainAll(w));
        assertEquals(1000, w.advance());
        assertArrayEquals(new int[] {5, 8}, drainAll(w));
    }

    @Test
    void schedule_past_throws() {
        ActivationWheel w = new ActivationWheel(4, 0);
        w.schedule(10, 1);
        w.advance();
        assertThrows(IllegalArgumentException.class, () -> w.schedule(9, 2));
    }

    @Test
    void scheduleOnce_repeatOfLastPair_isDropped() {
        ActivationWheel w = new ActivationWheel(4, 10);
        w.scheduleOnce(5, 3);
        w.scheduleOnce(5, 3);
        w.scheduleOnce(6, 3);
        assertEquals(5, w.advance());
        assertArrayEquals(new int[] {3}, drainAll(w));
        assertEquals(6, w.advance());
        assertArrayEquals(new int[] {3}, drainAll(w));
    }

    /** Random schedules against a TreeMap of per-cycle lists as the reference. */
    @Test
    void advanceAndDrain_randomSchedules_matchReference() {
        ActivationWheel w = new ActivationWheel(3, 0);
        TreeMap<Long, List<Integer>> ref = new TreeMap<>();
        Rng r = new Rng(17);
        long now = 0;
        for (int i = 0; i < 20_000; i++) {
            int k = r.nextInt(4);
            for (int j = 0; j < k; j++) {
                long c = now + (r.nextInt(10) == 0 ? r.nextInt(500) : r.nextInt(12));
                int h = r.nextInt(1000);
                w.schedule(c, h);
                ref.computeIfAbsent(c, x -> new ArrayList<>()).add(h);
            }
            long c = w.advance();
            if (ref.isEmpty()) {
                assertEquals(Long.MAX_VALUE, c);
                continue;
            }
            assertEquals(ref.firstKey(), c);
            int[] got = drainAll(w);
            List<Integer> exp = ref.pollFirstEntry().getValue();
            assertArrayEquals(exp.stream().mapToInt(Integer::intValue).toArray(), got);
            now = c;
        }
    }
}
