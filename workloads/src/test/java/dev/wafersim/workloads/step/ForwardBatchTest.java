package dev.wafersim.workloads.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.workloads.run.LatencyCategory;
import org.junit.jupiter.api.Test;

class ForwardBatchTest {
    @Test
    void attentionPairs_prefillChunk_isCausalTriangleAfterCache() {
        // 4 new tokens after 10 cached attend over 11, 12, 13, 14 positions: 50 pairs.
        ForwardBatch b = ForwardBatch.prefill(10, 4, false);
        assertEquals(11 + 12 + 13 + 14, b.attentionPairs());
        assertEquals(0, b.totalLogitTokens());
        assertEquals(14, b.positionsAfter(0));
        assertFalse(b.isPureDecode());
    }

    @Test
    void decode_batch_countsOneTokenPerSequence() {
        ForwardBatch b = ForwardBatch.decode(3, 100);
        assertEquals(3, b.totalNewTokens());
        assertEquals(3, b.totalLogitTokens());
        assertEquals(3 * 101, b.attentionPairs());
        assertTrue(b.isPureDecode());
        assertEquals(b, ForwardBatch.of(new long[] {100, 100, 100}, new int[] {1, 1, 1}, new int[] {1, 1, 1}));
    }

    @Test
    void of_moreLogitsThanNewTokens_isRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ForwardBatch.of(new long[] {5}, new int[] {2}, new int[] {3}));
    }

    @Test
    void stepTime_breakdownMustSumToLatency() {
        long[] b = new long[LatencyCategory.values().length];
        b[0] = 5;
        assertThrows(IllegalArgumentException.class, () -> new StepTime(6, 6, b));
        assertThrows(IllegalArgumentException.class, () -> new StepTime(5, 6, b));
        assertEquals(5, new StepTime(5, 2, b).breakdownPs(LatencyCategory.values()[0]));
    }
}
