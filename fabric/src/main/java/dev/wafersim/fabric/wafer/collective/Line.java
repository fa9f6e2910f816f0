package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.fabric.wafer.Fabric;

/**
 * A straight line of PEs: PE k sits at ({@code x0 + k*dx}, {@code y0 + k*dy}) for k in [0, length),
 * where (dx, dy) is the unit step of direction {@code dir} ({@link Fabric#E}, {@link Fabric#S},
 * {@link Fabric#W} or {@link Fabric#N}). PE 0 is the line's root: broadcasts start there and
 * reductions end there.
 */
public record Line(int x0, int y0, int dir, int length) {
    private static final int[] DX = {0, 1, 0, -1};
    private static final int[] DY = {-1, 0, 1, 0};

    public Line {
        if (dir < 0 || dir > 3) {
            throw new IllegalArgumentException("direction must be N, E, S or W");
        }
        if (length < 1) {
            throw new IllegalArgumentException("a line needs at least one PE");
        }
    }

    /** A row of {@code n} PEs from (x0, y) going east. */
    public static Line row(int x0, int y, int n) {
        return new Line(x0, y, Fabric.E, n);
    }

    /** A column of {@code n} PEs from (x, y0) going south. */
    public static Line column(int x, int y0, int n) {
        return new Line(x, y0, Fabric.S, n);
    }

    /** x of PE k. */
    public int x(int k) {
        return x0 + k * DX[dir];
    }

    /** y of PE k. */
    public int y(int k) {
        return y0 + k * DY[dir];
    }

    /** Direction away from the root. */
    public int away() {
        return dir;
    }

    /** Direction towards the root. */
    public int toward() {
        return (dir + 2) & 3;
    }

    /** The sub-line of PEs [from, from + n). */
    public Line sub(int from, int n) {
        if (from < 0 || n < 1 || from + n > length) {
            throw new IllegalArgumentException("sub-line [" + from + ", " + (from + n) + ") outside [0, " + length + ")");
        }
        return new Line(x(from), y(from), dir, n);
    }
}
