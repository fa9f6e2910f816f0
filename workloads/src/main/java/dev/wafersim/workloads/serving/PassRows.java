package dev.wafersim.workloads.serving;

/**
 * The rows of one pass the engine is about to start, as {@link StepTimes} reads them: a view over the
 * engine's primitive arrays (no copy, no allocation). Row semantics are those of
 * {@link dev.wafersim.workloads.step.ForwardBatch}.
 */
public interface PassRows {
    /** Rows (sequences) in the pass, >= 1. */
    int rows();

    /** Tokens in row {@code i}'s KV cache before the pass. */
    long cachedTokens(int i);

    /** New tokens row {@code i} feeds through the model, >= 1. */
    int newTokens(int i);

    /** Of those, how many need logits. */
    int logitTokens(int i);

    /** The rows copied into a batch, for a step model (allocates: for exact timing, not the hot path). */
    default dev.wafersim.workloads.step.ForwardBatch toBatch() {
        int n = rows();
        long[] cached = new long[n];
        int[] fresh = new int[n];
        int[] logits = new int[n];
        for (int i = 0; i < n; i++) {
            cached[i] = cachedTokens(i);
            fresh[i] = newTokens(i);
            logits[i] = logitTokens(i);
        }
        return dev.wafersim.workloads.step.ForwardBatch.of(cached, fresh, logits);
    }
}
