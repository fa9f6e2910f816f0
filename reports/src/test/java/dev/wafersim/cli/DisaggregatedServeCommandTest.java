package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.cli.report.ServeReport;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wafersim serve --prefill SYSTEM --decode SYSTEM} end to end, in process, on closed-form machines put in
 * place of the catalog's step models.
 */
class DisaggregatedServeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A machine whose pass takes 1 ms + 10 us per new token; 200,000 tokens of KV; as many devices as GPUs asked. */
    private static StepModel machine(StepModelRequest req) {
        int gpus = ((GpuOptions) req.options()).gpus();
        return new StepModel() {
            @Override
            public StepTime time(ForwardBatch b) {
                return StepTime.of(1_000_000_000L + 10_000_000L * b.totalNewTokens(), LatencyCategory.COMPUTE);
            }

            @Override
            public long kvCapacityTokens() {
                return 200_000;
            }

            @Override
            public int maxPassesInFlight() {
                return 1;
            }

            @Override
            public int devices() {
                return gpus;
            }

            @Override
            public String machine() {
                return gpus + " x closed-form " + req.system();
            }
        };
    }

    private static CliRunner serve(String... args) {
        ServeCommand c = new ServeCommand();
        c.stepModels = DisaggregatedServeCommandTest::machine;
        return CliRunner.runCommand(c, args);
    }

    private Path oneRequest() throws Exception {
        Path t = tmp.resolve("one.csv");
        Files.writeString(t, "arrival_s,prompt_tokens,output_tokens\n0,1000,3\n");
        return t;
    }

    @Test
    void serve_oneRequest_phasesAsComputedByHand() throws Exception {
        // Prefill pass: 1 ms + 1,000 x 10 us = 11 ms: TTFT 11 ms. KV: 1,000 tokens x 131,072 bytes (Llama-3.1-8B,
        // bf16: 2 x 8 KV heads x 128 x 2 bytes x 32 layers) = 131,072,000 bytes. Link: the slower side's NICs,
        // min(8, 1) x 400 Gb/s = 400 Gb/s: 1,048,576,000 bits / 400e9 = 2.62144 ms, + 10 us latency = 2.63144 ms.
        // Decode: 2 passes of 1 ms + 10 us = 1.01 ms each: completion at 11 + 2.63144 + 2.02 = 15.65144 ms.
        Path json = tmp.resolve("d.json");
        Path csv = tmp.resolve("d.csv");
        CliRunner r = serve("--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm:gpus=1", "--model", "llama-3.1-8b",
                "--trace", oneRequest().toString(), "--exact", "--json", json.toString(), "--csv", csv.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals("h100-sxm:gpus=8 -> h100-sxm:gpus=1", j.get("system").asText());
        assertEquals(9, j.get("devices").asInt());
        assertEquals(11.0, j.get("ttftMs").get("mean").asDouble(), 1e-9);
        assertEquals(15.65144, j.get("e2eMs").get("mean").asDouble(), 1e-9);
        JsonNode d = j.get("disaggregated");
        assertEquals(400, d.get("link").get("bandwidthGbps").asDouble(), 0);
        assertEquals(0.131072, d.get("link").get("gigabytes").asDouble(), 1e-12);
        JsonNode ph = d.get("phases");
        for (String k : List.of("prefillQueueMs", "prefillMs", "kvTransferMs", "decodeQueueMs", "decodeMs")) {
            for (String s : List.of("mean", "p50", "p90", "p99")) {
                assertTrue(ph.get(k).has(s), k + "." + s + " in " + ph);
            }
        }
        assertEquals(11.0, ph.get("prefillMs").get("mean").asDouble(), 1e-9);
        assertEquals(2.63144, ph.get("kvTransferMs").get("mean").asDouble(), 1e-9);
        assertEquals(2.02, ph.get("decodeMs").get("mean").asDouble(), 1e-9);
        assertEquals("h100-sxm:gpus=8", d.get("prefill").get("system").asText());
        assertEquals(8, d.get("prefill").get("devices").asInt());
        assertEquals(1, d.get("decode").get("devices").asInt());
        // Energy: both systems over the same replay, summed.
        assertEquals(d.get("prefill").get("energyJoules").asDouble() + d.get("decode").get("energyJoules").asDouble(),
                j.get("energy").get("energyJoules").asDouble(), 1e-9);
        assertTrue(j.get("config").has("prefill") && j.get("config").has("kvlink"), j.get("config").toString());
        List<String> lines = Files.readAllLines(csv);
        List<String> header = new ArrayList<>(ServeReport.CSV_HEADER);
        header.addAll(ServeReport.CSV_DISAGGREGATED);
        assertEquals(String.join(",", header), lines.get(0));
        assertTrue(lines.get(1).endsWith(",0.000000000000,0.011000000000,0.011000000000,0.013631440000,"
                + "0.013631440000,131072000"), lines.get(1));
        assertTrue(r.out.contains("  KV transfer "), r.out);
        assertTrue(r.out.contains("KV link 400.0 Gb/s (the slower side's NICs)"), r.out);
    }

    @Test
    void serve_linkBandwidthSet_transferAtThatRate() throws Exception {
        // 100 Gb/s: 1,048,576,000 bits take 10.48576 ms; completion at 11 + 10.48576 + 0.01 + 2.02 = 23.51576 ms.
        Path json = tmp.resolve("b.json");
        CliRunner r = serve("--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm:gpus=1", "--model", "llama-3.1-8b",
                "--trace", oneRequest().toString(), "--exact", "--set", "kvlink.bandwidthGbps=100", "--json",
                json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(23.51576, j.get("e2eMs").get("mean").asDouble(), 1e-9);
        assertEquals("kvlink.bandwidthGbps", j.get("disaggregated").get("link").get("bandwidthFrom").asText());
    }

    @Test
    void serve_synthetic_writesPerPhaseKeys() throws Exception {
        Path json = tmp.resolve("s.json");
        CliRunner r = serve("--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm:gpus=2", "--model", "llama-3.1-8b",
                "--rate", "4", "--requests", "20", "--prompt-tokens", "uniform:500..3000", "--output-tokens", "fixed:16",
                "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(20, j.get("completedRequests").asInt());
        assertEquals(20, j.get("disaggregated").get("link").get("transfers").asInt());
        assertEquals(20, j.get("disaggregated").get("phases").get("decodeMs").get("count").asInt());
    }

    @Test
    void serve_timeline_fivePhaseSpansPerRequestAndATransferPerKvCache() throws Exception {
        Path tl = tmp.resolve("t.json");
        Path json = tmp.resolve("t-result.json");
        CliRunner r = serve("--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm:gpus=1", "--model", "llama-3.1-8b",
                "--rate", "20", "--requests", "30", "--prompt-tokens", "uniform:500..3000", "--output-tokens",
                "fixed:16", "--timeline", tl.toString(), "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode ev = JSON.readTree(tl.toFile()).get("traceEvents");
        java.util.Map<String, java.math.BigDecimal> lastEnd = new java.util.HashMap<>();
        java.util.Map<String, Integer> byPhase = new java.util.HashMap<>();
        int transfers = 0;
        for (JsonNode e : ev) {
            String ph = e.get("ph").asText();
            if (ph.equals("X")) {
                String track = e.get("pid").asInt() + "/" + e.get("tid").asInt();
                java.math.BigDecimal ts = e.get("ts").decimalValue();
                assertTrue(lastEnd.getOrDefault(track, java.math.BigDecimal.ZERO).compareTo(ts) <= 0,
                        "a slot holds one request at a time, its phases in order: " + e);
                lastEnd.put(track, ts.add(e.get("dur").decimalValue()));
                byPhase.merge(e.get("cat").asText(), 1, Integer::sum);
            } else if (ph.equals("b")) {
                transfers++;
            }
        }
        // 30 requests of 16 output tokens: each has all five phases and one KV transfer.
        for (String p : List.of("prefillQueue", "prefill", "kvTransfer", "decodeQueue", "decode")) {
            assertEquals(30, byPhase.getOrDefault(p, 0), p + " in " + byPhase);
        }
        assertEquals(30, transfers);
    }

    @Test
    void serve_goodput_searchesTheRateOverBothSystemsDevices() throws Exception {
        Path json = tmp.resolve("g.json");
        CliRunner r = serve("--prefill", "h100-sxm:gpus=2", "--decode", "h100-sxm:gpus=1", "--model", "llama-3.1-8b",
                "--rate", "2", "--requests", "20", "--prompt-tokens", "fixed:1000", "--output-tokens", "fixed:8",
                "--slo", "ttft=100ms,tpot=20ms", "--goodput", "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode g = JSON.readTree(json.toFile()).get("goodput");
        assertEquals(3, g.get("devices").asInt());
        assertTrue(g.get("requestsPerSecond").asDouble() > 0, g.toString());
        assertEquals(g.get("requestsPerSecond").asDouble() / 3, g.get("perDevice").asDouble(), 1e-12);
    }

    @Test
    void serve_disaggregatedBadInput_exit2WithOneLineAndNoOutputFile() throws Exception {
        Path json = tmp.resolve("never.json");
        String[] base = {"--model", "llama-3.1-8b", "--rate", "2", "--requests", "3", "--json", json.toString()};
        List<String[]> cases = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8"});
        expected.add("--prefill needs --decode");
        cases.add(new String[] {"--decode", "h100-sxm:gpus=1"});
        expected.add("--decode needs --prefill");
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm", "--system", "h100-sxm"});
        expected.add("give --prefill and --decode, or --system, not both");
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm", "--set", "kvlink.bandwidthGbps=0"});
        expected.add("kvlink.bandwidthGbps=0 is not allowed; expected auto");
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm", "--set",
            "kvlink.bandwidthGbps=-5"});
        expected.add("kvlink.bandwidthGbps=-5 is not allowed");
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm", "--set", "nosuch.key=1"});
        expected.add("unknown parameter 'nosuch.key'");
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm:wafers=2"});
        expected.add("--decode h100-sxm:wafers=2: system spec h100-sxm:wafers=2: wafers applies to wafer systems");
        cases.add(new String[] {"--prefill", "h100-sxm:gpus=8", "--decode", "h100-sxm", "--client", "http-sse"});
        expected.add("--client is not supported with --prefill/--decode");
        cases.add(new String[] {"--system", "h100-sxm", "--set", "kvlink.latencyUs=5"});
        expected.add("kvlink.* parameters describe the KV link of disaggregated serving");
        for (int i = 0; i < cases.size(); i++) {
            String[] a = new String[cases.get(i).length + base.length];
            System.arraycopy(cases.get(i), 0, a, 0, cases.get(i).length);
            System.arraycopy(base, 0, a, cases.get(i).length, base.length);
            CliRunner r = serve(a);
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
            assertTrue(r.err.contains(expected.get(i)), r.err);
            assertEquals(1, r.err.strip().split("\\R").length, r.err);
            assertFalse(Files.exists(json), "case " + i + " wrote a file");
        }
    }

    @Test
    void serve_decodeSystemCannotHoldTheModel_exit2NamingTheSide() {
        // Llama-3.1-70B's bf16 weights alone (141 GB) exceed one A100's 80 GB: the catalog's step model refuses.
        Path json = tmp.resolve("never.json");
        CliRunner r = CliRunner.run("serve", "--prefill", "h100-sxm:gpus=8", "--decode", "a100-80gb:gpus=1", "--model",
                "llama-3.1-70b", "--rate", "1", "--requests", "2", "--prompt-tokens", "fixed:1000", "--output-tokens",
                "fixed:8", "--json", json.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
        assertTrue(r.err.startsWith("wafersim: --decode a100-80gb:gpus=1: llama-3.1-70b"), r.err);
        assertTrue(r.err.contains("does not fit"), r.err);
        assertFalse(Files.exists(json));
    }
}
