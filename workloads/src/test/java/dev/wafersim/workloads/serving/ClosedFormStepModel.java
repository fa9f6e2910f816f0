package dev.wafersim.workloads.serving;

import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepTime;

/**
 * A test machine whose pass time is a closed form of the batch, so tests can compute every expected
 * time by hand:
 * {@code latency = fixed + perNewToken x new + perCachedToken x cached + perPair x attentionPairs
 * + perLogit x logits}, and, with {@code stages} pipeline stages, {@code interval = ceil(latency / stages)}.
 */
final class ClosedFormStepModel implements StepModel {
    final long fixedPs;
    final long perNewTokenPs;
    final long perCachedTokenPs;
    final long perPairPs;
    final long perLogitPs;
    final long kvCapacityTokens;
    final int stages;
    long calls;

    ClosedFormStepModel(long fixedPs, long perNewTokenPs, long perCachedTokenPs, long perPairPs, long perLogitPs,
                        long kvCapacityTokens, int stages) {
        this.fixedPs = fixedPs;
        this.perNewTokenPs = perNewTokenPs;
        this.perCachedTokenPs = perCachedTokenPs;
        this.perPairPs = perPairPs;
        this.perLogitPs = perLogitPs;
        this.kvCapacityTokens = kvCapacityTokens;
        this.stages = stages;
    }

    /** A machine whose every pass takes {@code ps}, whatever it holds. */
    static ClosedFormStepModel constant(long ps, long kvCapacityTokens) {
        return new ClosedFormStepModel(ps, 0, 0, 0, 0, kvCapacityTokens, 1);
    }

    /** The latency of {@code b}, ps. */
    long latencyPs(ForwardBatch b) {
        return fixedPs + perNewTokenPs * b.totalNewTokens() + perCachedTokenPs * b.totalCachedTokens()
                + perPairPs * b.attentionPairs() + perLogitPs * b.totalLogitTokens();
    }

    @Override
    public StepTime time(ForwardBatch batch) {
        calls++;
        long l = latencyPs(batch);
        long[] bd = new long[LatencyCategory.values().length];
        bd[LatencyCategory.COMPUTE.ordinal()] = l;
        return new StepTime(l, (l + stages - 1) / stages, bd);
    }

    @Override
    public long kvCapacityTokens() {
        return kvCapacityTokens;
    }

    @Override
    public int maxPassesInFlight() {
        return stages;
    }

    @Override
    public int devices() {
        return 1;
    }

    @Override
    public String machine() {
        return "closed-form test machine, " + stages + " stage(s)";
    }
}
