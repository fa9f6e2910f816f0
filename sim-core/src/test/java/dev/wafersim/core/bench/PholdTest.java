package dev.wafersim.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wafersim.core.event.HeapEventQueue;
import org.junit.jupiter.api.Test;

class PholdTest {

    private static Phold run(long seed, String queue, long events) {
        Phold.Params p = new Phold.Params(64, 8, 1000, 10_000, seed);
        Phold ph = new Phold(p, Phold.queueFor(queue, p));
        ph.run(events);
        return ph;
    }

    @Test
    void run_sameSeedTwice_sameEventSequenceDigest() {
        Phold a = run(11, "wheel", 200_000);
        Phold b = run(11, "wheel", 200_000);
        assertEquals(a.digest(), b.digest());
        assertEquals(a.engine().now(), b.engine().now());
    }

    @Test
    void run_heapAndWheel_handleIdenticalSequence() {
        assertEquals(run(5, "heap", 200_000).digest(), run(5, "wheel", 200_000).digest());
    }

    @Test
    void run_differentSeed_differentSequence() {
        assertNotEquals(run(1, "wheel", 10_000).digest(), run(2, "wheel", 10_000).digest());
    }

    /**
     * Every handled event schedules exactly one, so the population stays lps x population. With
     * mean delay lookahead + mean exponential = 11 ns and 512 events in flight, the simulated time
     * after n events is about n x 11 ns / 512 (Little's law); allow 5%.
     */
    @Test
    void run_populationConstant_andTimeFollowsLittlesLaw() {
        Phold.Params p = new Phold.Params(64, 8, 1000, 10_000, 3);
        Phold ph = new Phold(p, new HeapEventQueue());
        ph.run(400_000);
        assertEquals(512, ph.engine().pendingEvents());
        assertEquals(400_000, ph.handled());
        double expectedPs = 400_000 * 11_000.0 / 512;
        assertEquals(expectedPs, ph.engine().now(), 0.05 * expectedPs);
    }
}
