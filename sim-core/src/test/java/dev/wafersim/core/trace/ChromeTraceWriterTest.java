package dev.wafersim.core.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace file's structure, its time format, the contract checks and whole-or-nothing writing. */
class ChromeTraceWriterTest {
    @TempDir
    Path tmp;

    @Test
    void commit_events_parseAsChromeTraceWithMicrosecondTimes() throws Exception {
        Path f = tmp.resolve("t.json");
        try (ChromeTraceWriter w = new ChromeTraceWriter(f)) {
            w.process(1, "wafer 0", 0);
            w.track(1, 3, "layer 3", 3);
            // 1,234,567 ps = 1.234567 us; 2,000,000 ps = 2 us.
            w.span(1, 3, "broadcast", "fabric", 1_234_567, 2_000_000, "cycles", 1750);
            w.span(1, 3, "nested", "fabric", 1_500_000, 1, null, 0);
            w.span(1, 3, "next", "fabric", 3_234_567, 5, null, 0);
            w.asyncSpan(2, "requests", 7, "request 7", "serve", 0, 10);
            w.counter(2, "running", 0, new String[] {"requests"}, new double[] {3});
            w.asyncSpan(1, "layer 3 passes", 8, "layer 3 passes", "compute", 5, 10, "pass", 4);
            w.commit();
        }
        JsonNode root = new ObjectMapper().readTree(f.toFile());
        assertEquals("ns", root.get("displayTimeUnit").asText());
        JsonNode ev = root.get("traceEvents");
        assertEquals(4 + 3 + 2 + 1 + 2, ev.size());
        JsonNode span = ev.get(4);
        assertEquals("X", span.get("ph").asText());
        assertEquals("1.234567", span.get("ts").asText());
        assertEquals(2, span.get("dur").asLong());
        assertEquals(1750, span.get("args").get("cycles").asInt());
        assertEquals(1e-6, ev.get(5).get("dur").asDouble(), 0);
        // One picosecond is written exactly, as a plain decimal.
        assertTrue(Files.readString(f).contains("\"dur\":0.000001"), "exact decimal");
        assertEquals("b", ev.get(7).get("ph").asText());
        assertEquals("e", ev.get(8).get("ph").asText());
        assertEquals(ev.get(7).get("id"), ev.get(8).get("id"));
        assertEquals("C", ev.get(9).get("ph").asText());
        // An async span's argument goes on its begin event.
        assertEquals(4, ev.get(10).get("args").get("pass").asInt());
        assertEquals(null, ev.get(11).get("args"));
        assertEquals("process_name", ev.get(0).get("name").asText());
        assertEquals("layer 3", ev.get(2).get("args").get("name").asText());
    }

    @Test
    void span_crossingThePreviousSpansEnd_isAProducerBug() {
        try (ChromeTraceWriter w = new ChromeTraceWriter(tmp.resolve("x.json"))) {
            w.span(1, 1, "a", "c", 0, 10, null, 0);
            assertThrows(IllegalStateException.class, () -> w.span(1, 1, "b", "c", 5, 10, null, 0));
            assertThrows(IllegalStateException.class, () -> w.span(1, 1, "early", "c", -1, 1, null, 0));
        }
    }

    @Test
    void close_withoutCommit_leavesNoFileAndKeepsAnOldOne() throws Exception {
        Path f = tmp.resolve("keep.json");
        Files.writeString(f, "old");
        try (ChromeTraceWriter w = new ChromeTraceWriter(f)) {
            w.process(1, "p", 0);
            // the run fails here: no commit
        }
        assertEquals("old", Files.readString(f));
        try (var files = Files.list(tmp)) {
            assertTrue(files.allMatch(p -> p.getFileName().toString().equals("keep.json")), "temporary file left");
        }
        assertFalse(Files.exists(tmp.resolve("new.json")));
    }
}
