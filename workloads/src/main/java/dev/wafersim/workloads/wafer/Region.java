package dev.wafersim.workloads.wafer;

import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.collective.Line;

/**
 * A rectangle of PEs holding one segment of the model (a layer, the embedding table, the LM head),
 * with an orientation. Programs are written in local coordinates: u = 0..cols-1 from west to east,
 * v = 0..rows-1 from the input edge (local north) to the output edge (local south). A flipped region
 * has its input edge at the bottom (global south) and its output edge at the top, so that a chain of
 * regions can snake up and down the wafer.
 *
 * @param x0      global x of the west column
 * @param y0      global y of the top row
 * @param cols    width in PEs
 * @param rows    height in PEs
 * @param flipped input edge at the bottom instead of the top
 */
public record Region(int x0, int y0, int cols, int rows, boolean flipped) {

    public Region {
        if (cols < 1 || rows < 1) {
            throw new IllegalArgumentException("a region needs at least one PE, got " + cols + " x " + rows);
        }
    }

    /** The same rectangle at the origin of its own fabric (episodes simulate a region alone). */
    public Region atOrigin() {
        return new Region(0, 0, cols, rows, flipped);
    }

    /** PEs in the region. */
    public long pes() {
        return (long) cols * rows;
    }

    /** Global x of local column u. */
    public int x(int u) {
        return x0 + u;
    }

    /** Global y of local row v. */
    public int y(int v) {
        return flipped ? y0 + rows - 1 - v : y0 + v;
    }

    /** Global direction of a local direction. */
    public int dir(int local) {
        if (!flipped) {
            return local;
        }
        return switch (local) {
            case Fabric.N -> Fabric.S;
            case Fabric.S -> Fabric.N;
            default -> local;
        };
    }

    /** Local row v from column u0 eastwards over n PEs (root at u0). */
    public Line row(int v, int u0, int n) {
        return new Line(x(u0), y(v), Fabric.E, n);
    }

    /** Local column u from row v0 towards the output edge over n PEs (root at v0). */
    public Line down(int u, int v0, int n) {
        return new Line(x(u), y(v0), dir(Fabric.S), n);
    }

    /** Local column u from row v0 towards the input edge over n PEs (root at v0). */
    public Line up(int u, int v0, int n) {
        return new Line(x(u), y(v0), dir(Fabric.N), n);
    }
}
