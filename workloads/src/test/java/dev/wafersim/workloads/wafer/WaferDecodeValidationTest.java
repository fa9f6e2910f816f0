package dev.wafersim.workloads.wafer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wafersim.fabric.validation.CalibrationPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's wafer validation points, run exactly as {@code wafersim validate} runs them: Llama-3.1-8B
 * on one WSE-3 (C1, 16 tokens from a 4,096-token context, default mode), the wafer count of
 * Llama-3.1-70B (C1b) and its rate on those wafers (C2, 2 tokens). Each must stay inside the band set
 * before the first run; none was used to fit anything. About 20 s of simulation (most of it C2's four
 * wafers), the cheapest form that is still the published setup.
 */
class WaferDecodeValidationTest {
    @Test
    void points_cerebrasLaunch_eachInsideItsBand() {
        List<CalibrationPoint> points = WaferDecodeValidation.points();
        assertEquals(List.of("C1 llama-3.1-8b 1xCS-3 tok/s", "C1b llama-3.1-70b wafers", "C2 llama-3.1-70b 4xCS-3 tok/s"),
                points.stream().map(CalibrationPoint::id).toList());
        for (CalibrationPoint p : points) {
            assertEquals(!p.knownMiss(), p.withinBand(), p.row() + " " + p.note());
            assertFalse(p.fitted(), p.id() + " is a check, never a fit");
        }
        // Published: 1,800 and 450 tokens/s per user (Cerebras, Aug 2024); 70B on 4 CS-3.
        assertEquals(1800, points.get(0).measured(), 1e-9);
        assertEquals(4, points.get(1).measured(), 1e-9);
        assertEquals(4, points.get(1).model(), 1e-9, "Llama-3.1-70B at 16 bits is served on 4 CS-3");
        assertEquals(450, points.get(2).measured(), 1e-9);
        assertEquals(25, points.get(0).bandPct());
        assertEquals(25, points.get(2).bandPct());
    }
}
