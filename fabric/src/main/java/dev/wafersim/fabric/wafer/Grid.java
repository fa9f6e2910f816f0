package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;

/**
 * The 2D grid of routers (one per PE): router r is PE (r mod width, r / width); directions are
 * {@link Fabric#N} (y - 1), {@link Fabric#E} (x + 1), {@link Fabric#S} (y + 1), {@link Fabric#W}
 * (x - 1) and {@link Fabric#RAMP} (the router's own PE). Used by every part for coordinates and
 * for the names in messages.
 */
final class Grid {
    static final String[] DIR_NAMES = {"north", "east", "south", "west", "ramp"};
    private static final int[] DX = {0, 1, 0, -1};
    private static final int[] DY = {-1, 0, 1, 0};

    final int width;
    final int height;
    final int routers;

    Grid(int width, int height) {
        this.width = width;
        this.height = height;
        this.routers = width * height;
    }

    /** Router index of PE (x, y). */
    int router(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new ConfigException("PE (" + x + "," + y + ") is outside the " + width + " x " + height + " grid");
        }
        return y * width + x;
    }

    /** The neighbour of router r in direction d (N, E, S, W), or -1 off the edge. */
    int neighbour(int r, int d) {
        int x = r % width + DX[d];
        int y = r / width + DY[d];
        if (x < 0 || x >= width || y < 0 || y >= height) {
            return -1;
        }
        return y * width + x;
    }

    /** The neighbour of router r in direction d, which must exist (hot paths: no checks). */
    int step(int r, int d) {
        switch (d) {
            case Fabric.N:
                return r - width;
            case Fabric.E:
                return r + 1;
            case Fabric.S:
                return r + width;
            default:
                return r - 1;
        }
    }

    /** "PE (x,y)" for router r, as messages name it. */
    String pe(int r) {
        return "PE (" + (r % width) + "," + (r / width) + ")";
    }
}
