package dev.wafersim.workloads.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/**
 * Goodput: the highest arrival rate at which at least {@code serving.goodputAttainment} of the requests
 * meet the SLO (DistServe's definition: Zhong et al., "DistServe: Disaggregating Prefill and Decoding for
 * Goodput-optimized Large Language Model Serving", OSDI 2024), found by bisection on the rate.
 *
 * <p>The search replays the same requests at every rate (a synthetic workload from the same seed, whose
 * gaps all scale with 1 / rate; or a trace with its gaps scaled), so the attainment falls with the rate
 * up to the randomness of queueing on a fixed sample. From a start rate it doubles (or halves) until the
 * attainment crosses the level, then bisects the bracket until it is narrower than
 * {@code serving.goodputRelativeTolerance} of its lower end, and reports the highest passing rate seen.
 * At most {@value #MAX_STEPS} doublings: a machine that still meets the SLO is reported as unbounded. Halvings
 * stop at a floor rate (the caller's: the rate at which the requests span the longest replay allowed), and a
 * machine that misses the SLO there has a goodput of 0.
 */
public final class GoodputSearch {
    /** Most doublings before the search gives up extending the bracket. */
    public static final int MAX_STEPS = 24;
    /** Most bisection steps. */
    public static final int MAX_BISECTIONS = 40;

    private GoodputSearch() {
    }

    /**
     * One replay of the search.
     *
     * @param requestsPerSecond the arrival rate
     * @param attainment        the share of requests that met the SLO
     */
    public record Probe(double requestsPerSecond, double attainment) {
    }

    /**
     * The result of a search.
     *
     * @param system            the system label
     * @param requestsPerSecond the goodput: the highest rate found that meets the level (0 if none)
     * @param perDevice         goodput divided by the devices
     * @param devices           GPUs or wafers
     * @param level             the attainment the rate must reach
     * @param slo               the SLO
     * @param unbounded         true when the SLO was still met at the highest rate tried
     * @param probes            every replay, in order
     * @param energyJoulesPerToken    energy per output token of the replay at the goodput rate (the
     *                                interactive use the SLO describes), or null when not computed
     * @param costUsdPerMillionTokens cost per million output tokens of that replay, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Goodput(String system, double requestsPerSecond, double perDevice, int devices, double level,
                          String slo, boolean unbounded, List<Probe> probes, Double energyJoulesPerToken,
                          Double costUsdPerMillionTokens) {
        public Goodput {
            probes = List.copyOf(probes);
        }

        Goodput(String system, double requestsPerSecond, double perDevice, int devices, double level, String slo,
                boolean unbounded, List<Probe> probes) {
            this(system, requestsPerSecond, perDevice, devices, level, slo, unbounded, probes, null, null);
        }

        /** This goodput with the energy and cost per token of the replay at its rate. */
        public Goodput withEnergy(double joulesPerToken, double usdPerMillionTokens) {
            return new Goodput(system, requestsPerSecond, perDevice, devices, level, slo, unbounded, probes,
                    joulesPerToken, usdPerMillionTokens);
        }
    }

    /**
     * Searches the goodput.
     *
     * @param system      the label of the system, for the result
     * @param atRate      the requests at a rate
     * @param replay      replays requests on the machine
     * @param slo         the SLO
     * @param level       the share of requests that must meet it, in (0, 1]
     * @param tolerance   relative bracket width at which bisection stops
     * @param startRate   the first rate tried, requests per second
     * @param minRate     the lowest rate tried, requests per second
     * @param devices     the machine's devices, for the per-device figure
     */
    public static Goodput search(String system, DoubleFunction<RequestTrace> atRate,
                                 Function<RequestTrace, ServingResult> replay, SloSpec slo, double level,
                                 double tolerance, double startRate, double minRate, int devices) {
        Objects.requireNonNull(slo, "slo");
        if (!(startRate > 0) || Double.isInfinite(startRate)) {
            throw new ConfigException("goodput search: start rate " + startRate + " req/s is not allowed; expected > 0");
        }
        List<Probe> probes = new ArrayList<>();
        DoubleFunction<Double> attain = rate -> {
            double a = slo.attainment(replay.apply(atRate.apply(rate)));
            probes.add(new Probe(rate, a));
            return a;
        };
        double lo;
        double hi;
        boolean unbounded = false;
        if (attain.apply(startRate) >= level) {
            lo = startRate;
            hi = Double.NaN;
            for (int i = 0; i < MAX_STEPS; i++) {
                double r = lo * 2;
                if (attain.apply(r) >= level) {
                    lo = r;
                } else {
                    hi = r;
                    break;
                }
            }
            if (Double.isNaN(hi)) {
                unbounded = true;
                return new Goodput(system, lo, lo / devices, devices, level, slo.toString(), true, probes);
            }
        } else {
            hi = startRate;
            lo = Double.NaN;
            while (hi / 2 >= minRate) {
                double r = hi / 2;
                if (attain.apply(r) >= level) {
                    lo = r;
                    break;
                }
                hi = r;
            }
            if (Double.isNaN(lo)) {
                return new Goodput(system, 0, 0, devices, level, slo.toString(), false, probes);
            }
        }
        for (int i = 0; i < MAX_BISECTIONS && (hi - lo) > tolerance * lo; i++) {
            double mid = (lo + hi) / 2;
            if (attain.apply(mid) >= level) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Goodput(system, lo, lo / devices, devices, level, slo.toString(), unbounded, probes);
    }
}
