package dev.wafersim.workloads.serving;

import org.HdrHistogram.Histogram;

/**
 * Summary statistics of one latency metric over requests (or over token gaps), in milliseconds. The
 * mean and the maximum are exact; the percentiles come from an HdrHistogram of the values in ns with 3
 * significant digits, so each is within 0.1% of the exact order statistic.
 *
 * @param count values summarized
 * @param mean  arithmetic mean, ms
 * @param p50   median, ms
 * @param p90   90th percentile, ms
 * @param p99   99th percentile, ms
 * @param max   largest value, ms
 */
public record Distribution(long count, double mean, double p50, double p90, double p99, double max) {
    /** Significant decimal digits of the histograms. */
    public static final int DIGITS = 3;

    /** The distribution of {@code values} (ps; NaN or negative values are skipped); null when none is left. */
    public static Distribution ofPs(double[] values) {
        Histogram h = new Histogram(DIGITS);
        long n = 0;
        double sum = 0;
        double max = 0;
        for (double v : values) {
            if (Double.isNaN(v) || v < 0) {
                continue;
            }
            h.recordValue(Math.max(1, Math.round(v / 1000)));
            n++;
            sum += v;
            max = Math.max(max, v);
        }
        return n == 0 ? null : of(h, n, sum, max);
    }

    /** A distribution from a histogram of ns values with its exact count, sum (ps) and maximum (ps). */
    public static Distribution of(Histogram ns, long count, double sumPs, double maxPs) {
        if (count == 0) {
            return null;
        }
        double maxMs = maxPs / 1e9;
        return new Distribution(count, sumPs / count / 1e9, pct(ns, 50, maxMs), pct(ns, 90, maxMs),
                pct(ns, 99, maxMs), maxMs);
    }

    /** Percentile {@code p} in ms: the middle of its histogram bucket, never above the exact maximum. */
    private static double pct(Histogram h, double p, double maxMs) {
        return Math.min(maxMs, h.medianEquivalentValue(h.getValueAtPercentile(p)) / 1e6);
    }
}
