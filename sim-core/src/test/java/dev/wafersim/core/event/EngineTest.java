package dev.wafersim.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.time.SimTimeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void run_eventsAtSameTime_followPriorityThenInsertion() {
        Engine e = new Engine(new WheelEventQueue(4, 8));
        List<Long> seen = new ArrayList<>();
        int h = e.register("rec", (t, d) -> seen.add(d));
        e.schedule(10, 2, h, 1);
        e.schedule(10, 0, h, 2);
        e.schedule(10, 2, h, 3);
        e.schedule(5, 9, h, 4);
        e.run();
        assertEquals(List.of(4L, 2L, 1L, 3L), seen);
        assertEquals(10, e.now());
        assertEquals(4, e.eventsHandled());
    }

    @Test
    void schedule_negativeDelay_throws() {
        Engine e = new Engine();
        int h = e.register("x", (t, d) -> { });
        assertThrows(SimTimeException.class, () -> e.schedule(-1, 0, h, 0));
    }

    @Test
    void schedule_timeOverflow_throws() {
        Engine e = new Engine();
        int h = e.register("x", (t, d) -> e.schedule(Long.MAX_VALUE, 0, 0, 0));
        e.schedule(5, 0, h, 0);
        SimTimeException ex = assertThrows(SimTimeException.class, e::run);
        assertTrue(ex.getMessage().contains("overflows"), ex.getMessage());
    }

    @Test
    void scheduleAt_past_throws() {
        Engine e = new Engine();
        int h = e.register("x", (t, d) -> e.scheduleAt(t - 1, 0, 0, 0));
        e.schedule(5, 0, h, 0);
        assertThrows(SimTimeException.class, e::run);
    }

    @Test
    void schedule_unknownHandler_throws() {
        Engine e = new Engine();
        assertThrows(IllegalArgumentException.class, () -> e.schedule(1, 0, 3, 0));
    }

    @Test
    void run_handlerCallsStop_returnsAfterThatEvent() {
        Engine e = new Engine();
        int[] count = {0};
        int[] h = new int[1];
        h[0] = e.register("loop", (t, d) -> {
            count[0]++;
            e.schedule(1, 0, h[0], 0);
            if (count[0] == 7) {
                e.stop();
            }
        });
        e.schedule(0, 0, h[0], 0);
        assertEquals(7, e.run());
        assertEquals(6, e.now());
        assertEquals(1, e.pendingEvents());
    }

    @Test
    void run_eventBudgetExceeded_watchdogFires() {
        Engine e = new Engine();
        int[] h = new int[1];
        h[0] = e.register("forever", (t, d) -> e.schedule(10, 0, h[0], 0));
        e.schedule(0, 0, h[0], 0);
        SimulationStalledException ex = assertThrows(SimulationStalledException.class,
                () -> e.run(RunLimits.events(1000)));
        assertTrue(ex.getMessage().contains("event budget of 1000"), ex.getMessage());
        assertEquals(1000, e.eventsHandled());
    }

    @Test
    void run_timeBudgetExceeded_watchdogNamesHandler() {
        Engine e = new Engine();
        int[] h = new int[1];
        h[0] = e.register("ticker", (t, d) -> e.schedule(1000, 0, h[0], 0));
        e.schedule(0, 0, h[0], 0);
        SimulationStalledException ex = assertThrows(SimulationStalledException.class,
                () -> e.run(RunLimits.time(10_500)));
        assertTrue(ex.getMessage().contains("'ticker'") && ex.getMessage().contains("11000 ps"), ex.getMessage());
    }

    @Test
    void run_queueDryWithPendingWork_watchdogNamesStalledPart() {
        Engine e = new Engine();
        e.addMonitor(new ProgressMonitor() {
            @Override
            public String name() {
                return "router(3,4)";
            }

            @Override
            public boolean hasPendingWork() {
                return true;
            }

            @Override
            public String describePending() {
                return "colour 5 waits for a credit from the east";
            }
        });
        int h = e.register("x", (t, d) -> { });
        e.schedule(3, 0, h, 0);
        SimulationStalledException ex = assertThrows(SimulationStalledException.class, e::run);
        assertTrue(ex.getMessage().contains("router(3,4): colour 5 waits for a credit from the east"),
                ex.getMessage());
    }
}
