package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.random.RandomStreams;
import dev.wafersim.core.random.Rng;
import java.util.Locale;
import java.util.Objects;

/**
 * A seeded synthetic workload: {@code requests} requests arriving at {@code rate} per second by an
 * {@link ArrivalProcess}, with prompt and output lengths from {@link LengthDistribution}s. The first
 * request arrives at time 0.
 *
 * <p>Gaps, prompt lengths and output lengths come from three independent streams of the seed
 * ({@code serving.arrivals}, {@code serving.promptTokens}, {@code serving.outputTokens}), so changing one
 * distribution leaves the others' draws alone, and {@link #trace(double)} at another rate gives the same
 * requests with every gap scaled by the ratio of the rates (what the goodput search relies on). Each gap
 * is rounded to the picosecond.
 *
 * @param requests requests to generate, >= 1
 * @param arrival  the arrival process
 * @param prompt   prompt lengths
 * @param output   output lengths
 * @param seed     the seed
 */
public record SyntheticWorkload(int requests, ArrivalProcess arrival, LengthDistribution prompt,
                                LengthDistribution output, long seed) {
    /** Largest number of requests a synthetic workload may have. */
    public static final int MAX_REQUESTS = 10_000_000;

    public SyntheticWorkload {
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(output, "output");
        if (requests < 1 || requests > MAX_REQUESTS) {
            throw new ConfigException("--requests=" + requests + " is not allowed; expected an integer in [1, "
                    + MAX_REQUESTS + "]");
        }
    }

    /**
     * The requests at {@code ratePerSecond}.
     *
     * @throws ConfigException for a rate that is not positive and finite
     */
    public RequestTrace trace(double ratePerSecond) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond) || ratePerSecond > 1e9) {
            throw new ConfigException("--rate=" + ratePerSecond + " is not allowed; expected requests per second in (0, 1e9]");
        }
        RandomStreams streams = new RandomStreams(seed);
        Rng gaps = streams.stream("serving.arrivals");
        Rng prompts = streams.stream("serving.promptTokens");
        Rng outputs = streams.stream("serving.outputTokens");
        long[] a = new long[requests];
        int[] p = new int[requests];
        int[] o = new int[requests];
        double meanGapPs = 1e12 / ratePerSecond;
        long t = 0;
        for (int i = 0; i < requests; i++) {
            double unit = arrival.unitGap(gaps);
            if (i > 0) {
                double gapPs = unit * meanGapPs;
                if (t + gapPs > RequestTrace.MAX_ARRIVAL_PS) {
                    throw new ConfigException(String.format(Locale.ROOT, "--rate=%s with --requests=%d spans more than"
                            + " %.0f s of arrivals; expected a higher rate or fewer requests", ratePerSecond, requests,
                            RequestTrace.MAX_ARRIVAL_PS / 1e12));
                }
                t += Math.round(gapPs);
            }
            a[i] = t;
            p[i] = prompt.sample(prompts);
            o[i] = output.sample(outputs);
        }
        return RequestTrace.of(a, p, o, describe(ratePerSecond));
    }

    /** One line: the arrival process, rate, count, lengths and seed. */
    public String describe(double ratePerSecond) {
        return String.format(Locale.ROOT, "%s arrivals at %s req/s, %d requests, prompt %s, output %s, seed %d",
                arrival, trimmed(ratePerSecond), requests, prompt, output, seed);
    }

    private static String trimmed(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
