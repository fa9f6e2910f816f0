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
                             Double sloAttainment) {

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
        return new ServingSummary(system, model, r.machine(), r.devices(), r.trace().description(), r.scheduler(),
                r.stepTimes(), n, completed, r.rejected(ServingResult.REJECTED_MAX_MODEL_LEN)
                        + r.rejected(ServingResult.REJECTED_KV_CAPACITY),
                r.rejected(ServingResult.REJECTED_MAX_MODEL_LEN), r.rejected(ServingResult.REJECTED_KV_CAPACITY), tokens,
                seconds, Distribution.ofPs(ttft), Distribution.ofPs(tpot),
                Distribution.of(r.tbtHistogramNs(), r.tbtCount(), r.tbtSumPs(), maxGap), Distribution.ofPs(e2e),
                Distribution.ofPs(norm), Distribution.ofPs(delay), seconds > 0 ? tokens / seconds : 0,
                seconds > 0 ? completed / seconds : 0, r.totalPreemptions(), r.passes(), r.decodeRows(),
                r.prefillTokens(), r.meanRequestsInSystem(), r.busyShare(), r.kvCapacityTokens(), r.kvBlocks(),
                r.params().kvBlockTokens(), r.maxPassesInFlight(), r.simulatedPasses(),
                slo == null ? null : slo.toString(), slo == null ? null : slo.attainment(r));
    }
}
