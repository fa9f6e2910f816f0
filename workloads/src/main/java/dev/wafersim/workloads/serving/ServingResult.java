package dev.wafersim.workloads.serving;

import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.speculative.AcceptanceProcess;
import dev.wafersim.workloads.step.StepModel;
import org.HdrHistogram.Histogram;

/**
 * The record of one replay: every request's lifecycle timestamps (ps; -1 where a request never got
 * there), its preemptions and, for rejected requests, why; the time-between-tokens distribution; and
 * the replay's counters. Every latency metric is derived from these timestamps ({@link #ttftPs},
 * {@link #e2ePs}, {@link #tpotPs}); nothing is computed separately.
 *
 * <p>Server timestamps: arrival ({@link #queuedPs}) is when the request reaches the scheduler's queue, a
 * token is emitted when the pass that computes it finishes (its logits exist). Client timestamps (the
 * {@code client*} methods) are when the client sent the request ({@link #sendPs}) and received each token
 * over the client path; with no client path they equal the server's.
 */
public final class ServingResult {
    /** Not rejected. */
    public static final byte NOT_REJECTED = 0;
    /** Prompt plus output exceeds {@code serving.maxModelLenTokens} (vLLM answers such a request with an error). */
    public static final byte REJECTED_MAX_MODEL_LEN = 1;
    /** Prompt plus output can never fit in the KV cache (vLLM V0 ignores such a prompt and goes on). */
    public static final byte REJECTED_KV_CAPACITY = 2;
    /** A follow-up turn never sent: an earlier turn of its session was rejected. */
    public static final byte REJECTED_SESSION_ENDED = 3;

    /**
     * What the client path, speculative decoding and the prefix cache recorded.
     *
     * @param client             the client path
     * @param acceptance         the acceptance process, or null without speculative decoding
     * @param sendPs             when the client sent each request, ps (-1: never)
     * @param clientFirstPs      when the client received each request's first token, ps (-1: never)
     * @param clientLastPs       when the client received each request's last token, ps (-1: never)
     * @param clientMaxGapPs     each request's longest gap between tokens at the client, ps
     * @param clientTbtNs        every gap between consecutive tokens of a request at the client, ns
     * @param clientTbtSumPs     their sum, ps
     * @param clientTbtCount     their count
     * @param tokenDelaySumPs    client receipt minus server emission, summed over tokens, ps
     * @param tokenDelayCount    tokens streamed
     * @param verifySteps        speculative verify steps
     * @param acceptedDrafts     drafts accepted over those steps
     * @param prefixSharedTokens prompt tokens follow-up turns share with their session's previous turn
     * @param prefixHitTokens    of those, tokens whose KV the prefix cache still held
     * @param evictedBlocks      cached blocks evicted to make room
     * @param meanCachedBlocks   KV blocks held by idle sessions, time-averaged over the replay
     * @param frontendBusyPs     front-end work over the replay, ps
     * @param frontendWorkers    front-end workers
     * @param decodePasses       passes with at least one decode (or verify) row
     * @param decodeCachedTokens cached tokens of the decode rows, summed
     */
    record Extras(ClientParams client, AcceptanceProcess acceptance, long[] sendPs, long[] clientFirstPs,
                  long[] clientLastPs, long[] clientMaxGapPs, Histogram clientTbtNs, long clientTbtSumPs,
                  long clientTbtCount, long tokenDelaySumPs, long tokenDelayCount, long verifySteps,
                  long acceptedDrafts, long prefixSharedTokens, long prefixHitTokens, long evictedBlocks,
                  double meanCachedBlocks, long frontendBusyPs, int frontendWorkers, long decodePasses,
                  long decodeCachedTokens) {
    }

    private final RequestTrace trace;
    private final ServingParams params;
    private final String scheduler;
    private final String stepTimes;
    private final long simulatedPasses;
    private final long timedPasses;
    private final String machine;
    private final int devices;
    private final long kvCapacityTokens;
    private final int maxPassesInFlight;
    private final long kvBlocks;
    private final byte[] rejection;
    private final long[] queuedPs;
    private final long[] firstScheduledPs;
    private final long[] firstTokenPs;
    private final long[] completionPs;
    private final int[] preemptions;
    private final int[] tokensEmitted;
    private final long[] maxGapPs;
    private final Histogram tbtNs;
    private final long tbtSumPs;
    private final long tbtCount;
    private final long passes;
    private final long decodeRows;
    private final long prefillRows;
    private final long prefillTokens;
    private final long totalPreemptions;
    private final long inSystemAreaPsRequests;
    private final long busyPs;
    private final long lastCompletionPs;
    private final long emittedTokens;
    private final long[] busyDevicePs;
    private final Extras x;

    ServingResult(RequestTrace trace, ServingParams params, String scheduler, String stepTimes, long simulatedPasses,
                  long timedPasses, StepModel model, long kvBlocks, byte[] rejection, long[] queuedPs,
                  long[] firstScheduledPs, long[] firstTokenPs, long[] completionPs, int[] preemptions,
                  int[] tokensEmitted, long[] maxGapPs, Histogram tbtNs, long tbtSumPs, long tbtCount, long passes, long decodeRows,
                  long prefillRows, long prefillTokens, long totalPreemptions, long inSystemAreaPsRequests,
                  long busyPs, long lastCompletionPs, long emittedTokens, long[] busyDevicePs, Extras extras) {
        this.trace = trace;
        this.params = params;
        this.scheduler = scheduler;
        this.stepTimes = stepTimes;
        this.simulatedPasses = simulatedPasses;
        this.timedPasses = timedPasses;
        this.machine = model.machine();
        this.devices = model.devices();
        this.kvCapacityTokens = model.kvCapacityTokens();
        this.maxPassesInFlight = model.maxPassesInFlight();
        this.kvBlocks = kvBlocks;
        this.rejection = rejection;
        this.queuedPs = queuedPs;
        this.firstScheduledPs = firstScheduledPs;
        this.firstTokenPs = firstTokenPs;
        this.completionPs = completionPs;
        this.preemptions = preemptions;
        this.tokensEmitted = tokensEmitted;
        this.maxGapPs = maxGapPs;
        this.tbtNs = tbtNs;
        this.tbtSumPs = tbtSumPs;
        this.tbtCount = tbtCount;
        this.passes = passes;
        this.decodeRows = decodeRows;
        this.prefillRows = prefillRows;
        this.prefillTokens = prefillTokens;
        this.totalPreemptions = totalPreemptions;
        this.inSystemAreaPsRequests = inSystemAreaPsRequests;
        this.busyPs = busyPs;
        this.lastCompletionPs = lastCompletionPs;
        this.emittedTokens = emittedTokens;
        this.busyDevicePs = busyDevicePs;
        this.x = extras;
    }

    /** The replayed requests. */
    public RequestTrace trace() {
        return trace;
    }

    /** The serving parameters of the replay. */
    public ServingParams params() {
        return params;
    }

    /** The scheduling policy's name. */
    public String scheduler() {
        return scheduler;
    }

    /** How pass times were obtained (table or exact), with counts. */
    public String stepTimes() {
        return stepTimes;
    }

    /** Passes the step model simulated (table entries, or every pass with --exact). */
    public long simulatedPasses() {
        return simulatedPasses;
    }

    /** Passes the replay timed. */
    public long timedPasses() {
        return timedPasses;
    }

    /** The machine line of the step model. */
    public String machine() {
        return machine;
    }

    /** Devices of the machine (GPUs or wafers). */
    public int devices() {
        return devices;
    }

    /** KV capacity the step model reports, tokens. */
    public long kvCapacityTokens() {
        return kvCapacityTokens;
    }

    /** Passes the machine can have in flight. */
    public int maxPassesInFlight() {
        return maxPassesInFlight;
    }

    /** KV blocks of {@code serving.kvBlockTokens} the cache holds. */
    public long kvBlocks() {
        return kvBlocks;
    }

    /** Requests in the trace. */
    public int requests() {
        return trace.size();
    }

    /** True when request {@code i} completed. */
    public boolean completed(int i) {
        return completionPs[i] >= 0;
    }

    /** Why request {@code i} was rejected ({@link #REJECTED_MAX_MODEL_LEN}, ...), or {@link #NOT_REJECTED}. */
    public byte rejection(int i) {
        return rejection[i];
    }

    /** Requests that completed. */
    public int completedRequests() {
        int c = 0;
        for (long t : completionPs) {
            if (t >= 0) {
                c++;
            }
        }
        return c;
    }

    /** Requests rejected for {@code reason}. */
    public int rejected(byte reason) {
        int c = 0;
        for (byte b : rejection) {
            if (b == reason) {
                c++;
            }
        }
        return c;
    }

    /**
     * When the client sent request {@code i}, ps: the trace's arrival for an open request, the previous answer's
     * receipt plus the think time for a follow-up turn; -1 for a turn never sent.
     */
    public long arrivalPs(int i) {
        return x.sendPs()[i];
    }

    /** Same as {@link #arrivalPs}: when the client sent request {@code i}, ps. */
    public long sendPs(int i) {
        return x.sendPs()[i];
    }

    /** When request {@code i} entered the scheduler's waiting queue, ps (its arrival at the server). */
    public long queuedPs(int i) {
        return queuedPs[i];
    }

    /** When request {@code i} first had a row in a pass, ps; -1 if never. */
    public long firstScheduledPs(int i) {
        return firstScheduledPs[i];
    }

    /** When request {@code i}'s first output token was computed (its prefill done), ps; -1 if never. */
    public long firstTokenPs(int i) {
        return firstTokenPs[i];
    }

    /** When request {@code i}'s last output token was computed, ps; -1 if never. */
    public long completionPs(int i) {
        return completionPs[i];
    }

    /** Times request {@code i} was preempted (its KV dropped and recomputed). */
    public int preemptions(int i) {
        return preemptions[i];
    }

    /** Output tokens request {@code i} emitted (its output tokens when it completed). */
    public int tokensEmitted(int i) {
        return tokensEmitted[i];
    }

    /** Longest time between two consecutive output tokens of request {@code i}, ps (0 with one token). */
    public long maxGapPs(int i) {
        return maxGapPs[i];
    }

    /** Time to first token of request {@code i} at the server: first token minus arrival at the queue, ps; -1 if none. */
    public long ttftPs(int i) {
        return firstTokenPs[i] < 0 ? -1 : firstTokenPs[i] - queuedPs[i];
    }

    /** End-to-end latency of request {@code i} at the server: completion minus arrival at the queue, ps; -1 if none. */
    public long e2ePs(int i) {
        return completionPs[i] < 0 ? -1 : completionPs[i] - queuedPs[i];
    }

    /**
     * Time per output token of request {@code i}: {@code (E2E - TTFT) / (output tokens - 1)}, ps; NaN when
     * it did not complete or has a single output token.
     */
    public double tpotPs(int i) {
        int o = trace.outputTokens(i);
        if (completionPs[i] < 0 || o < 2) {
            return Double.NaN;
        }
        return (completionPs[i] - firstTokenPs[i]) / (double) (o - 1);
    }

    /** Scheduling delay of request {@code i}: first scheduled minus arrival, ps; -1 if never scheduled. */
    public long schedulingDelayPs(int i) {
        return firstScheduledPs[i] < 0 ? -1 : firstScheduledPs[i] - queuedPs[i];
    }

    // ---- the client's view --------------------------------------------------------------------

    /** The client path of the replay. */
    public ClientParams client() {
        return x.client();
    }

    /** True when a client path lies between the client and the server (client times differ from the server's). */
    public boolean hasClientPath() {
        return !x.client().isNone();
    }

    /** When the client received request {@code i}'s first token, ps; -1 if never. */
    public long clientFirstTokenPs(int i) {
        return x.clientFirstPs()[i];
    }

    /** When the client received request {@code i}'s last token, ps; -1 if never. */
    public long clientCompletionPs(int i) {
        return completionPs[i] < 0 ? -1 : x.clientLastPs()[i];
    }

    /** Client-observed time to first token: first token received minus sent, ps; -1 if none. */
    public long clientTtftPs(int i) {
        return completionPs[i] < 0 || x.clientFirstPs()[i] < 0 ? -1 : x.clientFirstPs()[i] - x.sendPs()[i];
    }

    /** Client-observed end-to-end latency: last token received minus sent, ps; -1 if it did not complete. */
    public long clientE2ePs(int i) {
        return completionPs[i] < 0 ? -1 : x.clientLastPs()[i] - x.sendPs()[i];
    }

    /** Client-observed time per output token, {@code (E2E - TTFT) / (output - 1)}, ps; NaN as {@link #tpotPs}. */
    public double clientTpotPs(int i) {
        int o = trace.outputTokens(i);
        if (completionPs[i] < 0 || o < 2) {
            return Double.NaN;
        }
        return (x.clientLastPs()[i] - x.clientFirstPs()[i]) / (double) (o - 1);
    }

    /**
     * What one round trip costs request {@code i} beyond the server: client TTFT minus server TTFT (connection,
     * upload, gateway, tokenization, the first event's framing and return), ps; -1 if it has no first token.
     */
    public long roundTripOverheadPs(int i) {
        long c = clientTtftPs(i);
        return c < 0 ? -1 : c - ttftPs(i);
    }

    /** Longest gap between two consecutive tokens of request {@code i} at the client, ps. */
    public long clientMaxGapPs(int i) {
        return x.clientMaxGapPs()[i];
    }

    /** Every gap between consecutive tokens of a request at the client, ns. */
    public Histogram clientTbtHistogramNs() {
        return x.clientTbtNs().copy();
    }

    /** Sum of the client's gaps between tokens, ps. */
    public long clientTbtSumPs() {
        return x.clientTbtSumPs();
    }

    /** Client gaps recorded. */
    public long clientTbtCount() {
        return x.clientTbtCount();
    }

    /** Mean of client receipt minus server emission over every token, ps: what the path adds to each token. */
    public double meanTokenDelayPs() {
        return x.tokenDelayCount() == 0 ? 0 : x.tokenDelaySumPs() / (double) x.tokenDelayCount();
    }

    /**
     * What the path's processing adds to each token, ps: {@link #meanTokenDelayPs} minus the one-way propagation
     * (which no protocol removes): front-end queueing and work, the wait for an event to fill, the bytes on the link.
     */
    public double perTokenOverheadPs() {
        return x.tokenDelayCount() == 0 ? 0 : meanTokenDelayPs() - x.client().oneWayPs();
    }

    /** Share of the front-end workers' time spent working, from the first arrival to the last completion. */
    public double frontendUtilization() {
        return x.frontendBusyPs() / ((double) x.frontendWorkers() * Math.max(1, durationPs()));
    }

    // ---- speculative decoding and the prefix cache ------------------------------------------------

    /** The acceptance process, or null without speculative decoding. */
    public AcceptanceProcess acceptance() {
        return x.acceptance();
    }

    /** Speculative verify steps run. */
    public long verifySteps() {
        return x.verifySteps();
    }

    /** Drafts accepted over the verify steps. */
    public long acceptedDrafts() {
        return x.acceptedDrafts();
    }

    /**
     * Tokens per verify step: accepted drafts plus the step's own token (bonus or correction), averaged over
     * steps, before a request's end cuts the last step short; NaN without verify steps.
     */
    public double tokensPerVerifyStep() {
        return x.verifySteps() == 0 ? Double.NaN : (x.acceptedDrafts() + x.verifySteps()) / (double) x.verifySteps();
    }

    /** Decode (or verify) rows per pass that has any, on average; 0 without decodes. */
    public double meanDecodeRowsPerPass() {
        return x.decodePasses() == 0 ? 0 : decodeRows / (double) x.decodePasses();
    }

    /** Mean cached tokens of a decode (or verify) row; 0 without decodes. */
    public double meanDecodeContextTokens() {
        return decodeRows == 0 ? 0 : x.decodeCachedTokens() / (double) decodeRows;
    }

    /** Prompt tokens follow-up turns share with their session's previous turn. */
    public long prefixSharedTokens() {
        return x.prefixSharedTokens();
    }

    /** Of those, tokens the prefix cache still held (not prefilled again). */
    public long prefixHitTokens() {
        return x.prefixHitTokens();
    }

    /** Cached blocks evicted to make room. */
    public long evictedBlocks() {
        return x.evictedBlocks();
    }

    /** KV blocks held by idle sessions, time-averaged. */
    public double meanCachedBlocks() {
        return x.meanCachedBlocks();
    }

    /** Every time between two consecutive output tokens of a request, ns (HdrHistogram, 3 significant digits). */
    public Histogram tbtHistogramNs() {
        return tbtNs.copy();
    }

    /** Sum of all times between tokens, ps. */
    public long tbtSumPs() {
        return tbtSumPs;
    }

    /** Times between tokens recorded. */
    public long tbtCount() {
        return tbtCount;
    }

    /** Passes run. */
    public long passes() {
        return passes;
    }

    /** Decode rows over all passes. */
    public long decodeRows() {
        return decodeRows;
    }

    /** Prefill-chunk rows over all passes. */
    public long prefillRows() {
        return prefillRows;
    }

    /** Prefill tokens over all passes (recomputation after preemption included). */
    public long prefillTokens() {
        return prefillTokens;
    }

    /** Preemptions over all requests. */
    public long totalPreemptions() {
        return totalPreemptions;
    }

    /** Output tokens emitted over all requests. */
    public long emittedTokens() {
        return emittedTokens;
    }

    /** First arrival, ps. */
    public long startPs() {
        return trace.arrivalPs(trace.open(0));
    }

    /** Last completion, ps; the start when nothing completed. */
    public long endPs() {
        return Math.max(lastCompletionPs, startPs());
    }

    /** Time from the first arrival to the last completion, ps. */
    public long durationPs() {
        return endPs() - startPs();
    }

    /**
     * Requests in the system (admitted to the queue, not yet complete) averaged over time from the first
     * arrival to the last completion: the L of Little's law.
     */
    public double meanRequestsInSystem() {
        long d = durationPs();
        return d == 0 ? 0 : inSystemAreaPsRequests / (double) d;
    }

    /**
     * How the machine's devices spent the replay, from the first arrival to the last completion: each pass's
     * busy device time by power state, the rest idle.
     */
    public dev.wafersim.workloads.run.DeviceActivity activity() {
        dev.wafersim.workloads.run.DeviceActivity.Builder b = new dev.wafersim.workloads.run.DeviceActivity.Builder();
        long span = Math.max(1, durationPs());
        long cap = (long) devices * span;
        long booked = 0;
        for (dev.wafersim.workloads.run.PowerState s : dev.wafersim.workloads.run.PowerState.values()) {
            long v = Math.min(busyDevicePs[s.ordinal()], cap - booked);
            b.add(s, v);
            booked += v;
        }
        return b.build(devices, span);
    }

    /** Share of the duration with at least one pass in flight. */
    public double busyShare() {
        long d = durationPs();
        return d == 0 ? 0 : busyPs / (double) d;
    }
}
