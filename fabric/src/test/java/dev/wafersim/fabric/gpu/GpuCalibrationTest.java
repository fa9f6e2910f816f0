package dev.wafersim.fabric.gpu;

import dev.wafersim.fabric.validation.CalibrationPoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GpuCalibrationTest {
    static final List<CalibrationPoint> POINTS = GpuCalibration.points();

    static CalibrationPoint point(String id) {
        return POINTS.stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no calibration point " + id));
    }

    @Test
    void points_everyPoint_withinItsBandUnlessAKnownMiss() {
        StringBuilder wrong = new StringBuilder();
        for (CalibrationPoint p : POINTS) {
            if (p.withinBand() == p.knownMiss()) {
                wrong.append(System.lineSeparator()).append(p.row()).append(p.knownMiss() ? "  (listed as a miss)" : "");
            }
        }
        assertEquals("", wrong.toString(), "points whose status disagrees with the table:");
    }

    @Test
    void points_referenceAllReduceFigures_modelInsideTenPercent() {
        // Reference gpu-hardware.md: 8 x A100 DGX 10-35 KB: 25-31 us; 4 x A100: 12.5 us at 8 B, 17.4 us at
        // 16 KB, 60.8 us at 1 MB; 16 x A100 over 2 nodes 2-35 KB: 65-80 us.
        for (String id : List.of("AR-A100-8x-10KB", "AR-A100-8x-34KB")) {
            assertTrue(point(id).model() >= 25 * 0.9 && point(id).model() <= 31 * 1.1, id);
        }
        Map<String, Double> fixed = Map.of("AR-A100-4x-8B", 12.5, "AR-A100-4x-16KB", 17.4, "AR-A100-4x-1MB", 60.8);
        fixed.forEach((id, us) -> assertEquals(us, point(id).model(), us * 0.1, id));
        for (String id : List.of("AR-A100-16x2n-2KB", "AR-A100-16x2n-34KB")) {
            assertTrue(point(id).model() >= 65 * 0.9 && point(id).model() <= 80 * 1.1, id);
        }
    }

    @Test
    void points_gptFastBandwidth_fromTheSimulationNearMeasured() {
        // gpt-fast: 1,397 GB/s on a 330 W A100; the model streams 13.2 GB of linear and LM-head weights.
        CalibrationPoint p = point("G1-A100-7B-decode-bandwidth");
        assertEquals(1397, p.measured());
        assertTrue(Math.abs(p.errorPct()) <= 15, p.row());
        assertTrue(p.model() < 0.78 * 2039, "cannot beat the sustained HBM rate");
    }

    @Test
    void points_idsUniqueAndErrorsConsistent() {
        Set<String> ids = new HashSet<>();
        Map<Boolean, Integer> misses = new HashMap<>();
        for (CalibrationPoint p : POINTS) {
            assertTrue(ids.add(p.id()), "duplicate id " + p.id());
            assertEquals(100 * (p.model() - p.measured()) / p.measured(), p.errorPct(), 1e-9);
            misses.merge(p.knownMiss(), 1, Integer::sum);
        }
        assertTrue(misses.getOrDefault(false, 0) > 80, "most points land in their band");
        assertEquals(POINTS.size() + 1, GpuCalibration.table().split("\\R").length);
    }
}
