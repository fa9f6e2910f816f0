package dev.wafersim.workloads.wafer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.trace.ChromeTraceWriter;
import dev.wafersim.workloads.model.AttentionPattern;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.Progress;
import dev.wafersim.workloads.run.WaferOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wafer's timeline, parsed back with Jackson: well-formed Chrome trace events (spans closed, begins and
 * ends paired, timestamps ordered per track), a process per wafer and a track per region, and the spans of
 * each step tiling it: their durations sum to the step's simulated latency to the picosecond (the file keeps
 * six decimals of a microsecond). Recording does not change the result.
 */
class WaferTraceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** What a parsed trace holds. */
    private record Parsed(int processes, Set<String> threads, Map<Integer, BigDecimal> spanSumByStep,
                          List<JsonNode> spans, int asyncBegins, int asyncEnds, int counters) {
        long stepPs(int step) {
            return spanSumByStep.getOrDefault(step, BigDecimal.ZERO).movePointRight(6).longValueExact();
        }

        boolean hasSpan(String name) {
            return spans.stream().anyMatch(s -> s.get("name").asText().equals(name));
        }
    }

    private DecodeResult traced(ParamSet ps, DecodeWorkload w, int wafers, int timelineTokens, Path file) {
        return traced(WaferDecodeTest.SMALL, ps, w, wafers, false, timelineTokens, file);
    }

    private DecodeResult traced(ModelSpec m, ParamSet ps, DecodeWorkload w, int wafers, boolean exact,
                                int timelineTokens, Path file) {
        DecodeRequest req = new DecodeRequest("wse3", ps, m, w, new WaferOptions(wafers, exact));
        try (ChromeTraceWriter writer = new ChromeTraceWriter(file)) {
            DecodeResult r = WaferDecodeSimulator.INSTANCE.simulate(req, Progress.NONE, 2, writer, timelineTokens);
            writer.commit();
            return r;
        }
    }

    private static DecodeResult plain(ParamSet ps, DecodeWorkload w, int wafers) {
        return WaferDecodeTest.run(ps, WaferDecodeTest.SMALL, w, wafers, false);
    }

    /** Parses {@code file} and checks the format's rules on every event. */
    private static Parsed parse(Path file) throws IOException {
        JsonNode ev = JSON.readTree(file.toFile()).get("traceEvents");
        int processes = 0;
        Set<String> threads = new HashSet<>();
        Map<Integer, BigDecimal> sums = new HashMap<>();
        Map<String, BigDecimal> lastStart = new HashMap<>();
        Map<String, BigDecimal> lastEnd = new HashMap<>();
        Map<String, BigDecimal> lastCounter = new HashMap<>();
        Map<Long, BigDecimal> open = new HashMap<>();
        List<JsonNode> spans = new ArrayList<>();
        int begins = 0;
        int ends = 0;
        int counters = 0;
        for (JsonNode e : ev) {
            String ph = e.get("ph").asText();
            switch (ph) {
                case "M" -> {
                    if (e.get("name").asText().equals("process_name")) {
                        processes++;
                    }
                    if (e.get("name").asText().equals("thread_name")) {
                        threads.add(e.get("pid").asInt() + "/" + e.get("args").get("name").asText());
                    }
                }
                case "X" -> {
                    String track = e.get("pid").asInt() + "/" + e.get("tid").asInt();
                    BigDecimal ts = e.get("ts").decimalValue();
                    BigDecimal dur = e.get("dur").decimalValue();
                    assertTrue(dur.signum() >= 0, "dur >= 0: " + e);
                    assertTrue(lastStart.getOrDefault(track, BigDecimal.valueOf(-1)).compareTo(ts) <= 0,
                            "timestamps ordered on track " + track + ": " + e);
                    assertTrue(lastEnd.getOrDefault(track, BigDecimal.ZERO).compareTo(ts) <= 0,
                            "a span ends before the next on its track starts: " + e);
                    lastStart.put(track, ts);
                    lastEnd.put(track, ts.add(dur));
                    sums.merge(e.get("args").get("token").asInt(), dur, BigDecimal::add);
                    spans.add(e);
                }
                case "b" -> {
                    begins++;
                    assertTrue(e.get("name").asText().endsWith(" passes") && e.get("args").get("pass").asInt() >= 0,
                            "a pass, named after its track, the pass as argument: " + e);
                    assertTrue(open.put(e.get("id").asLong(), e.get("ts").decimalValue()) == null, "id reused: " + e);
                }
                case "e" -> {
                    ends++;
                    BigDecimal b = open.remove(e.get("id").asLong());
                    assertTrue(b != null, "an end without its begin: " + e);
                    assertTrue(b.compareTo(e.get("ts").decimalValue()) <= 0, "ends after it begins: " + e);
                }
                case "C" -> {
                    counters++;
                    String key = e.get("pid").asInt() + "/" + e.get("name").asText();
                    BigDecimal ts = e.get("ts").decimalValue();
                    assertTrue(lastCounter.getOrDefault(key, BigDecimal.valueOf(-1)).compareTo(ts) <= 0,
                            "counter samples in time order: " + e);
                    lastCounter.put(key, ts);
                    double u = e.get("args").get("mean link utilization").asDouble();
                    assertTrue(u >= 0 && u <= 1, "utilization in [0, 1]: " + e);
                }
                default -> throw new AssertionError("unexpected event " + e);
            }
        }
        assertTrue(open.isEmpty(), "every async span ended");
        return new Parsed(processes, threads, sums, spans, begins, ends, counters);
    }

    @Test
    void simulate_oneWafer_spansOfEachStepSumToItsLatency() throws IOException {
        DecodeWorkload w = DecodeWorkload.of(1, 30, 3);
        Path file = tmp.resolve("one.json");
        DecodeResult r = traced(WaferDecodeTest.smallWafer(), w, 1, 0, file);
        Parsed p = parse(file);
        assertEquals(1, p.processes(), "a process per wafer");
        // SMALL is untied: embedding table, 4 layers, LM head, and the edge I/O track.
        assertEquals(1, filter(p.threads(), "2000/embedding (").size(), "a track for the table");
        for (int l = 0; l < 4; l++) {
            assertEquals(1, filter(p.threads(), "2000/layer " + l + " (").size(), "a track for layer " + l);
        }
        assertEquals(1, filter(p.threads(), "2000/LM head").size());
        for (int t = 0; t < 3; t++) {
            assertEquals(r.tokenLatencyPs(t), p.stepPs(t), "step " + t);
        }
        // Phases of the layers, from the episodes' tags, and a utilization sample per region per step
        // (value, then back to 0): 5 regions x 3 steps x 2.
        assertTrue(p.hasSpan("local multiply-adds"));
        assertTrue(p.hasSpan("attention: scores"));
        assertTrue(p.hasSpan("argmax"));
        assertTrue(p.hasSpan("hand-off to layer 1"));
        assertTrue(p.hasSpan("embedding: token id to its table row"));
        assertEquals(5 * 3 * 2, p.counters());
        assertEquals(0, p.asyncBegins());
    }

    @Test
    void simulate_withAndWithoutTimeline_identicalResults() {
        for (int wafers : new int[] {1, 2}) {
            for (String perPass : new String[] {"4", "1"}) {
                ParamSet ps = WaferDecodeTest.smallWafer("mapping.sequencesPerPass", perPass);
                DecodeWorkload w = DecodeWorkload.of(4, 30, 3);
                DecodeResult a = plain(ps, w, wafers);
                DecodeResult b = traced(ps, w, wafers, 0, tmp.resolve("t" + wafers + perPass + ".json"));
                assertArrayEquals(a.tokenLatenciesPs(), b.tokenLatenciesPs(), wafers + " wafers, passes of " + perPass);
                for (LatencyCategory c : LatencyCategory.values()) {
                    assertEquals(a.breakdownTotalPs(c), b.breakdownTotalPs(c), c.key());
                }
                assertArrayEquals(a.activity().statePs(), b.activity().statePs());
            }
        }
    }

    /**
     * Two wafers: two processes, and on the links tracks the hidden state's link and the token ids' way back.
     * WSE-3 links: 2,000 ns latency, 1,200 Gb/s = 150 GB/s. The hidden state of SMALL (64 values x 2 bytes)
     * takes ceil(128 B / 150 GB/s) = ceil(853.3 ps) = 854 ps to serialize, so its link span lasts 2,000,854 ps = 2.000854 us;
     * one 4-byte token id takes ceil(26.7) = 27 ps: 2.000027 us.
     */
    @Test
    void simulate_twoWafers_processPerWaferAndLinkSpans() throws IOException {
        DecodeWorkload w = DecodeWorkload.of(1, 30, 2);
        Path file = tmp.resolve("two.json");
        DecodeResult r = traced(WaferDecodeTest.smallWafer(), w, 2, 1, file);
        Parsed p = parse(file);
        assertEquals(2, p.processes());
        assertEquals(1, filter(p.threads(), "2000/edge I/O and link to wafer 1").size());
        assertEquals(1, filter(p.threads(), "2001/edge I/O and link to wafer 0").size());
        assertEquals(r.tokenLatencyPs(0), p.stepPs(0));
        assertEquals(Set.of(0), p.spanSumByStep().keySet(), "--timeline-tokens 1: the first step only");
        assertEquals(new BigDecimal("2.000854"), span(p, "link to wafer 1").get("dur").decimalValue());
        assertEquals(new BigDecimal("2.000027"), span(p, "token ids to wafer 0").get("dur").decimalValue());
        assertTrue(p.hasSpan("edge I/O out") && p.hasSpan("edge I/O in"));
    }

    /**
     * A batch of 4 in passes of 1, pipelined through the regions, on one wafer and on two: the spans follow
     * the critical path and still tile each step; every pass in every region (and over the link) is an async
     * span: 4 passes x 5 regions on one wafer; on two, the regions plus 4 passes over the link.
     */
    @Test
    void simulate_pipelinedPasses_criticalPathTilesStepAndPassesAreAsync() throws IOException {
        DecodeWorkload w = DecodeWorkload.of(4, 30, 2);
        ParamSet ps = WaferDecodeTest.smallWafer("mapping.sequencesPerPass", "1");
        for (int wafers : new int[] {1, 2}) {
            Path file = tmp.resolve("piped" + wafers + ".json");
            DecodeResult r = traced(ps, w, wafers, 0, file);
            Parsed p = parse(file);
            assertEquals(wafers, p.processes());
            for (int t = 0; t < 2; t++) {
                assertEquals(r.tokenLatencyPs(t), p.stepPs(t), wafers + " wafers, step " + t);
            }
            int regions = 5; // 4 layers and the LM head (the table only looks up)
            int perStep = 4 * regions + (wafers - 1) * 4;
            assertEquals(2 * perStep, p.asyncBegins());
            assertEquals(p.asyncBegins(), p.asyncEnds());
            // The last pass of the last region ends the step, its time split by category as the breakdown does.
            JsonNode lastSpan = p.spans().get(p.spans().size() - 1);
            assertTrue(lastSpan.get("name").asText().startsWith(wafers == 1 ? "pass 3" : "token ids to wafer 0"),
                    lastSpan.toString());
            if (wafers == 2) {
                assertTrue(p.spans().stream().anyMatch(s -> s.get("name").asText().startsWith("link serialization")));
            }
        }
    }

    /**
     * Other shapes of step, each tiled by its spans to the picosecond: exact mode (every episode its own),
     * tied embeddings (the LM head's region also does the lookup: its track starts and ends the step), and
     * a mixture of experts (expert passes in the layers' episodes).
     */
    @Test
    void simulate_exactTiedAndMixtureOfExperts_spansTileEachStep() throws IOException {
        ModelSpec tied = ModelSpec.builder("tied").layers(3).hidden(64).heads(4, 2).headDim(16).ffn(128).vocab(512)
                .tiedEmbeddings(true).attention(AttentionPattern.full(3)).build();
        ModelSpec moe = ModelSpec.builder("moe").layers(2).hidden(64).heads(4, 2).headDim(16).ffn(64).experts(4, 2)
                .vocab(512).attention(AttentionPattern.full(2)).build();
        Object[][] cases = {{WaferDecodeTest.SMALL, true, 1}, {tied, false, 1}, {moe, false, 2}};
        for (Object[] c : cases) {
            ModelSpec m = (ModelSpec) c[0];
            boolean exact = (Boolean) c[1];
            int batch = (Integer) c[2];
            DecodeWorkload w = DecodeWorkload.of(batch, 20, 3);
            Path file = tmp.resolve(m.name() + exact + ".json");
            DecodeResult r = traced(m, WaferDecodeTest.smallWafer(), w, 1, exact, 0, file);
            Parsed p = parse(file);
            for (int t = 0; t < 3; t++) {
                assertEquals(r.tokenLatencyPs(t), p.stepPs(t), m.name() + " exact=" + exact + ", step " + t);
            }
            DecodeResult plain = WaferDecodeTest.run(WaferDecodeTest.smallWafer(), m, w, 1, exact);
            assertArrayEquals(plain.tokenLatenciesPs(), r.tokenLatenciesPs(), m.name());
        }
    }

    /** Passes run layer by layer on two wafers: every pass of a region before the next; the spans tile the step. */
    @Test
    void simulate_passesLayerByLayerOnTwoWafers_spansTileEachStep() throws IOException {
        ParamSet ps = WaferDecodeTest.smallWafer("mapping.sequencesPerPass", "1", "mapping.passSchedule",
                "layer-by-layer");
        DecodeWorkload w = DecodeWorkload.of(3, 20, 2);
        Path file = tmp.resolve("serial.json");
        DecodeResult r = traced(WaferDecodeTest.SMALL, ps, w, 2, false, 0, file);
        Parsed p = parse(file);
        assertEquals(2, p.processes());
        for (int t = 0; t < 2; t++) {
            assertEquals(r.tokenLatencyPs(t), p.stepPs(t), "step " + t);
        }
        assertEquals(0, p.asyncBegins(), "nothing overlaps");
    }

    private static Set<String> filter(Set<String> threads, String prefix) {
        Set<String> out = new HashSet<>();
        for (String t : threads) {
            if (t.startsWith(prefix)) {
                out.add(t);
            }
        }
        return out;
    }

    private static JsonNode span(Parsed p, String name) {
        return p.spans().stream().filter(s -> s.get("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name));
    }
}
