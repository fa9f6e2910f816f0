package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Sets routes on a fabric on behalf of collectives, so that several phases of one program can use
 * the same colour with the same route at a router (as CSL programs do: the route is static, the
 * data on it changes over time). Setting an identical route twice is a no-op; setting a different
 * route for a colour a router already routes is a {@link ConfigException} naming the PE and colour.
 */
public final class RouteBook {
    private final Fabric fabric;
    private final Map<Long, int[]> set = new HashMap<>();

    public RouteBook(Fabric fabric) {
        this.fabric = fabric;
    }

    /** The fabric routes are set on. */
    public Fabric fabric() {
        return fabric;
    }

    /** Sets the route of {@code colour} at PE (x, y), or checks it equals the one already set. */
    public void setRoute(int x, int y, int colour, int[] inMasks, int[] outMasks) {
        long key = (((long) y << 20) | x) << 6 | colour;
        int[] v = new int[inMasks.length * 2];
        for (int k = 0; k < inMasks.length; k++) {
            v[2 * k] = inMasks[k];
            v[2 * k + 1] = outMasks[k];
        }
        int[] old = set.get(key);
        if (old != null) {
            if (!Arrays.equals(old, v)) {
                throw new ConfigException("PE (" + x + "," + y + "), colour " + colour
                        + ": two phases need different routes for this colour at this router");
            }
            return;
        }
        set.put(key, v);
        fabric.setRoute(x, y, colour, inMasks, outMasks);
    }

    /** One route configuration. */
    public void setRoute(int x, int y, int colour, int inMask, int outMask) {
        setRoute(x, y, colour, new int[] {inMask}, new int[] {outMask});
    }
}
