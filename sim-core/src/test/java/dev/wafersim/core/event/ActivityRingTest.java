package dev.wafersim.core.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.random.Rng;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ActivityRingTest {

    private static int[] drain(ActivityRing r) {
        int[] b = r.drain(new int[1]);
        return Arrays.copyOf(b, r.drainedCount());
    }

    @Test
    void drain_sameCycle_ascendingAndDeduplicated() {
        ActivityRing r = new ActivityRing(1000);
        r.schedule(3, 700);
        r.schedule(3, 5);
        r.schedule(3, 700);
        r.schedule(3, 64);
        r.schedule(2, 999);
        assertEquals(2, r.advance());
        assertArrayEquals(new int[] {999}, drain(r));
        assertEquals(3, r.advance());
        assertArrayEquals(new int[] {5, 64, 700}, drain(r));
        assertEquals(Long.MAX_VALUE, r.advance());
        assertTrue(r.isEmpty());
    }

    @Test
    void schedule_beyondSpan_comesBackAtItsCycle() {
        ActivityRing r = new ActivityRing(10);
        r.schedule(ActivityRing.SPAN + 100, 4);
        r.schedule(63, 1);
        r.schedule(ActivityRing.SPAN + 100, 2);
        assertEquals(63, r.advance());
        assertArrayEquals(new int[] {1}, drain(r));
        assertEquals(ActivityRing.SPAN + 100, r.advance());
        assertArrayEquals(new int[] {2, 4}, drain(r));
    }

    @Test
    void schedule_past_throws() {
        ActivityRing r = new ActivityRing(10);
        r.schedule(10, 1);
        r.advance();
        assertThrows(IllegalArgumentException.class, () -> r.schedule(9, 2));
    }

    /** Random schedules against a TreeMap of per-cycle sorted sets as the reference. */
    @Test
    void advanceAndDrain_randomSchedules_matchReference() {
        ActivityRing r = new ActivityRing(5000);
        TreeMap<Long, TreeSet<Integer>> ref = new TreeMap<>();
        Rng rng = new Rng(23);
        long now = 0;
        for (int i = 0; i < 20_000; i++) {
            int k = rng.nextInt(5);
            for (int j = 0; j < k; j++) {
                long c = now + 1 + (rng.nextInt(10) == 0 ? rng.nextInt(400) : rng.nextInt(70));
                int h = rng.nextInt(5000);
                r.schedule(c, h);
                ref.computeIfAbsent(c, x -> new TreeSet<>()).add(h);
            }
            long c = r.advance();
            if (ref.isEmpty()) {
                assertEquals(Long.MAX_VALUE, c);
                continue;
            }
            assertEquals(ref.firstKey(), c);
            int[] exp = ref.pollFirstEntry().getValue().stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(exp, drain(r));
            now = c;
        }
    }

    /**
     * A caller that sets bits itself and marks a slot only when the word was empty (the fabric's
     * fast path) sees the same cycles and handles as one that calls schedule for everything.
     */
    @Test
    void markSlot_callerSetBits_matchesSchedule() {
        ActivityRing a = new ActivityRing(3000);
        ActivityRing b = new ActivityRing(3000);
        Rng rng = new Rng(7);
        long now = 0;
        for (int i = 0; i < 5_000; i++) {
            int k = rng.nextInt(6);
            for (int j = 0; j < k; j++) {
                long c = now + 1 + rng.nextInt(ActivityRing.SPAN - 1);
                int h = rng.nextInt(3000);
                a.schedule(c, h);
                int slot = (int) c & (ActivityRing.SPAN - 1);
                int wi = slot * b.words() + (h >>> 6);
                long w = b.bits()[wi];
                b.bits()[wi] = w | (1L << h);
                if (w == 0) {
                    b.markSlot(slot, h);
                }
            }
            long ca = a.advance();
            assertEquals(ca, b.advance());
            if (ca == Long.MAX_VALUE) {
                continue;
            }
            assertArrayEquals(drain(a), drain(b));
            now = ca;
        }
    }
}
