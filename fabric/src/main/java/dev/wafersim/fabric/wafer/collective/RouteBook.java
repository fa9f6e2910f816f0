package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;

/**
 * Sets routes on a fabric on behalf of collectives, so that several phases of one program can use
 * the same colour with the same route at a router (as CSL programs do: the route is static, the
 * data on it changes over time). Setting an identical route twice is a no-op; setting a different
 * route for a colour a router already routes is a {@link ConfigException} naming the PE and colour.
 *
 * <p>Memory: none of its own. The fabric already knows which colours each router routes (a bit
 * set per router) and their configurations, so a route is checked against the fabric's copy
 * ({@link Fabric#hasRoute}, {@link Fabric#sameRoute}) rather than kept a second time in a hash map
 * (measured on building the 512 x 512 2D reduce of {@code bench fabric}: that map's lookups and
 * growth were 43 of 223 JFR samples of the build, and 12 to 24 bytes a route).
 */
public final class RouteBook {
    private final Fabric fabric;

    public RouteBook(Fabric fabric) {
        this.fabric = fabric;
    }

    /** The fabric routes are set on. */
    public Fabric fabric() {
        return fabric;
    }

    /** Sets the route of {@code colour} at PE (x, y), or checks it equals the one already set. */
    public void setRoute(int x, int y, int colour, int[] inMasks, int[] outMasks) {
        if (inMasks.length == 1 && outMasks.length == 1) {
            setRoute(x, y, colour, inMasks[0], outMasks[0]);
            return;
        }
        if (fabric.hasRoute(x, y, colour)) {
            if (!fabric.sameRoute(x, y, colour, inMasks, outMasks)) {
                throw conflict(x, y, colour);
            }
            return;
        }
        fabric.setRoute(x, y, colour, inMasks, outMasks);
    }

    /** One route configuration (allocates nothing). */
    public void setRoute(int x, int y, int colour, int inMask, int outMask) {
        if (fabric.hasRoute(x, y, colour)) {
            if (!fabric.sameRoute(x, y, colour, inMask, outMask)) {
                throw conflict(x, y, colour);
            }
            return;
        }
        fabric.setRoute(x, y, colour, inMask, outMask);
    }

    private static ConfigException conflict(int x, int y, int colour) {
        return new ConfigException("PE (" + x + "," + y + "), colour " + colour
                + ": two phases need different routes for this colour at this router");
    }
}
