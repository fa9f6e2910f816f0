package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.random.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The generators against their closed forms, on fixed seeds with enough draws for the stated tolerances. */
class SyntheticWorkloadTest {
    private static final int DRAWS = 200_000;

    @Test
    void zipf_frequencies_matchTheBoundedZipfLaw() {
        // P(k) = k^-1.2 / H(50, 1.2); with 200,000 draws each frequency's standard error is below 0.0011.
        LengthDistribution z = LengthDistribution.parse("zipf:s=1.2,max=50", "--output-tokens");
        double h = 0;
        for (int k = 1; k <= 50; k++) {
            h += Math.pow(k, -1.2);
        }
        int[] counts = new int[51];
        Rng rng = new Rng(17);
        double sum = 0;
        for (int i = 0; i < DRAWS; i++) {
            int k = z.sample(rng);
            assertTrue(k >= 1 && k <= 50, "draw " + k);
            counts[k]++;
            sum += k;
        }
        for (int k : new int[] {1, 2, 3, 10, 50}) {
            double p = Math.pow(k, -1.2) / h;
            assertEquals(p, counts[k] / (double) DRAWS, 0.005, "P(" + k + ")");
        }
        assertEquals(z.mean(), sum / DRAWS, 0.02 * z.mean());
    }

    @Test
    void lognormal_median_isTheGivenMedian() {
        LengthDistribution l = LengthDistribution.parse("lognormal:median=2000,sigma=0.7", "--prompt-tokens");
        Rng rng = new Rng(3);
        int[] v = new int[DRAWS];
        double sum = 0;
        for (int i = 0; i < DRAWS; i++) {
            v[i] = l.sample(rng);
            sum += v[i];
        }
        Arrays.sort(v);
        assertEquals(2000, v[DRAWS / 2], 20);
        // Mean of the lognormal law: 2,000 exp(0.7^2 / 2) = 2,554.2.
        assertEquals(2000 * Math.exp(0.245), sum / DRAWS, 0.01 * 2554);
    }

    @Test
    void uniformAndFixed_stayInRange() {
        Rng rng = new Rng(5);
        LengthDistribution u = LengthDistribution.parse("uniform:3..5", "x");
        int[] seen = new int[6];
        for (int i = 0; i < 3000; i++) {
            seen[u.sample(rng)]++;
        }
        assertEquals(0, seen[2]);
        assertTrue(seen[3] > 900 && seen[4] > 900 && seen[5] > 900);
        assertEquals(7, LengthDistribution.parse("fixed:7", "x").sample(rng));
    }

    @Test
    void gammaArrivals_haveTheGivenMeanAndCoefficientOfVariation() {
        for (double cv : new double[] {0.5, 1, 2, 4}) {
            ArrivalProcess a = ArrivalProcess.parse("gamma:cv=" + cv);
            Rng rng = new Rng(11);
            double s = 0;
            double s2 = 0;
            int n = 400_000;
            for (int i = 0; i < n; i++) {
                double g = a.unitGap(rng);
                s += g;
                s2 += g * g;
            }
            double mean = s / n;
            double sd = Math.sqrt(s2 / n - mean * mean);
            assertEquals(1, mean, 0.02, "cv " + cv);
            assertEquals(cv, sd / mean, 0.04 * cv, "cv " + cv);
        }
    }

    @Test
    void trace_otherRate_isTheSameRequestsOnAStretchedClock() {
        SyntheticWorkload w = new SyntheticWorkload(100, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("uniform:1..1000", "p"), LengthDistribution.parse("fixed:8", "o"), 42);
        RequestTrace a = w.trace(10);
        RequestTrace b = w.trace(20);
        assertEquals(0, a.arrivalPs(0));
        for (int i = 1; i < 100; i++) {
            assertEquals(a.arrivalPs(i) / 2.0, b.arrivalPs(i), i);
            assertEquals(a.promptTokens(i), b.promptTokens(i));
        }
        assertEquals(10, a.meanRatePerSecond(), 2.5);
    }

    @Test
    void parse_badText_namesTheOptionAndTheForms() {
        ConfigException e = assertThrows(ConfigException.class, () -> LengthDistribution.parse("normal:5", "--prompt-tokens"));
        assertEquals("--prompt-tokens=normal:5 is not allowed; expected fixed:N, uniform:A..B, lognormal:median=M,sigma=S"
                + " or zipf:s=S,max=N (token counts >= 1)", e.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> LengthDistribution.parse("uniform:9..3", "--p"))
                .getMessage().contains("upper bound 3 is below the lower bound 9"));
        assertTrue(assertThrows(ConfigException.class, () -> LengthDistribution.parse("fixed:0", "--p"))
                .getMessage().contains("0 tokens"));
        assertTrue(assertThrows(ConfigException.class, () -> LengthDistribution.parse("zipf:s=1", "--p"))
                .getMessage().contains("'max' is missing"));
        assertTrue(assertThrows(ConfigException.class, () -> ArrivalProcess.parse("bursty")).getMessage()
                .startsWith("--arrival=bursty is not allowed; expected poisson or gamma:cv=C"));
        assertTrue(assertThrows(ConfigException.class, () -> new SyntheticWorkload(0, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("fixed:1", "p"), LengthDistribution.parse("fixed:1", "o"), 1))
                .getMessage().startsWith("--requests=0"));
    }
}
