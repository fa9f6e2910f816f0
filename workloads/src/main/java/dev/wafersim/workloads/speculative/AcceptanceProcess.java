package dev.wafersim.workloads.speculative;

import dev.wafersim.core.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How many of a verify step's K drafted tokens the target accepts: draft position {@code j} (1-based) is
 * accepted with probability {@code a_j} once positions {@code 1..j-1} were, and the first rejection ends the
 * step. A constant rate is {@code a_j = A} for every j; per-position rates model a draft that is less sure
 * the further it runs ahead.
 *
 * <p>Seeded and stateless: the draw for position j of request r's s-th verify step is a hash of (seed, r, s,
 * j) mapped to [0, 1), so a sequence's acceptances do not depend on which other sequences share its passes,
 * on the order of events or on the machine. Nothing is allocated per draw.
 *
 * <p>Convention for {@link #expectedTokensPerStep}: accepted drafts plus the one token the verify step
 * itself gives (the bonus token after a full acceptance, or the target's correction), Leviathan et al.
 * (ICML 2023): for a constant rate {@code (1 - A^(K+1)) / (1 - A)}.
 */
public final class AcceptanceProcess {
    private final double[] rates;
    private final long seed;

    /**
     * A process with per-position rates ({@code rates.length} = K).
     *
     * @throws ConfigException for a rate outside [0, 1] or no rate
     */
    public AcceptanceProcess(double[] rates, long seed) {
        if (rates.length < 1) {
            throw new ConfigException("acceptance has no rate; expected a rate in [0, 1] or K rates a1/a2/...");
        }
        for (double a : rates) {
            if (!(a >= 0 && a <= 1)) {
                throw new ConfigException(String.format(Locale.ROOT, "acceptance=%s is not allowed; expected a rate in"
                        + " [0, 1]", a));
            }
        }
        this.rates = rates.clone();
        this.seed = seed;
    }

    /** A constant rate {@code a} for each of {@code k} positions. */
    public static AcceptanceProcess constant(double a, int k, long seed) {
        double[] r = new double[k];
        Arrays.fill(r, a);
        return new AcceptanceProcess(r, seed);
    }

    /** Draft tokens per step, K. */
    public int k() {
        return rates.length;
    }

    /** Acceptance rate of draft position {@code j} (1-based), given the earlier positions were accepted. */
    public double rate(int j) {
        return rates[j - 1];
    }

    /** The rates, one per position. */
    public double[] rates() {
        return rates.clone();
    }

    /** Drafts accepted in request {@code request}'s {@code step}-th verify step (0-based), in [0, K]. */
    public int accepted(int request, long step) {
        for (int j = 1; j <= rates.length; j++) {
            if (uniform(request, step, j) >= rates[j - 1]) {
                return j - 1;
            }
        }
        return rates.length;
    }

    /**
     * Expected tokens per verify step, accepted drafts plus the bonus token:
     * {@code 1 + sum_{j=1..K} prod_{i<=j} a_i} (for a constant rate {@code (1 - A^(K+1)) / (1 - A)}).
     */
    public double expectedTokensPerStep() {
        double e = 1;
        double p = 1;
        for (double a : rates) {
            p *= a;
            e += p;
        }
        return e;
    }

    /** A uniform draw in [0, 1) for (request, step, position): SplitMix64 finalizer over the mixed key. */
    private double uniform(int request, long step, int position) {
        long z = seed ^ (request * 0x9E3779B97F4A7C15L) ^ (step * 0xC2B2AE3D27D4EB4FL) ^ (position * 0x165667B19E3779F9L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /** {@code A} for a constant rate, else {@code a1/a2/...}. */
    @Override
    public String toString() {
        boolean constant = true;
        for (double a : rates) {
            constant &= a == rates[0];
        }
        if (constant) {
            return fmt(rates[0]);
        }
        StringBuilder sb = new StringBuilder();
        for (double a : rates) {
            sb.append(sb.length() == 0 ? "" : "/").append(fmt(a));
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
