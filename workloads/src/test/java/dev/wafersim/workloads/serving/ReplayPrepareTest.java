package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The passes a replay foresees and hands to {@link StepModel#prepare} before it starts. */
class ReplayPrepareTest {
    /** A closed-form machine that records what it is asked to prepare. */
    private static final class Recording implements StepModel {
        final ClosedFormStepModel m = ClosedFormStepModel.constant(1_000_000, 100_000);
        final List<ForwardBatch> prepared = new ArrayList<>();

        @Override
        public StepTime time(ForwardBatch batch) {
            return m.time(batch);
        }

        @Override
        public void prepare(List<ForwardBatch> batches) {
            prepared.addAll(batches);
        }

        @Override
        public long kvCapacityTokens() {
            return m.kvCapacityTokens();
        }

        @Override
        public int maxPassesInFlight() {
            return 1;
        }

        @Override
        public int devices() {
            return 1;
        }

        @Override
        public String machine() {
            return "recording";
        }
    }

    /**
     * Budget 2,048 tokens a pass. Request 0: a 5,000-token prompt in chunks at cached 0, 2,048 and 4,096 (the last of
     * 904 tokens gives the first token), decode tokens at 5,000 and 5,009 (10 output tokens). Request 1: 100 tokens in
     * one chunk, then decode at 100 only (one output token: its first and last decode context coincide). Request 2
     * repeats request 1 and adds nothing. Request 3 (200,000 positions) exceeds the 100,000-token cache: left to the
     * replay. Seven passes, in that order.
     */
    @Test
    void prepare_promptChunksAndFirstAndLastDecode_deduplicated() {
        RequestTrace trace = RequestTrace.of(new long[] {0, 1, 2, 3}, new int[] {5000, 100, 100, 199_000},
                new int[] {10, 1, 1, 1000}, "test");
        Recording r = new Recording();
        ServingReplay.prepare(trace, r, ServingParams.defaultParams().withLimits(256, 2048));
        assertEquals(List.of(ForwardBatch.prefill(0, 2048, false), ForwardBatch.prefill(2048, 2048, false),
                ForwardBatch.prefill(4096, 904, true), ForwardBatch.decode(1, 5000), ForwardBatch.decode(1, 5009),
                ForwardBatch.prefill(0, 100, true), ForwardBatch.decode(1, 100)), r.prepared);
    }
}
