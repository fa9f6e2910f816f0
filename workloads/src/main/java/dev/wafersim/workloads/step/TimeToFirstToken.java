package dev.wafersim.workloads.step;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.run.LatencyCategory;
import java.util.Arrays;

/**
 * The time from a prompt entering an idle machine to its first output token: the prefill of the prompt in
 * chunks, each a forward pass of the machine's {@link StepModel}. The last chunk computes the logits of
 * the last prompt token, i.e. the first output token ({@link ForwardBatch#prefill}), so no separate decode
 * step follows. A request's chunks run one after another (each needs the K and V of the previous ones, and
 * servers schedule one chunk of a request per iteration), so the time is the sum of the passes' latencies.
 * This is the machine's share of TTFT: queueing, tokenization and the network are not in it.
 *
 * @param promptTokens tokens of the prompt
 * @param chunkTokens  prompt tokens per pass
 * @param passes       prefill passes: {@code ceil(promptTokens / chunkTokens)}
 * @param latencyPs    the sum of the passes' latencies, ps
 * @param breakdownPs  time per {@link LatencyCategory} (by ordinal), summed over the passes; sums to
 *                     {@code latencyPs}
 */
public record TimeToFirstToken(long promptTokens, int chunkTokens, int passes, long latencyPs, long[] breakdownPs) {
    public TimeToFirstToken {
        breakdownPs = breakdownPs.clone();
    }

    /**
     * Prefills {@code promptTokens} tokens on {@code model} in chunks of {@code chunkTokens}.
     *
     * @throws ConfigException for a prompt or chunk below 1 token, or a pass the machine cannot take
     */
    public static TimeToFirstToken of(StepModel model, long promptTokens, int chunkTokens) {
        if (promptTokens < 1) {
            throw new ConfigException("--prompt-tokens=" + promptTokens + " is not allowed; expected an integer >= 1");
        }
        if (chunkTokens < 1) {
            throw new ConfigException("serving.prefillChunkTokens=" + chunkTokens
                    + " is not allowed; expected an integer >= 1");
        }
        java.util.List<ForwardBatch> chunks = new java.util.ArrayList<>();
        for (long done = 0; done < promptTokens; done += chunkTokens) {
            int chunk = (int) Math.min(chunkTokens, promptTokens - done);
            chunks.add(ForwardBatch.prefill(done, chunk, done + chunk == promptTokens));
        }
        model.prepare(chunks);
        long[] breakdown = new long[LatencyCategory.values().length];
        long total = 0;
        int passes = 0;
        for (long done = 0; done < promptTokens; done += chunkTokens) {
            int chunk = (int) Math.min(chunkTokens, promptTokens - done);
            boolean last = done + chunk == promptTokens;
            StepTime t = model.time(ForwardBatch.prefill(done, chunk, last));
            total = Math.addExact(total, t.latencyPs());
            for (LatencyCategory c : LatencyCategory.values()) {
                breakdown[c.ordinal()] += t.breakdownPs(c);
            }
            passes++;
        }
        return new TimeToFirstToken(promptTokens, chunkTokens, passes, total, breakdown);
    }

    /** Time booked to {@code c}, ps. */
    public long breakdownPs(LatencyCategory c) {
        return breakdownPs[c.ordinal()];
    }

    @Override
    public long[] breakdownPs() {
        return breakdownPs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimeToFirstToken t && t.promptTokens == promptTokens && t.chunkTokens == chunkTokens
                && t.passes == passes && t.latencyPs == latencyPs && Arrays.equals(t.breakdownPs, breakdownPs);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(latencyPs) * 31 + Arrays.hashCode(breakdownPs);
    }
}
