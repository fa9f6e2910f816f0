package dev.wafersim.workloads.model;

/**
 * How many distinct experts of one MoE layer a decode step touches, which sets the expert weight
 * bytes read (every touched expert's matrices are read once per step, however many tokens it serves).
 *
 * <p>Decode routing is data-dependent; these are assumptions, chosen by the experiment.
 */
public enum ExpertRouting {
    /**
     * Expected value under uniform, independent routing: each of {@code t} tokens picks {@code k}
     * distinct experts of {@code E} uniformly at random, so a given expert is missed by one token with
     * probability {@code 1 - k/E} and by all with {@code (1 - k/E)^t}; the expected number touched is
     * {@code E * (1 - (1 - k/E)^t)}. Equals {@code k} for one token and tends to {@code E} as
     * {@code t} grows. Real routers are skewed, which touches fewer experts than this.
     */
    UNIFORM_EXPECTED {
        @Override
        public double distinctExperts(int experts, int perToken, long tokens) {
            check(experts, perToken, tokens);
            if (tokens == 1) {
                return perToken;
            }
            // E * (1 - (1 - k/E)^t), computed as -E * expm1(t * log1p(-k/E)) to keep precision when k/E is small.
            return -experts * Math.expm1(tokens * Math.log1p(-(double) perToken / experts));
        }
    },
    /** Worst case for weight traffic: the tokens' choices never overlap, {@code min(E, k * t)}. */
    ALL_DISTINCT {
        @Override
        public double distinctExperts(int experts, int perToken, long tokens) {
            check(experts, perToken, tokens);
            return Math.min(experts, (double) perToken * tokens);
        }
    };

    /**
     * Distinct experts touched by {@code tokens} tokens each routed to {@code perToken} of
     * {@code experts} experts; in [{@code perToken}, {@code experts}].
     */
    public abstract double distinctExperts(int experts, int perToken, long tokens);

    private static void check(int experts, int perToken, long tokens) {
        if (experts < 1 || perToken < 1 || perToken > experts || tokens < 1) {
            throw new IllegalArgumentException("experts " + experts + ", per token " + perToken + ", tokens " + tokens);
        }
    }
}
