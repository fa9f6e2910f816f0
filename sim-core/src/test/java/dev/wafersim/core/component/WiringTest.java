package dev.wafersim.core.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.RunLimits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WiringTest {

    /** Sends {@code count} messages as fast as credits allow. */
    static final class Source extends Component {
        final Port out = declarePort("out");
        final int count;
        int sent;
        final List<Long> creditWakeups = new ArrayList<>();

        Source(String name, int count) {
            super(name);
            this.count = count;
        }

        @Override
        protected void start() {
            pump();
        }

        void pump() {
            while (sent < count && out.trySend(sent, 100)) {
                sent++;
            }
        }

        @Override
        protected void onCredit(Port port) {
            creditWakeups.add(engine().now());
            pump();
        }

        @Override
        public boolean hasPendingWork() {
            return sent < count;
        }

        @Override
        public String describePending() {
            return (count - sent) + " messages not sent";
        }
    }

    /** Receives messages and consumes each {@code holdPs} after arrival (or never, if negative). */
    static final class Sink extends Component {
        final Port in = declarePort("in");
        final long holdPs;
        final List<long[]> arrivals = new ArrayList<>();

        Sink(String name, long holdPs) {
            super(name);
            this.holdPs = holdPs;
        }

        @Override
        protected void onReceive(Port port, long data) {
            arrivals.add(new long[] {engine().now(), data});
            if (holdPs >= 0) {
                scheduleSelf(holdPs, data);
            }
        }

        @Override
        protected void onEvent(long data) {
            in.release();
        }
    }

    @Test
    void build_danglingPort_isWiringErrorNamingPort() {
        SystemBuilder b = new SystemBuilder(new Engine(), 1);
        b.add(new Source("src", 1));
        WiringException ex = assertThrows(WiringException.class, b::build);
        assertTrue(ex.getMessage().contains("port src.out is dangling"), ex.getMessage());
    }

    @Test
    void connect_portBoundTwice_isWiringError() {
        SystemBuilder b = new SystemBuilder(new Engine(), 1);
        Source s = b.add(new Source("src", 1));
        Sink k1 = b.add(new Sink("k1", 0));
        Sink k2 = b.add(new Sink("k2", 0));
        b.connect(s.out, k1.in, LinkSpec.latency(5));
        b.connect(s.out, k2.in, LinkSpec.latency(5));
        WiringException ex = assertThrows(WiringException.class, b::build);
        assertTrue(ex.getMessage().contains("port src.out is bound twice"), ex.getMessage());
        assertTrue(ex.getMessage().contains("port k2.in is dangling"), ex.getMessage());
    }

    @Test
    void add_duplicateName_isWiringError() {
        SystemBuilder b = new SystemBuilder(new Engine(), 1);
        Source s = b.add(new Source("a", 1));
        Sink k = b.add(new Sink("a", 0));
        b.connect(s.out, k.in, LinkSpec.latency(1));
        WiringException ex = assertThrows(WiringException.class, b::build);
        assertTrue(ex.getMessage().contains("two components are named 'a'"), ex.getMessage());
    }

    @Test
    void port_unknownName_isWiringError() {
        Source s = new Source("src", 1);
        WiringException ex = assertThrows(WiringException.class, () -> s.port("nope"));
        assertTrue(ex.getMessage().contains("has no port 'nope'"), ex.getMessage());
    }

    /**
     * Bandwidth 1e11 B/s: a 100-byte message serializes in 1,000 ps; latency 500 ps. Message k
     * (0-based) arrives at (k + 1) x 1000 + 500 ps because the sender's serializer is busy back to
     * back.
     */
    @Test
    void link_bandwidthAndLatency_deliverAtSerializationPlusLatency() {
        Engine e = new Engine();
        SystemBuilder b = new SystemBuilder(e, 1);
        Source s = b.add(new Source("src", 3));
        Sink k = b.add(new Sink("dst", 0));
        b.connect(s.out, k.in, new LinkSpec(500, 1e11, 0));
        SimSystem sys = b.build();
        sys.start();
        sys.run(RunLimits.UNBOUNDED);
        sys.finish();
        assertEquals(3, k.arrivals.size());
        for (int i = 0; i < 3; i++) {
            assertEquals((i + 1) * 1000L + 500, k.arrivals.get(i)[0]);
            assertEquals(i, k.arrivals.get(i)[1]);
        }
        assertEquals(300, sys.stats().counterValue("link.src.out--dst.in.ab.bytes"));
    }

    /**
     * Two credits, latency 100 ps, the sink holds each message 1,000 ps. Messages 0 and 1 leave at
     * t=0 and arrive at 100; credits return at 1,100, when messages 2 and 3 leave (wake-ups at
     * 1,100), arriving at 1,200; the fifth leaves at 2,200 and arrives at 2,300.
     */
    @Test
    void link_credits_backpressureWakesSenderWhenReleased() {
        Engine e = new Engine();
        SystemBuilder b = new SystemBuilder(e, 1);
        Source s = b.add(new Source("src", 5));
        Sink k = b.add(new Sink("dst", 1000));
        b.connect(s.out, k.in, new LinkSpec(100, 0, 2));
        SimSystem sys = b.build();
        sys.start();
        sys.run(RunLimits.UNBOUNDED);
        long[] times = k.arrivals.stream().mapToLong(a -> a[0]).toArray();
        assertEquals(List.of(100L, 100L, 1200L, 1200L, 2300L),
                java.util.Arrays.stream(times).boxed().toList());
        assertEquals(List.of(1100L, 1100L, 2200L), s.creditWakeups);
    }

    @Test
    void run_senderBlockedForever_watchdogNamesIt() {
        Engine e = new Engine();
        SystemBuilder b = new SystemBuilder(e, 1);
        Source s = b.add(new Source("src", 5));
        Sink k = b.add(new Sink("dst", -1)); // never releases
        b.connect(s.out, k.in, new LinkSpec(100, 0, 2));
        SimSystem sys = b.build();
        sys.start();
        var ex = assertThrows(dev.wafersim.core.event.SimulationStalledException.class,
                () -> sys.run(RunLimits.UNBOUNDED));
        assertTrue(ex.getMessage().contains("src: 3 messages not sent"), ex.getMessage());
    }

    @Test
    void lifecycle_outOfOrder_throws() {
        SystemBuilder b = new SystemBuilder(new Engine(), 1);
        Source s = b.add(new Source("src", 1));
        Sink k = b.add(new Sink("dst", 0));
        b.connect(s.out, k.in, LinkSpec.latency(1));
        SimSystem sys = b.build();
        assertThrows(IllegalStateException.class, () -> sys.run(RunLimits.UNBOUNDED));
        sys.start();
        assertThrows(IllegalStateException.class, sys::start);
        assertThrows(IllegalStateException.class, b::build);
    }
}
