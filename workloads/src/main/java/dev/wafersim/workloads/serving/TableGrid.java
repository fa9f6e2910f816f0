package dev.wafersim.workloads.serving;

/**
 * A grid of points on a token (or sequence) axis that is linear near zero and geometric above:
 * multiples of {@code step} up to {@code step x perOctave}, then {@code perOctave} evenly spaced points
 * in every doubling. With {@code step} and {@code perOctave} powers of two, the points of neighbouring
 * octaves line up, and two neighbouring points above the linear part are at most {@code 1 / perOctave}
 * apart relative to the lower one.
 *
 * <p>Point {@code i}: {@code i x step} for {@code i < perOctave}; otherwise, with
 * {@code j = (i - perOctave) / perOctave} and {@code k = (i - perOctave) % perOctave},
 * {@code step x 2^j x (perOctave + k)}. Point 0 is raised to {@code lowest} (1 for axes that cannot be
 * zero: batch sizes, chunk lengths).
 */
final class TableGrid {
    private final long step;
    private final int perOctave;
    private final long lowest;
    private final double linearEnd;

    TableGrid(long step, int perOctave, long lowest) {
        if (Long.bitCount(step) != 1 || Integer.bitCount(perOctave) != 1 || lowest < 0 || lowest > step) {
            throw new IllegalArgumentException("grid step " + step + ", per octave " + perOctave + ", lowest " + lowest);
        }
        this.step = step;
        this.perOctave = perOctave;
        this.lowest = lowest;
        this.linearEnd = (double) step * perOctave;
    }

    /** Index of the grid point at or below {@code x} (x >= lowest). */
    int index(double x) {
        if (x < linearEnd) {
            return (int) (x / step);
        }
        long q = (long) (x / linearEnd);
        int j = 63 - Long.numberOfLeadingZeros(q);
        double base = linearEnd * (1L << j);
        double width = (double) step * (1L << j);
        int k = (int) ((x - base) / width);
        if (k >= perOctave) {
            k = perOctave - 1;
        }
        return perOctave + j * perOctave + k;
    }

    /** Value of grid point {@code i}. */
    long value(int i) {
        if (i < perOctave) {
            return Math.max(lowest, i * step);
        }
        int j = (i - perOctave) / perOctave;
        int k = (i - perOctave) % perOctave;
        return Math.multiplyExact(step << j, perOctave + k);
    }
}
