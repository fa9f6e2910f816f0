package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

class GoodputSearchTest {
    private static final long D = 10_000_000_000L; // 10 ms per request

    /** 100 requests evenly spaced at {@code rate}, each one pass of D on a machine serving one at a time. */
    private static DoubleFunction<RequestTrace> evenly(int n) {
        return rate -> {
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = Math.round(i * 1e12 / rate);
            }
            int[] p = new int[n];
            int[] o = new int[n];
            java.util.Arrays.fill(p, 8);
            java.util.Arrays.fill(o, 1);
            return RequestTrace.of(a, p, o, "evenly at " + rate);
        };
    }

    private static ServingResult replay(RequestTrace t) {
        ServingParams p = ServingParams.defaultParams().withLimits(1, 2048);
        return ServingReplay.run(t, new ExactStepTimes(ClosedFormStepModel.constant(D, 1_000_000)), p);
    }

    @Test
    void search_deterministicQueue_findsTheClosedFormRate() {
        // Arrivals every g < D: request i waits i (D - g), so its TTFT is D + i (D - g). With a TTFT target of
        // 1.5 D, requests 0..k meet it for k = floor(0.5 D / (D - g)); 90 of 100 need k >= 89, so
        // g >= D (1 - 0.5 / 89) and the goodput is 1 / (D (1 - 0.5 / 89)) = 100.565 req/s.
        SloSpec slo = SloSpec.parse("ttft=15ms");
        GoodputSearch.Goodput g = GoodputSearch.search("m", evenly(100), GoodputSearchTest::replay, slo, 0.9, 1e-4, 10, 0.01, 4);
        double expected = 1 / (D / 1e12 * (1 - 0.5 / 89));
        assertEquals(expected, g.requestsPerSecond(), 2e-4 * expected);
        assertEquals(g.requestsPerSecond() / 4, g.perDevice(), 1e-12);
        assertFalse(g.unbounded());
        assertTrue(g.probes().size() > 5);
        // The reported rate passes, and a rate just above the bracket fails.
        assertTrue(slo.attainment(replay(evenly(100).apply(g.requestsPerSecond()))) >= 0.9);
        assertTrue(slo.attainment(replay(evenly(100).apply(expected * 1.001))) < 0.9);
    }

    @Test
    void search_targetBelowTheServiceTime_isZero() {
        GoodputSearch.Goodput g = GoodputSearch.search("m", evenly(20), GoodputSearchTest::replay,
                SloSpec.parse("ttft=5ms"), 0.9, 0.01, 10, 0.01, 1);
        assertEquals(0, g.requestsPerSecond());
    }

    @Test
    void parse_sloText_givesTargetsInPs() {
        SloSpec s = SloSpec.parse("ttft=500ms,tpot=20ms");
        assertEquals(500_000_000_000L, s.ttftPs());
        assertEquals(20_000_000_000L, s.tpotPs());
        assertEquals("ttft=500ms,tpot=20ms", s.toString());
        assertEquals(-1, SloSpec.parse("tpot=1.5s").ttftPs());
        assertEquals(1_500_000_000_000L, SloSpec.parse(" TPOT=1.5s ").tpotPs());
        assertEquals(250_000_000L, SloSpec.parse("ttft=250us").ttftPs());
        for (String bad : new String[] {"", "ttft", "ttft=5", "ttft=5min", "ttft=0ms", "ttft=1ms,ttft=2ms", "e2e=3s",
            "ttft=-4ms"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> SloSpec.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--slo=" + bad + " is not allowed"), e.getMessage());
        }
    }

    @Test
    void attainment_countsRejectedRequestsAsMissed() {
        // 4 requests, one beyond the KV cache: at most 3 of 4 can meet any target.
        RequestTrace t = RequestTrace.of(new long[] {0, 0, 0, 0}, new int[] {8, 8, 900_000, 8}, new int[] {1, 1, 1, 1}, "4");
        ServingResult r = ServingReplay.run(t, new ExactStepTimes(ClosedFormStepModel.constant(D, 100_000)),
                ServingParams.defaultParams());
        assertEquals(0.75, SloSpec.parse("ttft=1s").attainment(r), 0);
        ServingSummary s = ServingSummary.of("m", "x", r, SloSpec.parse("ttft=1s"));
        assertEquals(1, s.rejectedRequests());
        assertEquals(3, s.completedRequests());
        assertEquals(0.75, s.sloAttainment(), 0);
        // One output token each: no TPOT, no time between tokens.
        assertNull(s.tpotMs());
        assertNull(s.tbtMs());
        assertEquals(10.0, s.ttftMs().p50(), 0.01);
    }
}
