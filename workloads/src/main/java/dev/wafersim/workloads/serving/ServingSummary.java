package dev.wafersim.workloads.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * The summary of one serving replay: what {@code wafersim serve} prints and writes with {@code --json}
 * (serialized by Jackson, one property per component, in this order; absent values are left out). Every
 * latency is derived from the per-request timestamps of {@link ServingResult}.
 *
 * @param system                  the system label (e.g. {@code h100-sxm} or {@code h100-sxm:gpus=8})
 * @param model                   the model
 * @param machine                 the step model's machine line
 * @param devices                 GPUs or wafers
 * @param workload                where the requests came from
 * @param scheduler               the scheduling policy
 * @param stepTimes               how pass times were obtained
 * @param requests                requests in the workload
 * @param completedRequests       requests that completed
 * @param rejectedRequests        requests rejected on arrival (never fit)
 * @param rejectedOverMaxModelLen of those, prompt plus output beyond {@code serving.maxModelLenTokens}
 * @param rejectedOverKvCapacity  of those, prompt plus output beyond what the KV cache can hold
 * @param outputTokens            output tokens of the completed requests
 * @param durationSeconds         first arrival to last completion, s
 * @param ttftMs                  time to first token (first token computed at the server minus arrival), ms
 * @param tpotMs                  time per output token, (E2E - TTFT) / (output tokens - 1), requests with
 *                                at least 2 output tokens, ms
 * @param tbtMs                   every time between two consecutive output tokens of a request, ms
 * @param e2eMs                   end-to-end latency (completion minus arrival), ms
 * @param normalizedE2eMsPerToken E2E divided by the request's output tokens, ms per token
 * @param schedulingDelayMs       first scheduled minus arrival, ms
 * @param outputTokensPerSecond   {@code outputTokens / durationSeconds}
 * @param requestsPerSecond       {@code completedRequests / durationSeconds}
 * @param preemptions             preemptions (KV dropped and recomputed) over all requests
 * @param passes                  passes (iterations) run
 * @param decodeRows              decode rows over all passes
 * @param prefillTokens           prompt tokens prefilled over all passes (recomputation included)
 * @param meanRequestsInSystem    time-average of the requests queued or running (Little's L)
 * @param busyShare               share of the duration with at least one pass in flight
 * @param kvCapacityTokens        KV capacity of the machine, tokens
 * @param kvBlocks                KV blocks of {@code kvBlockTokens}
 * @param kvBlockTokens           tokens per block
 * @param maxPassesInFlight       passes the machine overlaps (pipeline stages)
 * @param simulatedPasses         passes the step model simulated
 * @param slo                     the SLO, when given
 * @param sloAttainment           share of all requests meeting the SLO, when given
 * @param rejectedSessionEnded    (sessions only) follow-up turns never sent because an earlier turn of their session was rejected
 * @param client                  what the client observed, when a client path is set
 * @param prefixCache             what the prefix cache kept, for a workload of sessions
 * @param speculative             speculative decoding's figures, when it is on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServingSummary(String system, String model, String machine, int devices, String workload,
                             String scheduler, String stepTimes, int requests, int completedRequests,
                             int rejectedRequests, int rejectedOverMaxModelLen, int rejectedOverKvCapacity,
                             long outputTokens, double durationSeconds, Distribution ttftMs, Distribution tpotMs,
                             Distribution tbtMs, Distribution e2eMs, Distribution normalizedE2eMsPerToken,
                             Distribution schedulingDelayMs, double outputTokensPerSecond, double requestsPerSecond,
                             long preemptions, long passes, long decodeRows, long prefillTokens,
                             double meanRequestsInSystem, double busyShare, long kvCapacityTokens, long kvBlocks,
                             int kvBlockTokens, int maxPassesInFlight, long simulatedPasses, String slo,
                             Double sloAttainment, Integer rejectedSessionEnded, ClientSummary client,
                             PrefixCacheSummary prefixCache, SpeculativeSummary speculative) {

    /**
     * What the client observed over the client path ({@code client.*}): its TTFT, TPOT, time between tokens
     * and E2E from the request's sending to each token's receipt, next to the server's in the summary.
     *
     * @param path                the client-path preset
     * @param ttftMs              client TTFT: first token received minus request sent, ms
     * @param tpotMs              client TPOT: (client E2E - client TTFT) / (output tokens - 1), ms
     * @param tbtMs               every gap between consecutive tokens received, ms (tokens of one event: 0)
     * @param e2eMs               client E2E: last token received minus request sent, ms
     * @param roundTripOverheadMs client TTFT minus server TTFT per request, ms
     * @param meanTokenDelayMs    client receipt minus server emission, averaged over tokens, ms
     * @param perTokenOverheadMs  the same less the one-way propagation delay (half the RTT), ms
     * @param frontendUtilization share of the front-end workers' time spent working
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClientSummary(String path, Distribution ttftMs, Distribution tpotMs, Distribution tbtMs,
                                Distribution e2eMs, Distribution roundTripOverheadMs, double meanTokenDelayMs,
                                double perTokenOverheadMs, double frontendUtilization) {
    }

    /**
     * The prefix cache over a workload of sessions ({@code serving.prefixCaching}).
     *
     * @param enabled          whether the server keeps sessions' blocks between turns
     * @param sharedTokens     prompt tokens follow-up turns share with their session's previous turn
     * @param hitTokens        of those, tokens whose KV was still cached (not prefilled again)
     * @param hitShare         hitTokens / sharedTokens
     * @param evictedBlocks    cached blocks evicted to make room
     * @param meanCachedBlocks KV blocks held by idle sessions, time-averaged
     * @param meanCachedShare  that as a share of all blocks
     */
    public record PrefixCacheSummary(boolean enabled, long sharedTokens, long hitTokens, double hitShare,
                                     long evictedBlocks, double meanCachedBlocks, double meanCachedShare) {
    }

    /**
     * Speculative decoding. Convention of {@code tokensPerVerifyStep}: accepted drafts plus the verify step's own
     * token (the bonus token, or the target's correction), per verify step; its expected value for a constant
     * rate A and K drafts is {@code (1 - A^(K+1)) / (1 - A)}.
     *
     * @param draft                           the draft model
     * @param placement                       same (on the target's devices) or separate (its own)
     * @param k                               drafts per verify step
     * @param acceptance                      the rate, or per-position rates a1/a2/...
     * @param expectedTokensPerVerifyStep     the closed form for these rates
     * @param tokensPerVerifyStep             simulated, before a request's end cuts its last step short
     * @param verifySteps                     verify steps run
     * @param acceptedDrafts                  drafts accepted
     * @param effectiveTokensPerSecondPerUser 1000 / mean TPOT (ms) at the server
     * @param draftMsPerVerifyStep            the draft's K passes at the replay's mean verify pass, ms
     * @param verifyMsPerStep                 the target's verify pass at the same composition, ms
     * @param draftShare                      draft / (draft + verify) at that pass
     */
    public record SpeculativeSummary(String draft, String placement, int k, String acceptance,
                                     double expectedTokensPerVerifyStep, double tokensPerVerifyStep, long verifySteps,
                                     long acceptedDrafts, double effectiveTokensPerSecondPerUser,
                                     double draftMsPerVerifyStep, double verifyMsPerStep, double draftShare) {
    }

    /** This summary with the speculative figures replaced (the command adds the draft's name and cost). */
    public ServingSummary withSpeculative(SpeculativeSummary s) {
        return new ServingSummary(system, model, machine, devices, workload, scheduler, stepTimes, requests,
                completedRequests, rejectedRequests, rejectedOverMaxModelLen, rejectedOverKvCapacity, outputTokens,
                durationSeconds, ttftMs, tpotMs, tbtMs, e2eMs, normalizedE2eMsPerToken, schedulingDelayMs,
                outputTokensPerSecond, requestsPerSecond, preemptions, passes, decodeRows, prefillTokens,
                meanRequestsInSystem, busyShare, kvCapacityTokens, kvBlocks, kvBlockTokens, maxPassesInFlight,
                simulatedPasses, slo, sloAttainment, rejectedSessionEnded, client, prefixCache, s);
    }

    /** The summary of {@code r} for system label {@code system} and model {@code model}; {@code slo} may be null. */
    public static ServingSummary of(String system, String model, ServingResult r, SloSpec slo) {
        Objects.requireNonNull(r, "r");
        int n = r.requests();
        double[] ttft = new double[n];
        double[] tpot = new double[n];
        double[] e2e = new double[n];
        double[] norm = new double[n];
        double[] delay = new double[n];
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            ttft[i] = r.completed(i) ? r.ttftPs(i) : -1;
            tpot[i] = r.tpotPs(i);
            e2e[i] = r.e2ePs(i);
            norm[i] = r.completed(i) ? r.e2ePs(i) / (double) r.trace().outputTokens(i) : -1;
            delay[i] = r.completed(i) ? r.schedulingDelayPs(i) : -1;
            if (r.completed(i)) {
                tokens += r.trace().outputTokens(i);
            }
        }
        long maxGap = 0;
        for (int i = 0; i < n; i++) {
            maxGap = Math.max(maxGap, r.maxGapPs(i));
        }
        int completed = r.completedRequests();
        double seconds = r.durationPs() / 1e12;
        ClientSummary client = null;
        if (r.hasClientPath()) {
            double[] cttft = new double[n];
            double[] ctpot = new double[n];
            double[] ce2e = new double[n];
            double[] trip = new double[n];
            long cmax = 0;
            for (int i = 0; i < n; i++) {
                cttft[i] = r.clientTtftPs(i);
                ctpot[i] = r.clientTpotPs(i);
                ce2e[i] = r.clientE2ePs(i);
                trip[i] = r.completed(i) ? r.roundTripOverheadPs(i) : -1;
                cmax = Math.max(cmax, r.clientMaxGapPs(i));
            }
            client = new ClientSummary(r.client().name(), Distribution.ofPs(cttft), Distribution.ofPs(ctpot),
                    Distribution.of(r.clientTbtHistogramNs(), r.clientTbtCount(), r.clientTbtSumPs(), cmax),
                    Distribution.ofPs(ce2e), Distribution.ofPs(trip), r.meanTokenDelayPs() / 1e9,
                    r.perTokenOverheadPs() / 1e9, r.frontendUtilization());
        }
        PrefixCacheSummary cache = null;
        if (r.trace().hasSessions()) {
            long shared = r.prefixSharedTokens();
            cache = new PrefixCacheSummary(r.params().prefixCaching(), shared, r.prefixHitTokens(),
                    shared == 0 ? 0 : r.prefixHitTokens() / (double) shared, r.evictedBlocks(), r.meanCachedBlocks(),
                    r.kvBlocks() == 0 ? 0 : r.meanCachedBlocks() / r.kvBlocks());
        }
        SpeculativeSummary spec = null;
        Distribution tpotDist = Distribution.ofPs(tpot);
        if (r.acceptance() != null) {
            spec = new SpeculativeSummary(null, null, r.acceptance().k(), r.acceptance().toString(),
                    r.acceptance().expectedTokensPerStep(), r.tokensPerVerifyStep(), r.verifySteps(), r.acceptedDrafts(),
                    tpotDist == null ? 0 : 1000 / tpotDist.mean(), Double.NaN, Double.NaN, Double.NaN);
        }
        return new ServingSummary(system, model, r.machine(), r.devices(), r.trace().description(), r.scheduler(),
                r.stepTimes(), n, completed, r.rejected(ServingResult.REJECTED_MAX_MODEL_LEN)
                        + r.rejected(ServingResult.REJECTED_KV_CAPACITY) + r.rejected(ServingResult.REJECTED_SESSION_ENDED),
                r.rejected(ServingResult.REJECTED_MAX_MODEL_LEN), r.rejected(ServingResult.REJECTED_KV_CAPACITY), tokens,
                seconds, Distribution.ofPs(ttft), tpotDist,
                Distribution.of(r.tbtHistogramNs(), r.tbtCount(), r.tbtSumPs(), maxGap), Distribution.ofPs(e2e),
                Distribution.ofPs(norm), Distribution.ofPs(delay), seconds > 0 ? tokens / seconds : 0,
                seconds > 0 ? completed / seconds : 0, r.totalPreemptions(), r.passes(), r.decodeRows(),
                r.prefillTokens(), r.meanRequestsInSystem(), r.busyShare(), r.kvCapacityTokens(), r.kvBlocks(),
                r.params().kvBlockTokens(), r.maxPassesInFlight(), r.simulatedPasses(),
                slo == null ? null : slo.toString(), slo == null ? null : slo.attainment(r),
                r.trace().hasSessions() ? r.rejected(ServingResult.REJECTED_SESSION_ENDED) : null, client, cache, spec);
    }
}
