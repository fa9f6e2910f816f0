package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timelines parse as Chrome trace JSON and tile each step: checked with Jackson, span by span. */
class TimelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void run_gpuTimeline_spansOrderedPerTrackAndTileTheStep() throws Exception {
        Path tl = tmp.resolve("tl.json");
        Path res = tmp.resolve("r.json");
        Path png = tmp.resolve("tl.png");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--gpus", "2", "--model", "llama-3.2-1b", "--tokens",
                "2", "--context", "256", "--timeline", tl.toString(), "--json", res.toString(), "--chart-timeline",
                png.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode root = JSON.readTree(tl.toFile());
        JsonNode ev = root.get("traceEvents");
        Map<String, BigDecimal> lastStart = new HashMap<>();
        Map<String, BigDecimal> lastEnd = new HashMap<>();
        BigDecimal busyGpu0 = BigDecimal.ZERO;
        int processes = 0;
        for (JsonNode e : ev) {
            String ph = e.get("ph").asText();
            if (ph.equals("M") && e.get("name").asText().equals("process_name")) {
                processes++;
            }
            if (!ph.equals("X")) {
                continue;
            }
            String track = e.get("pid").asInt() + "/" + e.get("tid").asInt();
            BigDecimal ts = e.get("ts").decimalValue();
            BigDecimal end = ts.add(e.get("dur").decimalValue());
            assertTrue(lastStart.getOrDefault(track, BigDecimal.valueOf(-1)).compareTo(ts) <= 0,
                    "timestamps ordered on track " + track);
            assertTrue(lastEnd.getOrDefault(track, BigDecimal.ZERO).compareTo(ts) <= 0, "spans closed before the next");
            lastStart.put(track, ts);
            lastEnd.put(track, end);
            if (e.get("pid").asInt() == 1000) {
                busyGpu0 = busyGpu0.add(e.get("dur").decimalValue());
            }
        }
        assertEquals(2, processes, "a process per GPU");
        // --timeline-tokens defaults to 1: GPU 0's stream and waits tile the first step exactly.
        JsonNode result = JSON.readTree(res.toFile());
        double firstMs = result.get("tokenLatenciesMs").get(0).asDouble();
        assertEquals(firstMs * 1000, busyGpu0.doubleValue(), 1e-6);
        TestFiles.assertPng(png, 1200, 400);
    }

    /**
     * A tiny Llama (2 layers, hidden 256) on a WSE-3: the timeline has the wafer's process, a track per layer
     * region, and the first step's spans sum to its latency from the result file (to the nanosecond the
     * result's milliseconds keep); the chart is drawn.
     */
    @Test
    void run_waferTimeline_aProcessPerWaferAndSpansTileTheStep() throws Exception {
        Path model = tmp.resolve("tiny.json");
        Files.writeString(model, "{\"model_type\": \"llama\", \"num_hidden_layers\": 2, \"hidden_size\": 256,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"intermediate_size\": 512,"
                + " \"vocab_size\": 1000}");
        Path tl = tmp.resolve("wafer.json");
        Path png = tmp.resolve("wafer.png");
        Path res = tmp.resolve("wafer-result.json");
        CliRunner r = CliRunner.run("run", "--system", "wse3", "--model-file", model.toString(), "--context", "64",
                "--tokens", "2", "--timeline", tl.toString(), "--chart-timeline", png.toString(), "--json",
                res.toString(), "-q");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode ev = JSON.readTree(tl.toFile()).get("traceEvents");
        int processes = 0;
        int layerTracks = 0;
        BigDecimal busy = BigDecimal.ZERO;
        for (JsonNode e : ev) {
            String ph = e.get("ph").asText();
            if (ph.equals("M") && e.get("name").asText().equals("process_name")) {
                processes++;
                assertEquals("wafer 0 (layers 0-1)", e.get("args").get("name").asText());
            }
            if (ph.equals("M") && e.get("name").asText().equals("thread_name")
                    && e.get("args").get("name").asText().startsWith("layer ")) {
                layerTracks++;
            }
            if (ph.equals("X")) {
                assertEquals(0, e.get("args").get("token").asInt(), "--timeline-tokens 1: the first step");
                busy = busy.add(e.get("dur").decimalValue());
            }
        }
        assertEquals(1, processes);
        assertEquals(2, layerTracks);
        double firstMs = JSON.readTree(res.toFile()).get("tokenLatenciesMs").get(0).asDouble();
        assertEquals(firstMs * 1000, busy.doubleValue(), 1e-3);
        TestFiles.assertPng(png, 1200, 400);
    }

    /** {@code compare} puts the wafer and the GPU in one timeline: a process each, named after its system. */
    @Test
    void compare_waferAndGpu_bothInOneTimeline() throws Exception {
        Path model = tmp.resolve("tiny.json");
        Files.writeString(model, "{\"model_type\": \"llama\", \"num_hidden_layers\": 2, \"hidden_size\": 256,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"intermediate_size\": 512,"
                + " \"vocab_size\": 1000}");
        Path tl = tmp.resolve("cmp.json");
        Path png = tmp.resolve("cmp.png");
        CliRunner r = CliRunner.run("compare", "--systems", "wse3,h100-sxm:gpus=1", "--model-file", model.toString(),
                "--context", "64", "--tokens", "2", "--timeline", tl.toString(), "--chart-timeline", png.toString(),
                "-q");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        java.util.List<String> processes = new java.util.ArrayList<>();
        int waferSpans = 0;
        for (JsonNode e : JSON.readTree(tl.toFile()).get("traceEvents")) {
            if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("process_name")) {
                processes.add(e.get("args").get("name").asText());
            }
            if (e.get("ph").asText().equals("X") && e.get("pid").asInt() % 100_000 == 2000) {
                waferSpans++;
            }
        }
        assertEquals(2, processes.size(), processes.toString());
        assertTrue(processes.contains("wse3: wafer 0 (layers 0-1)"), processes.toString());
        assertTrue(processes.stream().anyMatch(p -> p.startsWith("h100-sxm")), processes.toString());
        assertTrue(waferSpans > 10, waferSpans + " wafer spans");
        TestFiles.assertPng(png, 1200, 400);
    }

    @Test
    void run_negativeTimelineTokens_exits2NamingTheFlag() {
        Path tl = tmp.resolve("bad.json");
        CliRunner r = CliRunner.run("run", "--system", "wse3", "--model", "llama-3.1-8b", "--timeline", tl.toString(),
                "--timeline-tokens", "-1");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.contains("--timeline-tokens=-1 is not allowed; expected an integer >= 0"), r.err);
        assertFalse(r.err.contains("Exception"), r.err);
        assertFalse(Files.exists(tl));
    }

    @Test
    void run_failingRun_leavesNoTimeline() {
        Path tl = tmp.resolve("none.json");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--gpus", "1", "--model", "llama-3.1-70b",
                "--timeline", tl.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertFalse(Files.exists(tl));
    }

    @Test
    void serve_timeline_aTrackPerSlotAndCountersPerPass() throws Exception {
        Path tl = tmp.resolve("serve.json");
        Path json = tmp.resolve("serve-result.json");
        CliRunner r = CliRunner.run("serve", "--system", "h100-sxm", "--gpus", "1", "--model", "llama-3.2-1b",
                "--rate", "20", "--requests", "40", "--prompt-tokens", "fixed:256", "--output-tokens", "fixed:16",
                "--seed", "3", "--timeline", tl.toString(), "--json", json.toString(), "-q");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode ev = JSON.readTree(tl.toFile()).get("traceEvents");
        Map<String, BigDecimal> lastEnd = new HashMap<>();
        int prefills = 0;
        int passBegins = 0;
        int passEnds = 0;
        int runningSamples = 0;
        for (JsonNode e : ev) {
            switch (e.get("ph").asText()) {
                case "X" -> {
                    String track = e.get("pid").asInt() + "/" + e.get("tid").asInt();
                    BigDecimal ts = e.get("ts").decimalValue();
                    assertTrue(lastEnd.getOrDefault(track, BigDecimal.ZERO).compareTo(ts) <= 0,
                            "a slot holds one request at a time: " + e);
                    lastEnd.put(track, ts.add(e.get("dur").decimalValue()));
                    if (e.get("cat").asText().equals("prefill")) {
                        prefills++;
                    }
                }
                case "b" -> passBegins++;
                case "e" -> passEnds++;
                case "C" -> runningSamples += e.get("name").asText().equals("running requests") ? 1 : 0;
                default -> { }
            }
        }
        JsonNode result = JSON.readTree(json.toFile());
        // Every completed request has its prefill span; every pass is an async span, begun and ended, with a
        // sample of each counter at its start.
        assertEquals(result.get("completedRequests").asInt(), prefills);
        assertEquals(result.get("passes").asInt(), passBegins);
        assertEquals(passBegins, passEnds);
        assertEquals(passBegins, runningSamples);
    }
}
