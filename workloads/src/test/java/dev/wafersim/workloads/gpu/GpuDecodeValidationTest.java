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
    void points_everyPoint_insideItsBandUnlessAKnownMiss_fitAndHeldOutMarked() {
        List<CalibrationPoint> points = GpuDecodeValidation.points();
        assertEquals(List.of("E1", "G1", "G2a", "G2b", "G2", "G3b", "G3c", "G3", "N1", "N2"),
                points.stream().map(CalibrationPoint::id).toList());
        for (CalibrationPoint p : points) {
            assertEquals(!p.knownMiss(), p.withinBand(), p.row() + " " + p.note());
            // Only E1 calibrated a parameter (the eager stack's per-op host cost); the rest are held out.
            assertEquals(p.id().equals("E1"), p.fitted(), p.id());
        }
        // Published values: 1000 / tokens per second, or the ITL in ms.
        assertEquals(1000 / 25.5, points.get(0).measured(), 1e-9);
        assertEquals(9.533, points.get(1).measured(), 0.001);
        assertEquals(3.045, points.get(4).measured(), 0.001);
        assertEquals(16.0, points.get(7).measured(), 1e-9);
        assertEquals(18.58, points.get(8).measured(), 1e-9);
        // Bands as documented: 15% for one GPU, 25% with tensor parallelism and for the NIM points.
        assertEquals(15, points.get(0).bandPct());
        assertEquals(15, points.get(1).bandPct());
        for (CalibrationPoint p : points.subList(2, points.size())) {
            assertEquals(25, p.bandPct(), p.id());
        }
        // Every known miss is a real point with a stated reason.
        for (String id : GpuDecodeValidation.KNOWN_MISSES.keySet()) {
            assertTrue(points.stream().anyMatch(p -> p.id().equals(id) && p.knownMiss() && !p.note().isEmpty()), id);
        }
    }

    @Test
    void setups_gptFastPoints_useTheCompiledStackWithAReplicatedLmHead() {
        for (GpuDecodeValidation.Setup s : GpuDecodeValidation.setups()) {
            if (s.id().startsWith("G")) {
                assertEquals("compiled", s.stack(), s.id());
                assertTrue(s.replicatedLmHead(), s.id());
                assertEquals("compiled", s.request().params().getString("stack.name"));
            }
        }
    }
}
