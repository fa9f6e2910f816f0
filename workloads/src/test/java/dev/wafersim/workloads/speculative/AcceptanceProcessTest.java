package dev.wafersim.workloads.speculative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The acceptance process against the closed form of Leviathan et al. and the reference anchor. */
class AcceptanceProcessTest {
    /** The simulated mean of accepted + 1 over {@code steps} steps of 1,000 requests. */
    private static double simulatedMean(AcceptanceProcess a, int steps) {
        long sum = 0;
        long n = 0;
        for (int r = 0; r < 1000; r++) {
            for (int s = 0; s < steps; s++) {
                sum += a.accepted(r, s) + 1;
                n++;
            }
        }
        return sum / (double) n;
    }

    @Test
    void expectedTokensPerStep_referenceAnchor_is265() {
        // reference serving.md: k = 4, a = 0.675 gives (1 - 0.675^5) / (1 - 0.675) = 2.65 (vLLM issue #22230 logged 2.66).
        AcceptanceProcess a = AcceptanceProcess.constant(0.675, 4, 1);
        assertEquals((1 - Math.pow(0.675, 5)) / (1 - 0.675), a.expectedTokensPerStep(), 1e-12);
        assertEquals(2.65, a.expectedTokensPerStep(), 0.005);
    }

    @Test
    void accepted_constantRate_meanMatchesClosedFormWithinFourSigma() {
        for (double rate : new double[] {0.3, 0.675, 0.9}) {
            for (int k : new int[] {1, 4, 8}) {
                AcceptanceProcess a = AcceptanceProcess.constant(rate, k, 42);
                double e = (1 - Math.pow(rate, k + 1)) / (1 - rate);
                // Variance of the tokens per step T = 1 + N: E[T^2] = sum_{t=1..K+1} (2t - 1) P(T >= t), P(T >= t) = a^(t-1).
                double second = 0;
                for (int t = 1; t <= k + 1; t++) {
                    second += (2 * t - 1) * Math.pow(rate, t - 1);
                }
                double sigma = Math.sqrt((second - e * e) / 200_000);
                double m = simulatedMean(a, 200);
                assertEquals(e, m, 4 * sigma, "rate " + rate + ", k " + k);
            }
        }
    }

    @Test
    void accepted_perPositionRates_meanMatchesProductSum() {
        AcceptanceProcess a = new AcceptanceProcess(new double[] {0.9, 0.8, 0.7}, 7);
        // 1 + 0.9 + 0.9 x 0.8 + 0.9 x 0.8 x 0.7 = 3.124
        assertEquals(3.124, a.expectedTokensPerStep(), 1e-12);
        assertEquals(3.124, simulatedMean(a, 200), 0.01);
    }

    @Test
    void accepted_rateOneAndZero_areDeterministic() {
        assertEquals(4, AcceptanceProcess.constant(1, 4, 3).accepted(17, 5));
        assertEquals(0, AcceptanceProcess.constant(0, 4, 3).accepted(17, 5));
    }

    @Test
    void accepted_sameSeedRequestAndStep_sameDraw() {
        AcceptanceProcess a = AcceptanceProcess.constant(0.6, 6, 11);
        AcceptanceProcess b = AcceptanceProcess.constant(0.6, 6, 11);
        for (int s = 0; s < 100; s++) {
            assertEquals(a.accepted(3, s), b.accepted(3, s));
        }
    }

    @Test
    void constructor_rateAboveOne_isRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> AcceptanceProcess.constant(1.2, 4, 1));
        assertTrue(e.getMessage().contains("expected a rate in [0, 1]"), e.getMessage());
    }
}
