package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import java.util.Objects;

/**
 * The requests of one replay, in arrival order: for each, its arrival time at the server and its prompt
 * and output token counts. Immutable, struct-of-arrays; built by {@link TraceReader} from a file or by
 * {@link SyntheticWorkload}.
 *
 * <p>Contract: arrivals are non-decreasing and {@code >= 0} ps; every request has at least one prompt
 * token and one output token. A request's index is its id in every output.
 */
public final class RequestTrace {
    /** Latest arrival a trace may have, ps (10^18 ps, about 11.6 days: leaves the engine's clock headroom). */
    public static final long MAX_ARRIVAL_PS = 1_000_000_000_000_000_000L;

    private final long[] arrivalPs;
    private final int[] promptTokens;
    private final int[] outputTokens;
    private final String description;

    private RequestTrace(long[] arrivalPs, int[] promptTokens, int[] outputTokens, String description) {
        this.arrivalPs = arrivalPs;
        this.promptTokens = promptTokens;
        this.outputTokens = outputTokens;
        this.description = Objects.requireNonNull(description, "description");
    }

    /**
     * A trace of the given requests (arrays copied).
     *
     * @param arrivalPs    arrival times, ps, non-decreasing, >= 0
     * @param promptTokens prompt tokens per request, >= 1
     * @param outputTokens output tokens per request, >= 1
     * @param description  where the requests come from, one line (a file and its format, or a generator)
     * @throws ConfigException naming the first request that breaks the contract
     */
    public static RequestTrace of(long[] arrivalPs, int[] promptTokens, int[] outputTokens, String description) {
        int n = arrivalPs.length;
        if (n == 0) {
            throw new ConfigException(description + ": no requests; expected at least one");
        }
        if (promptTokens.length != n || outputTokens.length != n) {
            throw new IllegalArgumentException("arrays of different lengths");
        }
        for (int i = 0; i < n; i++) {
            if (arrivalPs[i] > MAX_ARRIVAL_PS) {
                throw new ConfigException(description + ": request " + i + " arrives at " + arrivalPs[i] / 1e12
                        + " s; expected every arrival within " + MAX_ARRIVAL_PS / 1e12 + " s");
            }
            if (arrivalPs[i] < 0 || (i > 0 && arrivalPs[i] < arrivalPs[i - 1])) {
                throw new ConfigException(description + ": request " + i + " arrives at " + arrivalPs[i]
                        + " ps, before request " + Math.max(0, i - 1) + "; expected arrivals in order and >= 0");
            }
            if (promptTokens[i] < 1 || outputTokens[i] < 1) {
                throw new ConfigException(description + ": request " + i + " has " + promptTokens[i] + " prompt and "
                        + outputTokens[i] + " output tokens; expected at least 1 of each");
            }
        }
        return new RequestTrace(arrivalPs.clone(), promptTokens.clone(), outputTokens.clone(), description);
    }

    /** Requests in the trace. */
    public int size() {
        return arrivalPs.length;
    }

    /** Arrival of request {@code i}, ps. */
    public long arrivalPs(int i) {
        return arrivalPs[i];
    }

    /** Prompt tokens of request {@code i}. */
    public int promptTokens(int i) {
        return promptTokens[i];
    }

    /** Output tokens of request {@code i}. */
    public int outputTokens(int i) {
        return outputTokens[i];
    }

    /** Where the requests come from. */
    public String description() {
        return description;
    }

    /** The longest prompt plus output over all requests, tokens. */
    public long maxPositions() {
        long m = 0;
        for (int i = 0; i < size(); i++) {
            m = Math.max(m, (long) promptTokens[i] + outputTokens[i]);
        }
        return m;
    }

    /** Output tokens of all requests. */
    public long totalOutputTokens() {
        long s = 0;
        for (int t : outputTokens) {
            s += t;
        }
        return s;
    }

    /**
     * The mean arrival rate, requests per second: {@code (n - 1)} gaps over the time from the first to
     * the last arrival; 0 when every request arrives at once.
     */
    public double meanRatePerSecond() {
        long span = arrivalPs[size() - 1] - arrivalPs[0];
        return span == 0 ? 0 : (size() - 1) / (span / 1e12);
    }

    /**
     * The same requests with every gap between arrivals multiplied by {@code factor} (the first arrival
     * stays): {@code factor < 1} replays the trace at a higher rate. Arrivals are rounded to the ps.
     */
    public RequestTrace withTimeScaled(double factor, String newDescription) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor " + factor);
        }
        long[] a = new long[size()];
        long t0 = arrivalPs[0];
        for (int i = 0; i < a.length; i++) {
            a[i] = t0 + Math.round((arrivalPs[i] - t0) * factor);
        }
        for (int i = 1; i < a.length; i++) {
            a[i] = Math.max(a[i], a[i - 1]);
        }
        return new RequestTrace(a, promptTokens, outputTokens, newDescription);
    }
}
