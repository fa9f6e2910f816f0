package dev.wafersim.workloads.serving;

/**
 * The rows of one pass as a serving engine builds them: parallel primitive arrays sized once for the most
 * rows a pass may hold, reused pass after pass (no allocation per pass), read by {@link StepTimes} through
 * {@link PassRows}. Row {@code i} belongs to request {@code req[i]}; {@code busy} is true while the pass runs
 * on the machine. Used by {@link ServingEngine} and {@link DisaggregatedEngine}.
 */
class PassBuffer implements PassRows {
    final int[] req;
    final long[] cached;
    final int[] fresh;
    final int[] logits;
    int rows;
    boolean busy;

    /** A buffer for passes of up to {@code capacity} rows. */
    PassBuffer(int capacity) {
        req = new int[capacity];
        cached = new long[capacity];
        fresh = new int[capacity];
        logits = new int[capacity];
    }

    /** Appends a row: request {@code r} with {@code c} tokens cached, {@code f} new, {@code l} of them with logits. */
    void add(int r, long c, int f, int l) {
        req[rows] = r;
        cached[rows] = c;
        fresh[rows] = f;
        logits[rows] = l;
        rows++;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public long cachedTokens(int i) {
        return cached[i];
    }

    @Override
    public int newTokens(int i) {
        return fresh[i];
    }

    @Override
    public int logitTokens(int i) {
        return logits[i];
    }
}
