package dev.wafersim.cli.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wafersim.workloads.run.LatencyCategory;
import java.awt.Paint;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Breakdown charts of a wafer next to a GPU must tell every category apart. */
class ChartStyleTest {
    @Test
    void categoryColours_everyLatencyCategoryHasItsOwnColour() {
        Map<Paint, String> seen = new HashMap<>();
        LatencyCategory[] all = LatencyCategory.values();
        for (int i = 0; i < all.length; i++) {
            String key = all[i].key();
            String before = seen.put(ChartStyle.categoryColour(key, i), key);
            assertEquals(null, before, key + " has the colour of " + before);
        }
    }
}
