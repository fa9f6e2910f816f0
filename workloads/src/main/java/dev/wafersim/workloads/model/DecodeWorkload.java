package dev.wafersim.workloads.model;

import dev.wafersim.core.config.ConfigException;
import java.util.Objects;

/**
 * A decode run: a batch of sequences whose prompts ({@code contextTokens} each) are already in the KV
 * cache generates {@code tokensToGenerate} tokens, one decode step per token. The prefill that filled the
 * cache is not part of the run.
 *
 * <p>Step {@code t} (0-based) starts with {@code contextTokens + t} cached tokens per sequence, writes
 * one more, and attends over {@code contextTokens + t + 1} keys, capped by the window on sliding layers
 * (see {@link DecodeStep}). After the last step every sequence holds {@code contextTokens +
 * tokensToGenerate} positions, the peak KV-cache footprint.
 *
 * @param batchSize        sequences decoded together (at least 1)
 * @param contextTokens    tokens per sequence in the KV cache when generation starts (at least 1)
 * @param tokensToGenerate decode steps (at least 1)
 * @param precision        number formats
 * @param routing          distinct-expert assumption for MoE models
 */
public record DecodeWorkload(int batchSize, long contextTokens, int tokensToGenerate, Precision precision,
                             ExpertRouting routing) {

    /** Largest accepted batch. */
    public static final int MAX_BATCH = 1 << 20;
    /** Largest accepted context, tokens. */
    public static final long MAX_CONTEXT = 1L << 32;

    public DecodeWorkload {
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(routing, "routing");
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new ConfigException("workload.batchSize=" + batchSize + " is not allowed; expected an integer in [1, "
                    + MAX_BATCH + "]");
        }
        if (contextTokens < 1 || contextTokens > MAX_CONTEXT) {
            throw new ConfigException("workload.contextTokens=" + contextTokens
                    + " is not allowed; expected an integer in [1, " + MAX_CONTEXT + "] (tokens)");
        }
        if (tokensToGenerate < 1) {
            throw new ConfigException("workload.tokensToGenerate=" + tokensToGenerate
                    + " is not allowed; expected an integer >= 1 (tokens)");
        }
    }

    /** bf16 weights and KV cache, uniform expected expert routing. */
    public static DecodeWorkload of(int batchSize, long contextTokens, int tokensToGenerate) {
        return new DecodeWorkload(batchSize, contextTokens, tokensToGenerate, Precision.DEFAULT,
                ExpertRouting.UNIFORM_EXPECTED);
    }

    /** This workload with another precision. */
    public DecodeWorkload withPrecision(Precision p) {
        return new DecodeWorkload(batchSize, contextTokens, tokensToGenerate, p, routing);
    }

    /** Tokens per sequence in the cache at the start of step {@code t}: {@code contextTokens + t}. */
    public long cachedTokensAtStep(int t) {
        if (t < 0 || t >= tokensToGenerate) {
            throw new IndexOutOfBoundsException("step " + t + " of " + tokensToGenerate);
        }
        return contextTokens + t;
    }

    /** The op graph of step {@code t} (0-based). */
    public DecodeStep step(ModelSpec model, int t) {
        return DecodeStep.build(model, precision, batchSize, cachedTokensAtStep(t), routing);
    }

    /** Positions per sequence after the last step: {@code contextTokens + tokensToGenerate}. */
    public long finalPositions() {
        return contextTokens + tokensToGenerate;
    }

    /** Bytes of the model's weights at this precision (capacity). */
    public long weightBytes(ModelSpec model) {
        return model.weightBytes(precision);
    }

    /** KV-cache bytes resident at the start, all sequences: {@code contextTokens} positions each. */
    public long initialKvCacheBytes(ModelSpec model) {
        return model.kvCacheBytes(precision, contextTokens, batchSize);
    }

    /** KV-cache bytes resident after the last step, all sequences: the peak (capacity). */
    public long peakKvCacheBytes(ModelSpec model) {
        return model.kvCacheBytes(precision, finalPositions(), batchSize);
    }

    /** Sums over every op of every step. */
    public OpTotals totals(ModelSpec model) {
        OpTotals t = OpTotals.ZERO;
        for (int s = 0; s < tokensToGenerate; s++) {
            t = t.plus(step(model, s).totals());
        }
        return t;
    }
}
