package dev.wafersim.workloads.wafer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PassPipelineTest {
    /**
     * The same region L = 3 times, h = 7 cycles between regions, every pass ready at a = 5, pass
     * ends c = (100, 130, 170, 200). In the first region pass p is done at a + c_p (each pass is
     * ready before the region finishes the previous one); in region k + 1 pass p is ready at
     * a + k (h + c_0) + c_p + h and leaves at that plus c_0, or right behind pass p - 1: the two
     * are equal, so the last pass leaves at a + (L - 1)(h + c_0) + c_(P-1) = 5 + 2 x 107 + 200 = 419.
     */
    @Test
    void through_repeatedRegion_closedForm() {
        long[] c = {100, 130, 170, 200};
        long[] ready = {5, 5, 5, 5};
        for (int region = 0; region < 3; region++) {
            if (region > 0) {
                for (int p = 0; p < ready.length; p++) {
                    ready[p] += 7;
                }
            }
            ready = PassPipeline.through(ready, c, new boolean[4]);
        }
        assertArrayEquals(new long[] {5 + 2 * 107 + 100, 5 + 2 * 107 + 130, 5 + 2 * 107 + 170, 419}, ready);
    }

    /** Passes arriving far apart each take the pass latency c_0 alone; close together they queue. */
    @Test
    void through_lateAndEarlyPasses_aloneOrBehind() {
        boolean[] behind = new boolean[3];
        assertArrayEquals(new long[] {100, 600, 1100},
                PassPipeline.through(new long[] {0, 500, 1000}, new long[] {100, 120, 140}, behind));
        assertArrayEquals(new boolean[] {false, false, false}, behind);
        // Pass 1 ready at 10: alone 110, behind pass 0 100 + 20 = 120 -> queued.
        assertArrayEquals(new long[] {100, 120, 140},
                PassPipeline.through(new long[] {0, 10, 20}, new long[] {100, 120, 140}, behind));
        assertArrayEquals(new boolean[] {false, true, true}, behind);
    }

    /**
     * Different micro-passes through R = 3 identical regions (hand-off h = 4): a slow one (alone 50,
     * interval 50) then two fast ones (alone 20, interval 10), all ready at 0. Region 1: 50, then
     * max(20, 50 + 10) = 60, then max(20, 60 + 10) = 70. Region 2 (ready + 4): 54 + 50 = 104, then
     * max(64 + 20, 104 + 10) = 114, then max(74 + 20, 114 + 10) = 124. Region 3: 158, 168, 178: the fast
     * passes stay behind the slow one at their interval, and the last leaves at
     * R x 50 + (R - 1) x 4 + 2 x 10 = 178.
     */
    @Test
    void done_slowThenFastPasses_queueBehindAtTheirInterval() {
        long[] alone = {50, 20, 20};
        long[] interval = {50, 10, 10};
        long[] ready = new long[3];
        for (int region = 0; region < 3; region++) {
            long previous = PassPipeline.NONE;
            for (int p = 0; p < 3; p++) {
                ready[p] = PassPipeline.done(ready[p] + (region > 0 ? 4 : 0), alone[p], previous, interval[p]);
                previous = ready[p];
            }
        }
        assertArrayEquals(new long[] {158, 168, 178}, ready);
        assertEquals(3 * 50 + 2 * 4 + 2 * 10, ready[2]);
    }

    @Test
    void through_mismatchedLengths_rejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PassPipeline.through(new long[2], new long[3], new boolean[2]));
    }
}
