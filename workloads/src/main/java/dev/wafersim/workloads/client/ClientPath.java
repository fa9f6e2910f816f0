package dev.wafersim.workloads.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * The mechanics of the client path of one replay: what a request pays between the client sending it and
 * the server's scheduler seeing it, and what a streamed event pays between the server computing its tokens
 * and the client receiving them. The serving engine calls it from its events, in time order; it owns the
 * front-end's workers and allocates nothing per call.
 *
 * <p>Request direction, for a request sent at {@code t}:
 * <ol>
 *   <li>a new connection (every request with {@code per-request}, the first turn of a session with
 *       {@code per-session}) costs {@code connectionSetupRtts x RTT} plus the gateway's per-connection cost;</li>
 *   <li>the request crosses the network: half an RTT plus its text ({@code bytesPerTextToken} per token sent:
 *       the whole prompt when the path resends the context or the request opens a session, else the turn's
 *       new tokens) at the link rate;</li>
 *   <li>the gateway's per-request cost;</li>
 *   <li>a front-end worker tokenizes the tokens sent ({@link #tokenize}: FIFO over {@code frontendWorkers}
 *       workers shared with the streaming work); the request then enters the scheduler's queue.</li>
 * </ol>
 * Response direction, for an event of n tokens whose last token the server computed at {@code t}
 * ({@link #streamEvent}): a front-end worker detokenizes the n tokens and frames the event
 * ({@code eventWorkUs + n x detokenizeNsPerToken}); the event's bytes ({@code eventEnvelopeBytes + n x
 * bytesPerTextToken}) leave on the request's connection after its previous event; the client has them half
 * an RTT after the last byte left.
 */
public final class ClientPath {
    private final ClientParams p;
    private final long[] workerFreePs;
    private long frontendBusyPs;

    /** The client path of {@code params}. */
    public ClientPath(ClientParams params) {
        this.p = Objects.requireNonNull(params, "params");
        this.workerFreePs = new long[params.frontendWorkers()];
    }

    /** The parameters. */
    public ClientParams params() {
        return p;
    }

    /**
     * Time from sending a request to its reaching the front-end, ps.
     *
     * @param opensConnection true when the request sets up a new connection
     * @param tokensSent      prompt tokens the request carries
     */
    public long toFrontendPs(boolean opensConnection, long tokensSent) {
        long setup = opensConnection ? p.connectionSetupRtts() * p.networkRttPs() + p.gatewayPerConnectionPs() : 0;
        return setup + p.oneWayPs() + p.wirePs(tokensSent * p.bytesPerTextToken()) + p.gatewayPerRequestPs();
    }

    /** Prompt tokens a request sends: the whole prompt when the path resends the context or it opens a session. */
    public long tokensSent(boolean opensSession, long promptTokens, long newTokens) {
        return p.resendsContext() || opensSession ? promptTokens : newTokens;
    }

    /** True when the request sets up a connection: every request per-request, a session's first per-session. */
    public boolean opensConnection(boolean opensSession) {
        return !p.perSessionConnection() || opensSession;
    }

    /**
     * Tokenizes {@code tokens} on the first free front-end worker from {@code nowPs} on, and returns when it
     * is done (at once when there is no work).
     */
    public long tokenize(long nowPs, long tokens) {
        return work(nowPs, tokens * p.tokenizePsPerToken());
    }

    /**
     * Streams an event of {@code tokens} output tokens whose last token was computed at {@code nowPs} on a
     * connection whose previous event's last byte leaves at {@code linkFreePs}; returns when this event's last
     * byte leaves (the connection's new free time). The client has the event {@link ClientParams#oneWayPs()}
     * later.
     */
    public long streamEvent(long nowPs, int tokens, long linkFreePs) {
        long ready = work(nowPs, p.eventWorkPs() + tokens * p.detokenizePsPerToken());
        long start = Math.max(ready, linkFreePs);
        return start + p.wirePs(p.eventEnvelopeBytes() + tokens * p.bytesPerTextToken());
    }

    /** Front-end work summed over the replay, ps (for the workers' utilization). */
    public long frontendBusyPs() {
        return frontendBusyPs;
    }

    /** Front-end workers. */
    public int workers() {
        return workerFreePs.length;
    }

    /** The first free worker does {@code ps} of work from {@code nowPs} on; returns when it is done. */
    private long work(long nowPs, long ps) {
        if (ps == 0) {
            return nowPs;
        }
        int best = 0;
        for (int w = 1; w < workerFreePs.length; w++) {
            if (workerFreePs[w] < workerFreePs[best]) {
                best = w;
            }
        }
        long done = Math.max(nowPs, workerFreePs[best]) + ps;
        workerFreePs[best] = done;
        frontendBusyPs += ps;
        return done;
    }

    @Override
    public String toString() {
        return "ClientPath[" + p.name() + ", workers free at " + Arrays.toString(workerFreePs) + "]";
    }
}
