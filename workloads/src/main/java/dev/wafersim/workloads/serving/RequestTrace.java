package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Objects;

/**
 * The requests of one replay: for each, its prompt and output token counts and when it is sent. Immutable,
 * struct-of-arrays; built by {@link TraceReader} from a file, by {@link SyntheticWorkload} or by
 * {@link CodingSessionWorkload}.
 *
 * <p>Two kinds of request. An <em>open</em> request is sent at its trace arrival. A <em>follow-up</em> turn
 * of a session is sent when the client has received the whole answer to the session's previous turn
 * ({@link #previous}), plus a think time ({@link #thinkPs}); its prompt is the previous turn's prompt, the
 * previous answer and at least one new token, so the first {@link #sharedPrefixTokens} tokens of its prompt
 * are the previous turn's context (what a prefix cache can keep). A trace without sessions has only open
 * requests.
 *
 * <p>Contract: open requests' arrivals are non-decreasing (in trace order) and {@code >= 0} ps; a follow-up
 * comes after its previous turn in trace order; every request has at least one prompt token and one output
 * token. A request's index is its id in every output.
 */
public final class RequestTrace {
    /** Latest arrival a trace may have, ps (10^18 ps, about 11.6 days: leaves the engine's clock headroom). */
    public static final long MAX_ARRIVAL_PS = 1_000_000_000_000_000_000L;

    private final long[] arrivalPs;
    private final int[] promptTokens;
    private final int[] outputTokens;
    /** Previous turn of each request's session, -1 for an open request; null without sessions. */
    private final int[] previous;
    /** Think time before each follow-up turn is sent, ps (0 for open requests); null without sessions. */
    private final long[] thinkPs;
    /** The open requests in trace order. */
    private final int[] open;
    private final String description;

    private RequestTrace(long[] arrivalPs, int[] promptTokens, int[] outputTokens, int[] previous, long[] thinkPs,
                         String description) {
        this.arrivalPs = arrivalPs;
        this.promptTokens = promptTokens;
        this.outputTokens = outputTokens;
        this.previous = previous;
        this.thinkPs = thinkPs;
        this.description = Objects.requireNonNull(description, "description");
        IntArrayList o = new IntArrayList();
        for (int i = 0; i < arrivalPs.length; i++) {
            if (previous == null || previous[i] < 0) {
                o.add(i);
            }
        }
        this.open = o.toIntArray();
    }

    /**
     * A trace of the given requests (arrays copied), all open.
     *
     * @param arrivalPs    arrival times, ps, non-decreasing, >= 0
     * @param promptTokens prompt tokens per request, >= 1
     * @param outputTokens output tokens per request, >= 1
     * @param description  where the requests come from, one line (a file and its format, or a generator)
     * @throws ConfigException naming the first request that breaks the contract
     */
    public static RequestTrace of(long[] arrivalPs, int[] promptTokens, int[] outputTokens, String description) {
        return sessions(arrivalPs, promptTokens, outputTokens, null, null, description);
    }

    /**
     * A trace of sessions (arrays copied): request {@code i} is open when {@code previous[i] < 0} (sent at
     * {@code arrivalPs[i]}), else a follow-up turn of request {@code previous[i]}'s session, sent
     * {@code thinkPs[i]} after the client received that turn's answer ({@code arrivalPs[i]} is then ignored).
     *
     * @param previous null for a trace without sessions
     * @param thinkPs  think times, ps, >= 0; null for a trace without sessions
     * @throws ConfigException naming the first request that breaks the contract
     */
    public static RequestTrace sessions(long[] arrivalPs, int[] promptTokens, int[] outputTokens, int[] previous,
                                        long[] thinkPs, String description) {
        int n = arrivalPs.length;
        if (n == 0) {
            throw new ConfigException(description + ": no requests; expected at least one");
        }
        if (promptTokens.length != n || outputTokens.length != n || (previous == null) != (thinkPs == null)
                || (previous != null && (previous.length != n || thinkPs.length != n))) {
            throw new IllegalArgumentException("arrays of different lengths");
        }
        long last = -1;
        int lastOpen = -1;
        for (int i = 0; i < n; i++) {
            if (promptTokens[i] < 1 || outputTokens[i] < 1) {
                throw new ConfigException(description + ": request " + i + " has " + promptTokens[i] + " prompt and "
                        + outputTokens[i] + " output tokens; expected at least 1 of each");
            }
            int prev = previous == null ? -1 : previous[i];
            if (prev >= 0) {
                if (prev >= i) {
                    throw new ConfigException(description + ": request " + i + " follows request " + prev
                            + "; expected a turn to come after the turn it follows");
                }
                long context = (long) promptTokens[prev] + outputTokens[prev];
                if (promptTokens[i] <= context) {
                    throw new ConfigException(description + ": request " + i + " has a prompt of " + promptTokens[i]
                            + " tokens, but the turn it follows (request " + prev + ") leaves " + context
                            + " tokens of context; expected the previous prompt and answer plus at least one new token");
                }
                if (thinkPs[i] < 0 || thinkPs[i] > MAX_ARRIVAL_PS) {
                    throw new ConfigException(description + ": request " + i + " has a think time of " + thinkPs[i] / 1e12
                            + " s; expected a time in [0, " + MAX_ARRIVAL_PS / 1e12 + "] s");
                }
                continue;
            }
            if (arrivalPs[i] > MAX_ARRIVAL_PS) {
                throw new ConfigException(description + ": request " + i + " arrives at " + arrivalPs[i] / 1e12
                        + " s; expected every arrival within " + MAX_ARRIVAL_PS / 1e12 + " s");
            }
            if (arrivalPs[i] < 0 || arrivalPs[i] < last) {
                throw new ConfigException(description + ": request " + i + " arrives at " + arrivalPs[i]
                        + " ps, before request " + Math.max(0, lastOpen) + "; expected arrivals in order and >= 0");
            }
            last = arrivalPs[i];
            lastOpen = i;
        }
        if (lastOpen < 0) {
            throw new ConfigException(description + ": every request follows another; expected at least one open request");
        }
        return new RequestTrace(arrivalPs.clone(), promptTokens.clone(), outputTokens.clone(),
                previous == null ? null : previous.clone(), thinkPs == null ? null : thinkPs.clone(), description);
    }

    /** Requests in the trace. */
    public int size() {
        return arrivalPs.length;
    }

    /** Arrival (send time) of open request {@code i}, ps; -1 for a follow-up turn, whose time the replay sets. */
    public long arrivalPs(int i) {
        return isOpen(i) ? arrivalPs[i] : -1;
    }

    /** True when the trace has sessions (some request follows another). */
    public boolean hasSessions() {
        return previous != null && open.length < arrivalPs.length;
    }

    /** True when request {@code i} is sent at its arrival (not a follow-up turn). */
    public boolean isOpen(int i) {
        return previous == null || previous[i] < 0;
    }

    /** The turn request {@code i} follows, or -1 for an open request. */
    public int previous(int i) {
        return previous == null ? -1 : previous[i];
    }

    /** Think time before follow-up turn {@code i} is sent, ps; 0 for an open request. */
    public long thinkPs(int i) {
        return previous == null || previous[i] < 0 ? 0 : thinkPs[i];
    }

    /**
     * Leading prompt tokens of request {@code i} that its previous turn's prompt and answer already hold (the
     * context a session carries over); 0 for an open request.
     */
    public long sharedPrefixTokens(int i) {
        int p = previous(i);
        return p < 0 ? 0 : (long) promptTokens[p] + outputTokens[p];
    }

    /** New prompt tokens of request {@code i}: its prompt minus the shared prefix. */
    public long newPromptTokens(int i) {
        return promptTokens[i] - sharedPrefixTokens(i);
    }

    /** Open requests (sessions, in a trace with sessions). */
    public int openCount() {
        return open.length;
    }

    /** The {@code k}-th open request in trace (arrival) order. */
    public int open(int k) {
        return open[k];
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
     * The mean arrival rate of the open requests (sessions, in a trace with sessions) per second:
     * {@code (n - 1)} gaps over the time from the first to the last arrival; 0 when every one arrives at once.
     */
    public double meanRatePerSecond() {
        long span = arrivalPs[open[open.length - 1]] - arrivalPs[open[0]];
        return span == 0 ? 0 : (open.length - 1) / (span / 1e12);
    }

    /**
     * The same requests with every gap between open arrivals multiplied by {@code factor} (the first arrival
     * stays; think times stay): {@code factor < 1} replays the trace at a higher rate. Arrivals are rounded
     * to the ps.
     */
    public RequestTrace withTimeScaled(double factor, String newDescription) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor " + factor);
        }
        long[] a = arrivalPs.clone();
        long t0 = arrivalPs[open[0]];
        long prev = t0;
        for (int i : open) {
            a[i] = Math.max(prev, t0 + Math.round((arrivalPs[i] - t0) * factor));
            prev = a[i];
        }
        return new RequestTrace(a, promptTokens, outputTokens, previous, thinkPs, newDescription);
    }
}
