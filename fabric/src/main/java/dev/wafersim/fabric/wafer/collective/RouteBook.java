package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;

/**
 * Sets routes on a fabric on behalf of collectives, so that several phases of one program can use
 * the same colour with the same route at a router (as CSL programs do: the route is static, the
 * data on it changes over time). Setting an identical route twice is a no-op; setting a different
 * route for a colour a router already routes is a {@link ConfigException} naming the PE and colour.
 *
 * <p>Memory: one primitive map entry per route (no boxed keys or per-route arrays): a route with
 * one configuration is stored in the map's value itself (inputs | outputs << 5, 10 bits); one with
 * several is a list in a shared int array, the value pointing to it (negative).
 */
public final class RouteBook {
    private static final int NONE = Integer.MIN_VALUE;
    private final Fabric fabric;
    private final Long2IntOpenHashMap set = new Long2IntOpenHashMap();
    /** Routes with several configurations: count, then (inputs, outputs) per configuration. */
    private final IntArrayList lists = new IntArrayList();

    public RouteBook(Fabric fabric) {
        this.fabric = fabric;
        set.defaultReturnValue(NONE);
    }

    /** The fabric routes are set on. */
    public Fabric fabric() {
        return fabric;
    }

    private static long key(int x, int y, int colour) {
        return ((((long) y << 24) | (x & 0xFFFFFFL)) << 8) | (colour & 0xFF);
    }

    /** Sets the route of {@code colour} at PE (x, y), or checks it equals the one already set. */
    public void setRoute(int x, int y, int colour, int[] inMasks, int[] outMasks) {
        if (inMasks.length == 1 && outMasks.length == 1) {
            setRoute(x, y, colour, inMasks[0], outMasks[0]);
            return;
        }
        long key = key(x, y, colour);
        int old = set.get(key);
        if (old != NONE) {
            if (!sameList(old, inMasks, outMasks)) {
                throw conflict(x, y, colour);
            }
            return;
        }
        fabric.setRoute(x, y, colour, inMasks, outMasks);
        int at = lists.size();
        lists.add(inMasks.length);
        for (int k = 0; k < inMasks.length; k++) {
            lists.add(inMasks[k]);
            lists.add(k < outMasks.length ? outMasks[k] : -1);
        }
        set.put(key, -1 - at);
    }

    /** One route configuration (allocates nothing per route). */
    public void setRoute(int x, int y, int colour, int inMask, int outMask) {
        long key = key(x, y, colour);
        int v = (inMask & 31) | ((outMask & 31) << 5);
        int old = set.get(key);
        if (old != NONE) {
            if (old != v || inMask != (inMask & 31) || outMask != (outMask & 31)) {
                throw conflict(x, y, colour);
            }
            return;
        }
        fabric.setRoute(x, y, colour, inMask, outMask);
        set.put(key, v);
    }

    private boolean sameList(int old, int[] inMasks, int[] outMasks) {
        if (old >= 0 || inMasks.length != outMasks.length) {
            return false;
        }
        int at = -1 - old;
        if (lists.getInt(at) != inMasks.length) {
            return false;
        }
        for (int k = 0; k < inMasks.length; k++) {
            if (lists.getInt(at + 1 + 2 * k) != inMasks[k] || lists.getInt(at + 2 + 2 * k) != outMasks[k]) {
                return false;
            }
        }
        return true;
    }

    private static ConfigException conflict(int x, int y, int colour) {
        return new ConfigException("PE (" + x + "," + y + "), colour " + colour
                + ": two phases need different routes for this colour at this router");
    }
}
