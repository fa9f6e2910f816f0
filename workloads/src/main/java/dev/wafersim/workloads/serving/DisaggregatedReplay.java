package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * Replays a request trace on a disaggregated pair: one system runs the prompts (prefill), another generates the
 * output (decode), and each request's KV cache crosses a link between them, as DistServe (Zhong et al., OSDI 2024)
 * and Splitwise (Patel et al., ISCA 2024) serve.
 *
 * <p>The model. A request arrives at the prefill system's FCFS queue and is admitted when a running slot
 * ({@code serving.maxRunningSequences}) and its prompt's KV blocks are free (paged cache as in
 * {@link ServingReplay}, the prefill system's {@code serving.*} parameters). The prefill system runs prefill
 * passes only: chunks within {@code serving.maxBatchedTokens} with the {@code chunked-prefill} scheduler, whole
 * prompts with {@code prefill-first}. The pass holding a prompt's last chunk computes the first output token
 * (DistServe and Splitwise: the prompt machine emits the first token), so TTFT ends there and never includes the
 * transfer; the transfer shows in the gap to the second token (TBT, TPOT) and in the phase breakdown.
 *
 * <p>The KV cache (the model's {@code kvCacheBytes} of the prompt at the cache precision: K and V over every
 * layer, a sliding layer only its window) then crosses the link, a FIFO resource: a transfer holds the link for
 * {@code bytes / bandwidth} (rounded up to the next ps) and arrives {@code kvlink.latencyUs} after; a transfer that
 * finds the link busy waits for the ones booked before it (FIFO, in order of prefill completion; not fair sharing,
 * so one transfer's time is never stretched by later ones). With {@code kvlink.overlapFraction} f, layer-wise
 * streaming lets a transfer start up to f of its serialization time before its prefill's end (never before the
 * prefill's start), on a link that is free then. The prefill system keeps the request's blocks until the transfer
 * arrives. At the decode system, the arrived KV waits (staged, outside the decode system's cache) until a running
 * slot and KV blocks for the request's whole footprint (prompt plus output less one token) are free above the
 * watermark: reserving the footprint means no decode preemption, more conservative than vLLM's on-demand paging.
 * The decode system runs decode passes only: every running request one token per pass (continuous batching).
 *
 * <p>Pipelined machines overlap passes as in {@link ServingReplay} (up to {@code maxPassesInFlight()}, one pipeline
 * interval apart; a decode row waits for its request's previous pass). Requests that can
 * never run are rejected on arrival: prompt plus output beyond either side's {@code serving.maxModelLenTokens}, a
 * prompt the prefill cache or a footprint the decode cache can never hold.
 */
public final class DisaggregatedReplay {
    private DisaggregatedReplay() {
    }

    /**
     * Replays {@code trace}.
     *
     * @param prefill       the prefill system's pass times
     * @param prefillParams the prefill system's scheduling parameters
     * @param decode        the decode system's pass times
     * @param decodeParams  the decode system's scheduling parameters
     * @param link          the link's parameters
     * @param linkGbps      the link's bandwidth in the replay, Gb/s ({@link KvLinkParams#bandwidthGbps(int, boolean,
     *                      int, boolean)})
     * @param kvBytes       bytes of a prompt's KV cache by its tokens
     * @throws ConfigException when a step model rejects a pass
     */
    public static DisaggregatedResult run(RequestTrace trace, StepTimes prefill, ServingParams prefillParams,
                                          StepTimes decode, ServingParams decodeParams, KvLinkParams link,
                                          double linkGbps, LongUnaryOperator kvBytes) {
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(link, "link");
        if (trace.hasSessions()) {
            throw new ConfigException("disaggregated serving replays single requests; sessions of turns"
                    + " (--workload) are not supported with --prefill/--decode");
        }
        if (!(linkGbps > 0 && linkGbps <= KvLinkParams.MAX_GBPS)) {
            throw new ConfigException(KvLinkParams.BANDWIDTH + "=" + linkGbps + " is not allowed; expected a number"
                    + " of Gb/s in (0, 1e7]");
        }
        for (StepTimes t : new StepTimes[] {prefill, decode}) {
            if (t.model().kvCapacityTokens() < 0) {
                throw new IllegalStateException("step model reports KV capacity " + t.model().kvCapacityTokens());
            }
        }
        long[] bytes = new long[trace.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = kvBytes.applyAsLong(trace.promptTokens(i));
        }
        return new DisaggregatedEngine(trace, prefill, prefillParams, decode, decodeParams, link, linkGbps, bytes)
                .run();
    }
}
