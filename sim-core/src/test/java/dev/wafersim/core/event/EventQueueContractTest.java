package dev.wafersim.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.random.Rng;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract every {@link EventQueue} implementation must meet, run against each of them. */
class EventQueueContractTest {

    static Stream<Arguments> queues() {
        return Stream.of(
                Arguments.of("heap", (Supplier<EventQueue>) () -> new HeapEventQueue(4)),
                Arguments.of("wheel 1ps x 16", (Supplier<EventQueue>) () -> new WheelEventQueue(0, 4)),
                Arguments.of("wheel 8ps x 1024", (Supplier<EventQueue>) () -> new WheelEventQueue(3, 10)),
                Arguments.of("wheel 1024ps x 2", (Supplier<EventQueue>) () -> new WheelEventQueue(10, 1)));
    }

    record Ev(long time, long order, int target, long data) {
    }

    private static final Comparator<Ev> ORDER = Comparator.comparingLong(Ev::time).thenComparingLong(Ev::order);

    private static Ev poll(EventQueue q) {
        EventCursor c = new EventCursor();
        q.poll(c);
        return new Ev(c.timePs, c.order, c.target, c.data);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void poll_equalTimeAndPriority_leavesInInsertionOrder(String name, Supplier<EventQueue> factory) {
        EventQueue q = factory.get();
        for (int i = 0; i < 100; i++) {
            q.push(500, EventOrder.pack(3, i), 0, i);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i, poll(q).data(), "event " + i + " left out of insertion order");
        }
        assertTrue(q.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void poll_equalTimes_lowerPriorityFirst(String name, Supplier<EventQueue> factory) {
        EventQueue q = factory.get();
        q.push(100, EventOrder.pack(5, 0), 0, 50);
        q.push(100, EventOrder.pack(1, 1), 0, 10);
        q.push(100, EventOrder.pack(3, 2), 0, 30);
        q.push(99, EventOrder.pack(9, 3), 0, 99);
        assertEquals(99, poll(q).data());
        assertEquals(10, poll(q).data());
        assertEquals(30, poll(q).data());
        assertEquals(50, poll(q).data());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void peekTime_emptyAndNonEmpty_reportsFirstTime(String name, Supplier<EventQueue> factory) {
        EventQueue q = factory.get();
        assertTrue(q.isEmpty());
        assertEquals(Long.MAX_VALUE, q.peekTime());
        assertThrows(IllegalStateException.class, () -> q.poll(new EventCursor()));
        q.push(1_000_000, EventOrder.pack(0, 0), 2, 7);
        q.push(40, EventOrder.pack(0, 1), 3, 8);
        assertEquals(2, q.size());
        assertEquals(40, q.peekTime());
        Ev e = poll(q);
        assertEquals(new Ev(40, EventOrder.pack(0, 1), 3, 8), e);
        assertEquals(1_000_000, q.peekTime());
        assertFalse(q.isEmpty());
    }

    /** Interleaved pushes and polls against java.util.PriorityQueue as the reference. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void pollSequence_randomWorkload_matchesReferenceQueue(String name, Supplier<EventQueue> factory) {
        EventQueue q = factory.get();
        PriorityQueue<Ev> ref = new PriorityQueue<>(ORDER);
        Rng rng = new Rng(42);
        long now = 0;
        long seq = 0;
        for (int step = 0; step < 200_000; step++) {
            boolean push = ref.isEmpty() || rng.nextInt(100) < 52;
            if (push) {
                // Mostly near-future delays, some far-future ones (beyond any wheel span here) and
                // some zero delays (same time as now).
                long delay = switch (rng.nextInt(10)) {
                    case 0 -> 0;
                    case 1 -> 1_000_000 + rng.nextInt(5_000_000);
                    default -> rng.nextInt(3000);
                };
                int prio = rng.nextInt(3);
                Ev e = new Ev(now + delay, EventOrder.pack(prio, seq++), rng.nextInt(7), rng.nextLong());
                ref.add(e);
                q.push(e.time(), e.order(), e.target(), e.data());
            } else {
                Ev expected = ref.poll();
                assertEquals(expected.time(), q.peekTime());
                Ev got = poll(q);
                assertEquals(expected, got, "at step " + step);
                now = got.time();
            }
            assertEquals(ref.size(), q.size());
        }
        List<Ev> rest = new ArrayList<>();
        while (!q.isEmpty()) {
            rest.add(poll(q));
        }
        List<Ev> expectedRest = new ArrayList<>();
        while (!ref.isEmpty()) {
            expectedRest.add(ref.poll());
        }
        assertEquals(expectedRest, rest);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void push_afterDrainingFarFuture_keepsOrder(String name, Supplier<EventQueue> factory) {
        EventQueue q = factory.get();
        // Only far-future events: the wheel must jump to them rather than scan.
        q.push(5_000_000_000L, EventOrder.pack(0, 0), 0, 1);
        q.push(9_000_000_000L, EventOrder.pack(0, 1), 0, 2);
        assertEquals(1, poll(q).data());
        // Now at 5e9: an event at the same time and one slightly later.
        q.push(5_000_000_000L, EventOrder.pack(0, 2), 0, 3);
        q.push(5_000_000_007L, EventOrder.pack(0, 3), 0, 4);
        assertEquals(3, poll(q).data());
        assertEquals(4, poll(q).data());
        assertEquals(2, poll(q).data());
        assertTrue(q.isEmpty());
    }
}
