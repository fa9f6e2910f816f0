package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.N;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.S;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The router state's layout and rules, on its own (no simulation). */
class RouterSlotsTest {

    private static RouterSlots slots(int w, int h, String... overrides) {
        WseParams p = FabricTestSupport.wse3(w, h, overrides);
        return new RouterSlots(new Grid(w, h), p, false);
    }

    @Test
    void renumber_routesSetOutOfOrder_slotsInRouterThenColourOrder() {
        RouterSlots s = slots(3, 3, WseParams.COLOURS, "64");
        int[][] routes = {{8, 40}, {0, 3}, {4, 63}, {0, 1}, {4, 0}, {4, 31}, {4, 32}, {2, 7}};
        for (int[] rc : routes) {
            s.addRoute(rc[0], rc[1], dirs(RAMP), dirs(RAMP));
        }
        s.renumber();
        // Expected order by hand: (0,1) (0,3) (2,7) (4,0) (4,31) (4,32) (4,63) (8,40).
        int[][] expected = {{0, 1}, {0, 3}, {2, 7}, {4, 0}, {4, 31}, {4, 32}, {4, 63}, {8, 40}};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(i, s.slot(expected[i][0], expected[i][1]));
            int b = i * s.stride;
            assertEquals(expected[i][0], s.router(b));
            assertEquals(expected[i][1], s.colour(b));
        }
        assertEquals(-1, s.slot(4, 5));
        assertEquals(-1, s.slot(1, 0));
    }

    @ParameterizedTest(name = "cycles {0} and {1}")
    @CsvSource({"0, 5", "2147483640, 2147483660", "4294967290, 4294967300", "1073741000, 0", "8589934592, 8589934591"})
    void stamp_anyCyclesWithin2To30_signedDistanceExactAndControlKept(long a, long b) {
        for (boolean control : new boolean[] {false, true}) {
            int sa = RouterSlots.stamp(a, control);
            assertEquals(a - b, (sa - RouterSlots.stamp(b, false)) >> 1);
            assertEquals(control, (sa & 1) != 0);
        }
    }

    @Test
    void advanceConfig_pastLast_staysAtLast() {
        RouterSlots s = slots(3, 3);
        s.addRoute(4, 2, new int[] {dirs(RAMP), dirs(W), dirs(N)}, new int[] {dirs(E), dirs(S), dirs(RAMP)});
        s.renumber();
        int b = s.slot(4, 2) * s.stride;
        assertEquals(3, s.configCount(b));
        assertEquals(dirs(RAMP) | dirs(E) << 5, s.current(b));
        assertTrue(s.advanceConfig(b));
        assertEquals(dirs(W) | dirs(S) << 5, s.current(b));
        assertTrue(s.advanceConfig(b));
        assertEquals(dirs(N) | dirs(RAMP) << 5, s.current(b));
        assertFalse(s.advanceConfig(b));
        assertEquals(dirs(N) | dirs(RAMP) << 5, s.current(b));
    }

    /** A place freed by a pop at cycle t is a credit from t + 1 on, not in t itself. */
    @Test
    void canInject_fullThenPopped_creditOnlyFromNextCycle() {
        RouterSlots s = slots(2, 1);
        s.addRoute(0, 0, dirs(RAMP), dirs(E));
        s.renumber();
        int b = s.slot(0, 0) * s.stride;
        for (int i = 0; i < s.depth; i++) {
            assertTrue(s.canInject(b, 10));
            s.push(b, 0, RouterSlots.stamp(13 + i, false));
        }
        assertFalse(s.canInject(b, 10));
        // The pop a router makes at cycle 20.
        s.words[b + RouterSlots.STATE] -= 1;
        s.words[b + RouterSlots.POP_CYCLE] = 20;
        assertFalse(s.canInject(b, 20));
        assertTrue(s.canInject(b, 21));
        assertEquals(s.depth - 1, s.held(b));
    }

    @Test
    void addRoute_sameColourTwiceOrBadColour_errorsNamePeAndColour() {
        RouterSlots s = slots(3, 3);
        s.addRoute(4, 2, dirs(W), dirs(E));
        ConfigException twice = assertThrows(ConfigException.class, () -> s.addRoute(4, 2, dirs(N), dirs(S)));
        assertTrue(twice.getMessage().startsWith("PE (1,1), colour 2: the colour already has a route"),
                twice.getMessage());
        ConfigException colour = assertThrows(ConfigException.class, () -> s.addRoute(4, 24, dirs(N), dirs(S)));
        assertEquals("PE (1,1): colour 24 does not exist; the fabric has 24 colours (0..23)", colour.getMessage());
    }
}
