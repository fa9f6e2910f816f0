package dev.wafersim.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {

    /**
     * Mean and variance of the ziggurat exponential. For n = 2,000,000 standard exponential draws the
     * sample mean has standard error 1/sqrt(n) = 0.000707 and the sample variance about
     * sqrt(8/n) = 0.002 (fourth central moment of Exp(1) is 9); 6 standard errors are allowed.
     */
    @Test
    void nextExponential_manyDraws_meanAndVarianceAreOne() {
        Rng r = new Rng(7);
        int n = 2_000_000;
        double sum = 0;
        double sumSq = 0;
        int tailCount = 0;
        for (int i = 0; i < n; i++) {
            double x = r.nextExponential();
            assertTrue(x >= 0);
            sum += x;
            sumSq += x * x;
            if (x > 3) {
                tailCount++;
            }
        }
        double mean = sum / n;
        double var = sumSq / n - mean * mean;
        assertEquals(1.0, mean, 6 * 0.000707);
        assertEquals(1.0, var, 6 * 0.002);
        // P(X > 3) = e^-3 = 0.049787; binomial standard error sqrt(p(1-p)/n) = 0.000154.
        assertEquals(Math.exp(-3), tailCount / (double) n, 6 * 0.000154);
    }

    /** Chi-square test of nextInt(10) over 1,000,000 draws: 9 degrees of freedom, 99.99% quantile 33.7. */
    @Test
    void nextInt_bound10_isUniform() {
        Rng r = new Rng(3);
        int n = 1_000_000;
        int[] counts = new int[10];
        for (int i = 0; i < n; i++) {
            counts[r.nextInt(10)]++;
        }
        double expected = n / 10.0;
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertTrue(chi2 < 33.7, "chi-square " + chi2);
    }

    @Test
    void streams_sameSeedSameName_areIdentical_otherwiseDiffer() {
        RandomStreams a = new RandomStreams(99);
        RandomStreams b = new RandomStreams(99);
        assertEquals(a.stream("router").nextLong(), b.stream("router").nextLong());
        assertEquals(a.stream("lp", 5).nextLong(), b.stream("lp", 5).nextLong());
        assertNotEquals(a.stream("router").nextLong(), a.stream("pe").nextLong());
        assertNotEquals(a.stream("lp", 5).nextLong(), a.stream("lp", 6).nextLong());
        assertNotEquals(a.stream("router").nextLong(), new RandomStreams(100).stream("router").nextLong());
    }
}
