package dev.wafersim.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StatsRegistryTest {
    long hops;

    @Test
    void toJson_countersGaugesHistograms_flatSortedByName() throws Exception {
        StatsRegistry r = new StatsRegistry();
        r.counter("fabric.waveletHops", () -> hops);
        r.gauge("fabric.linkUtilization", () -> 0.25);
        Histogram h = r.histogram("decode.tokenLatencyPs", 1_000_000_000L, 3);
        hops = 41;
        hops++; // read at dump time, not at registration
        for (int v = 1; v <= 100; v++) {
            h.recordValue(v * 1000L);
        }
        JsonNode j = new ObjectMapper().readTree(r.toJsonString());
        List<String> names = new ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("decode.tokenLatencyPs", "fabric.linkUtilization", "fabric.waveletHops"), names);
        assertEquals(42, j.get("fabric.waveletHops").asLong());
        assertEquals(0.25, j.get("fabric.linkUtilization").asDouble());
        JsonNode hist = j.get("decode.tokenLatencyPs");
        assertEquals(100, hist.get("count").asLong());
        // 3 significant digits: the 50th percentile of 1000..100000 step 1000 is 50,000 within 0.1%.
        assertEquals(50_000, hist.get("p50").asDouble(), 50);
        assertEquals(100_000, hist.get("max").asDouble(), 100);
    }

    @Test
    void counter_badOrDuplicateName_throws() {
        StatsRegistry r = new StatsRegistry();
        r.counter("a.b", () -> 1);
        assertThrows(IllegalArgumentException.class, () -> r.counter("a.b", () -> 2));
        assertThrows(IllegalArgumentException.class, () -> r.counter("a..b", () -> 2));
        assertThrows(IllegalArgumentException.class, () -> r.counter("9lives", () -> 2));
        assertThrows(IllegalArgumentException.class, () -> r.counterValue("missing"));
    }
}
