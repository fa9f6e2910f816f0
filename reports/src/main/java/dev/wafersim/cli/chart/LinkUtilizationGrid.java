package dev.wafersim.cli.chart;

import java.util.Objects;

/**
 * Fabric link utilization over a rectangular region of PEs during one decode step: for each PE, the
 * fraction of the step's cycles its links were busy (0 to 1). Row-major: PE (column x, row y) is
 * {@code utilization[y * width + x]}; row 0 is the top (north) row of the region.
 *
 * @param title       what the grid shows, e.g. {@code wse3, llama-3.1-8b, step 0, layer 3 region}
 * @param width       PE columns
 * @param height      PE rows
 * @param utilization busy fraction per PE, in [0, 1], row-major
 */
public record LinkUtilizationGrid(String title, int width, int height, double[] utilization) {
    /** Largest accepted side, PEs (larger than any wafer). */
    public static final int MAX_SIDE = 1 << 14;

    public LinkUtilizationGrid {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(utilization, "utilization");
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("grid " + width + " x " + height + " is not allowed; expected 1 to "
                    + MAX_SIDE + " PEs each way");
        }
        if (utilization.length != (long) width * height) {
            throw new IllegalArgumentException("utilization has " + utilization.length + " values; a " + width + " x "
                    + height + " grid needs " + (long) width * height);
        }
        for (int i = 0; i < utilization.length; i++) {
            double u = utilization[i];
            if (!(u >= 0 && u <= 1)) {
                throw new IllegalArgumentException("utilization of PE (" + i % width + ", " + i / width + ") is " + u
                        + "; expected a fraction in [0, 1]");
            }
        }
        utilization = utilization.clone();
    }

    /** The busy fractions, row-major (a copy). */
    @Override
    public double[] utilization() {
        return utilization.clone();
    }

    /** Utilization of the PE at column {@code x}, row {@code y}. */
    public double at(int x, int y) {
        return utilization[y * width + x];
    }
}
