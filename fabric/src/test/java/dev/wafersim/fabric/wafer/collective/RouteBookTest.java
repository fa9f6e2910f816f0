package dev.wafersim.fabric.wafer.collective;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.S;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WsePresets;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class RouteBookTest {

    @Test
    void setRoute_sameRouteTwice_setOnce() {
        Fabric f = new Fabric(WsePresets.params("wse3").withGrid(4, 4), Fabric.Options.TIMING);
        RouteBook rb = new RouteBook(f);
        rb.setRoute(1, 1, 3, dirs(W), dirs(E, RAMP));
        rb.setRoute(1, 1, 3, new int[] {dirs(W)}, new int[] {dirs(E, RAMP)});
        rb.setRoute(2, 1, 3, new int[] {dirs(RAMP), dirs(W)}, new int[] {dirs(S), dirs(S)});
        rb.setRoute(2, 1, 3, new int[] {dirs(RAMP), dirs(W)}, new int[] {dirs(S), dirs(S)});
        assertEquals(2, f.configuredRoutes());
    }

    @Test
    void setRoute_differentRouteSameColour_errorNamesPeAndColour() {
        Fabric f = new Fabric(WsePresets.params("wse3").withGrid(4, 4), Fabric.Options.TIMING);
        RouteBook rb = new RouteBook(f);
        rb.setRoute(1, 1, 3, dirs(W), dirs(E));
        rb.setRoute(2, 1, 3, new int[] {dirs(RAMP), dirs(W)}, new int[] {dirs(S), dirs(S)});
        String msg = "PE (1,1), colour 3: two phases need different routes for this colour at this router";
        assertEquals(msg, assertThrows(ConfigException.class, () -> rb.setRoute(1, 1, 3, dirs(W), dirs(S))).getMessage());
        assertEquals(msg, assertThrows(ConfigException.class,
                () -> rb.setRoute(1, 1, 3, new int[] {dirs(W), dirs(W)}, new int[] {dirs(E), dirs(E)})).getMessage());
        assertThrows(ConfigException.class,
                () -> rb.setRoute(2, 1, 3, new int[] {dirs(RAMP), dirs(W)}, new int[] {dirs(S), dirs(E)}));
        assertThrows(ConfigException.class, () -> rb.setRoute(2, 1, 3, dirs(RAMP), dirs(S)));
    }

    /**
     * Setting single-configuration routes allocates no object per route, only arrays. By hand for
     * 512 x 512 = 262,144 routes: the book keeps nothing of its own; the fabric's 16-byte pending
     * route records double from 64 records to 262,144 (4 MiB), and the arrays left behind on the
     * way sum to about as much again: 32 bytes a route. A hash map of routes (12-byte entries in a
     * table of 524,288, grown by doubling) would add 48, a boxed key and node 48 more.
     */
    @Test
    void setRoute_manyRoutes_allocatesNoObjectPerRoute() {
        int n = 512;
        Fabric f = new Fabric(WsePresets.params("wse3").withGrid(n, n), Fabric.Options.TIMING);
        RouteBook rb = new RouteBook(f);
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int ramp = dirs(RAMP);
        int west = dirs(W);
        int eastAndRamp = dirs(E, RAMP);
        long before = tm.getCurrentThreadAllocatedBytes();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                rb.setRoute(x, y, 0, x == 0 ? ramp : west, x == n - 1 ? ramp : eastAndRamp);
            }
        }
        double perRoute = (tm.getCurrentThreadAllocatedBytes() - before) / (double) (n * n);
        assertEquals(n * n, f.configuredRoutes());
        assertTrue(perRoute < 40, "bytes allocated per route: " + perRoute);
    }
}
