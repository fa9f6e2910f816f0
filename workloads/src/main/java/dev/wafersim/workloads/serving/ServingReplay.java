package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import java.util.Objects;

/**
 * Replays a request trace on a machine, iteration by iteration, as a continuous-batching server runs
 * it; the entry point of the serving package.
 *
 * <p>The model. Each request arrives, waits in an FCFS queue, is admitted when a running slot
 * ({@code serving.maxRunningSequences}) and the KV blocks of its prompt are free (paged cache of
 * {@code serving.kvBlockTokens}-token blocks, as many as {@code StepModel.kvCapacityTokens()} holds),
 * is prefilled (in chunks when the policy chunks), emits its first token when the pass holding its last
 * prompt chunk finishes, then one token per decode pass until its output is complete, and frees its blocks.
 * A decode that finds no free block preempts the newest running sequence by recompute: its KV is dropped
 * and it re-enters the queue at the head, to be prefilled again over its prompt and the tokens it has
 * generated. The {@link SchedulerPolicy} named by {@code serving.scheduler} composes each pass. Every pass's
 * time comes from the machine's step model at that pass's composition ({@link StepTimes}).
 *
 * <p>Pipelined machines ({@code maxPassesInFlight() > 1}): up to that many passes are in flight; a pass
 * may start one pipeline interval (the {@code intervalPs} of the previous pass) after the previous start
 * and finishes {@code latencyPs} after its own. A sequence's next decode token waits for its previous
 * pass to finish; a prompt's next chunk may follow its previous chunk in the very next pass, trailing it
 * through the stages.
 *
 * <p>Around the machine ({@link ReplayOptions}): the client path (the request's way from the client to the
 * queue and each token's way back, {@code workloads.client.ClientPath}); sessions of turns, each turn sent when
 * the client has the previous answer plus a think time, whose KV blocks the server may keep between turns
 * ({@code serving.prefixCaching}: reused as the next turn's prefix, evicted least recently used first when
 * blocks run short, prefilled again when evicted); speculative decoding (a decode row is a verify step of K + 1
 * tokens, and a seeded acceptance process decides how many of its K drafts are kept).
 *
 * <p>Requests that can never run are rejected on arrival and counted, as a server answers them with an
 * error and goes on: prompt plus output beyond {@code serving.maxModelLenTokens}, or beyond what the KV cache
 * can ever hold ({@link ServingResult#REJECTED_MAX_MODEL_LEN}, {@link ServingResult#REJECTED_KV_CAPACITY}).
 */
public final class ServingReplay {
    private ServingReplay() {
    }

    /**
     * Replays {@code trace}.
     *
     * @throws ConfigException when the step model rejects a pass
     */
    public static ServingResult run(RequestTrace trace, StepTimes times, ServingParams params) {
        return run(trace, times, params, ReplayOptions.NONE);
    }

    /** Replays {@code trace} with a client path and, when asked, speculative decoding. */
    public static ServingResult run(RequestTrace trace, StepTimes times, ServingParams params, ReplayOptions options) {
        return run(trace, times, params, options, dev.wafersim.core.trace.TraceSink.NONE, "serving replay");
    }

    /**
     * Replays {@code trace} and writes its timeline to {@code sink}: the process "serving replay", a track per
     * request slot (queued, prefill and decode spans), the passes as async spans, and counters of running
     * requests, pass rows and KV-cache use.
     */
    public static ServingResult run(RequestTrace trace, StepTimes times, ServingParams params,
                                    dev.wafersim.core.trace.TraceSink sink, String processName) {
        return run(trace, times, params, ReplayOptions.NONE, sink, processName);
    }

    /** Replays {@code trace} with {@code options}, writing its timeline to {@code sink}. */
    public static ServingResult run(RequestTrace trace, StepTimes times, ServingParams params, ReplayOptions options,
                                    dev.wafersim.core.trace.TraceSink sink, String processName) {
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(times, "times");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(options, "options");
        if (times.model().kvCapacityTokens() < 0 || times.model().maxPassesInFlight() < 1) {
            throw new IllegalStateException("step model reports KV capacity " + times.model().kvCapacityTokens()
                    + " tokens and " + times.model().maxPassesInFlight() + " passes in flight");
        }
        if (sink.enabled()) {
            sink.process(ServingEngine.TRACE_PID, processName, 0);
        }
        prepare(trace, times.model(), params);
        ServingResult r = new ServingEngine(trace, times, params, sink, options).run();
        return r;
    }

    /**
     * Tells the machine, before the replay, the passes its requests will need at least: each prompt's chunks
     * of {@code serving.maxBatchedTokens} alone, and one decode token at the start and at the end of each
     * output, deduplicated by (cached, new). A machine that simulates passes from costly, memoized parts (the
     * wafer's fabric episodes) then simulates them at once on all cores instead of one by one as the replay
     * reaches them; the others ignore the hint ({@link StepModel#prepare}). The replay's result does not change:
     * the same parts are simulated, only earlier. Passes that cannot run alone (beyond the KV cache) are left to
     * the replay, which rejects or preempts as it does without the hint.
     */
    static void prepare(RequestTrace trace, StepModel model, ServingParams params) {
        long capacity = model.kvCapacityTokens();
        int budget = Math.max(1, params.maxBatchedTokens());
        java.util.Set<Long> seen = new java.util.HashSet<>();
        java.util.List<ForwardBatch> passes = new java.util.ArrayList<>();
        for (int i = 0; i < trace.size(); i++) {
            long prompt = trace.promptTokens(i);
            long end = prompt + trace.outputTokens(i);
            if (end > capacity) {
                continue;
            }
            for (long cached = 0; cached < prompt; cached += budget) {
                int fresh = (int) Math.min(budget, prompt - cached);
                if (seen.add(cached * 4_000_003L + fresh)) {
                    passes.add(ForwardBatch.prefill(cached, fresh, cached + fresh == prompt));
                }
            }
            for (long cached : new long[] {prompt, end - 1}) {
                if (seen.add(cached * 4_000_003L)) {
                    passes.add(ForwardBatch.decode(1, cached));
                }
            }
        }
        try {
            model.prepare(passes);
        } catch (ConfigException e) {
            // A hint only: whatever the machine refuses here, the replay meets and reports as it always does.
        }
    }

    /** The step times of a replay: every pass simulated when {@code exact}, else the interpolated table. */
    public static StepTimes stepTimes(dev.wafersim.workloads.step.StepModel model, ServingParams params,
                                      boolean exact) {
        return stepTimes(model, params, exact, 1);
    }

    /**
     * The step times of a replay whose decode rows feed {@code decodeWidth} tokens each (K + 1 for
     * speculative verify steps): every pass simulated when {@code exact}, else the interpolated table.
     */
    public static StepTimes stepTimes(dev.wafersim.workloads.step.StepModel model, ServingParams params,
                                      boolean exact, int decodeWidth) {
        return exact ? new ExactStepTimes(model) : new StepTimeTable(model, params, decodeWidth);
    }
}
