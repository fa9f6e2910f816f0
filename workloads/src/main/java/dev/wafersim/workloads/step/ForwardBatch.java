package dev.wafersim.workloads.step;

import java.util.Arrays;

/**
 * The sequences of one forward pass of a model (one iteration of a server): for each sequence, the
 * tokens already in its KV cache, the new tokens this pass feeds through the model, and how many of
 * those new tokens need logits (an LM-head row each).
 *
 * <p>Every kind of pass is a batch of these rows:
 * <ul>
 *   <li>a decode token: {@code cached = L, new = 1, logits = 1};</li>
 *   <li>a prefill chunk of C prompt tokens: {@code cached = tokens of the prompt already prefilled, new = C,
 *       logits = 1} on the prompt's last chunk (its first output token), 0 on the others;</li>
 *   <li>a speculative verify step of K drafted tokens: {@code new = K + 1, logits = K + 1}.</li>
 * </ul>
 * New token j (0-based) of a row attends causally over {@code cached + j + 1} positions (capped by a
 * sliding window where the model has one) and writes its own K and V into the cache, so after the
 * pass the row holds {@code cached + new} positions.
 *
 * <p>Immutable; arrays are copied in and out. Rows keep the order they were given (a machine model
 * may rely on it, e.g. to place sequences), and equal batches are {@link #equals equal}.
 */
public final class ForwardBatch {
    private final long[] cached;
    private final int[] fresh;
    private final int[] logits;
    private final long totalNew;
    private final long totalLogits;

    private ForwardBatch(long[] cached, int[] fresh, int[] logits) {
        if (cached.length == 0 || cached.length != fresh.length || fresh.length != logits.length) {
            throw new IllegalArgumentException("a batch needs at least one row and as many entries in each array");
        }
        long n = 0;
        long l = 0;
        for (int i = 0; i < cached.length; i++) {
            if (cached[i] < 0 || fresh[i] < 1 || logits[i] < 0 || logits[i] > fresh[i]) {
                throw new IllegalArgumentException("row " + i + ": cached " + cached[i] + ", new " + fresh[i]
                        + ", logits " + logits[i] + " (expected cached >= 0, new >= 1, 0 <= logits <= new)");
            }
            n += fresh[i];
            l += logits[i];
        }
        this.cached = cached;
        this.fresh = fresh;
        this.logits = logits;
        this.totalNew = n;
        this.totalLogits = l;
    }

    /**
     * A batch of rows.
     *
     * @param cachedTokens tokens in each sequence's KV cache before the pass, >= 0
     * @param newTokens    tokens each sequence feeds through the model, >= 1
     * @param logitTokens  of those, how many need logits, in [0, new]
     */
    public static ForwardBatch of(long[] cachedTokens, int[] newTokens, int[] logitTokens) {
        return new ForwardBatch(cachedTokens.clone(), newTokens.clone(), logitTokens.clone());
    }

    /** {@code batch} decode tokens, every sequence with {@code cachedTokens} tokens cached. */
    public static ForwardBatch decode(int batch, long cachedTokens) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch);
        }
        long[] c = new long[batch];
        int[] n = new int[batch];
        Arrays.fill(c, cachedTokens);
        Arrays.fill(n, 1);
        return new ForwardBatch(c, n, n.clone());
    }

    /**
     * One prefill chunk of one sequence: {@code chunk} prompt tokens after {@code cachedTokens} already
     * prefilled; the last chunk of a prompt computes the first output token's logits.
     */
    public static ForwardBatch prefill(long cachedTokens, int chunk, boolean lastChunk) {
        return new ForwardBatch(new long[] {cachedTokens}, new int[] {chunk}, new int[] {lastChunk ? 1 : 0});
    }

    /** Sequences in the pass. */
    public int sequences() {
        return cached.length;
    }

    /** Tokens in sequence {@code i}'s cache before the pass. */
    public long cachedTokens(int i) {
        return cached[i];
    }

    /** New tokens sequence {@code i} feeds through the model. */
    public int newTokens(int i) {
        return fresh[i];
    }

    /** New tokens of sequence {@code i} that need logits. */
    public int logitTokens(int i) {
        return logits[i];
    }

    /** Positions sequence {@code i} holds after the pass: {@code cached + new}. */
    public long positionsAfter(int i) {
        return cached[i] + fresh[i];
    }

    /** Tokens fed through the model in all: the M of every weight matmul. */
    public long totalNewTokens() {
        return totalNew;
    }

    /** LM-head rows in all. */
    public long totalLogitTokens() {
        return totalLogits;
    }

    /** True when every row is a single decode token (new = logits = 1). */
    public boolean isPureDecode() {
        return totalNew == cached.length && totalLogits == cached.length;
    }

    /** Largest cache length after the pass over all rows. */
    public long maxPositionsAfter() {
        long m = 0;
        for (int i = 0; i < cached.length; i++) {
            m = Math.max(m, positionsAfter(i));
        }
        return m;
    }

    /**
     * Key-query pairs of causal attention in the pass, summed over rows (before any sliding window):
     * row i contributes {@code sum_{j=0}^{new-1} (cached + j + 1) = new * cached + new (new + 1) / 2}.
     */
    public long attentionPairs() {
        long s = 0;
        for (int i = 0; i < cached.length; i++) {
            long n = fresh[i];
            s = Math.addExact(s, Math.addExact(Math.multiplyExact(n, cached[i]), n * (n + 1) / 2));
        }
        return s;
    }

    /** Cached tokens summed over rows (the KV cache the pass reads, before any sliding window). */
    public long totalCachedTokens() {
        long s = 0;
        for (long c : cached) {
            s += c;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardBatch b && Arrays.equals(cached, b.cached) && Arrays.equals(fresh, b.fresh)
                && Arrays.equals(logits, b.logits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(cached) + Arrays.hashCode(fresh)) + Arrays.hashCode(logits);
    }

    @Override
    public String toString() {
        return "ForwardBatch[" + cached.length + " rows, " + totalNew + " new tokens, " + totalLogits + " logits]";
    }
}
