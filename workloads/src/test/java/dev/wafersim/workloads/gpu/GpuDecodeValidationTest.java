package dev.wafersim.workloads.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.fabric.validation.CalibrationPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The end-to-end validation points hold their bands, or are listed as known misses with a reason. */
class GpuDecodeValidationTest {
    @Test
    void points_gptFastA100_eachInsideItsBandUnlessAKnownMiss() {
        List<CalibrationPoint> points = GpuDecodeValidation.points();
        assertEquals(List.of("G1", "G2", "G3", "G3b"), points.stream().map(CalibrationPoint::id).toList());
        for (CalibrationPoint p : points) {
            assertEquals(!p.knownMiss(), p.withinBand(), p.row() + " " + p.note());
            assertFalse(p.fitted(), p.id() + " is a check, never a fit");
        }
        // Published values: 1000 / (104.9, 328.43, 62.50, 21.32) tokens/s.
        assertEquals(9.533, points.get(0).measured(), 0.001);
        assertEquals(3.045, points.get(1).measured(), 0.001);
        assertEquals(16.0, points.get(2).measured(), 1e-9);
        assertEquals(46.904, points.get(3).measured(), 0.001);
        // Bands as documented: 15% for one GPU, 25% with tensor parallelism.
        assertEquals(15, points.get(0).bandPct());
        for (CalibrationPoint p : points.subList(1, 4)) {
            assertEquals(25, p.bandPct());
        }
        // Every known miss is a real point with a stated reason.
        for (String id : GpuDecodeValidation.KNOWN_MISSES.keySet()) {
            assertTrue(points.stream().anyMatch(p -> p.id().equals(id) && p.knownMiss() && !p.note().isEmpty()), id);
        }
    }
}
