package dev.wafersim.fabric.wafer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The PE input queues on their own: FIFO order, readiness, credits a cycle late, router wake-ups. */
class PeQueuesTest {

    @Test
    void pushPop_functional_fifoValuesAndReadyCycles() {
        FabricStats stats = new FabricStats(4, false, 1);
        PeQueues q = new PeQueues(2, 3, true, new FabricClock(4), stats);
        int qb = q.stride; // the second queue
        for (int i = 0; i < 7; i++) {
            q.push(qb, 100 + i, 10 + i);
            assertFalse(q.headReady(qb, 9 + i));
            assertTrue(q.headReady(qb, 10 + i));
            assertEquals(100 + i, q.pop(qb, 10 + i));
        }
        assertEquals(7, stats.consumed);
        assertEquals(0, q.held(qb));
        assertEquals(0, q.held(0));
    }

    /** Places freed at cycle t count from t + 1, and several pops in one cycle all wait. */
    @Test
    void free_popsInSameCycle_visibleNextCycle() {
        PeQueues q = new PeQueues(1, 4, false, new FabricClock(1), new FabricStats(1, false, 1));
        for (int i = 0; i < 4; i++) {
            q.push(0, 0, 5);
        }
        assertEquals(0, q.free(0, 7));
        q.pop(0, 7);
        q.pop(0, 7);
        assertEquals(2, q.held(0));
        assertEquals(0, q.free(0, 7));
        assertEquals(2, q.free(0, 8));
    }

    /** A router that found the queue full is scheduled for the cycle after the pop that frees a place. */
    @Test
    void pop_routerWaiting_routerScheduledNextCycle() {
        FabricClock clock = new FabricClock(8);
        PeQueues q = new PeQueues(1, 1, false, clock, new FabricStats(8, false, 1));
        q.words[PeQueues.ROUTER] = 5;
        q.push(0, 0, 3);
        q.markRouterWaiting(0);
        clock.cycle = 3;
        q.pop(0, 3);
        assertEquals(4, clock.ring.advance());
        int[] handles = clock.ring.drain(new int[4]);
        assertEquals(1, clock.ring.drainedCount());
        assertEquals(FabricClock.router(5), handles[0]);
        q.push(0, 0, 6);
        q.pop(0, 6);
        assertEquals(Long.MAX_VALUE, clock.ring.advance()); // no second wake without a new wait
    }
}
