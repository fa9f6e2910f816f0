package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wafersim serve} end to end, in process, on closed-form machines put in place of the catalog's step models. */
class ServeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * A machine whose pass takes 2 ms + 20 us per new token + 1 ns per cached token + 5 ps per attention pair;
     * 200,000 tokens of KV; {@code devices} devices; the system's name in its machine line.
     */
    private static StepModel machine(StepModelRequest req, int devices) {
        return new StepModel() {
            @Override
            public StepTime time(ForwardBatch b) {
                long ps = 2_000_000_000L + 20_000_000L * b.totalNewTokens() + 1_000 * b.totalCachedTokens()
                        + 5 * b.attentionPairs();
                return StepTime.of(ps, LatencyCategory.COMPUTE);
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
                return devices;
            }

            @Override
            public String machine() {
                return "closed-form machine for " + req.system();
            }
        };
    }

    private static CliRunner serve(String... args) {
        ServeCommand c = new ServeCommand();
        c.stepModels = req -> machine(req, 8);
        return CliRunner.runCommand(c, args);
    }

    private static String[] with(String[] base, String... extra) {
        String[] a = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, a, base.length, extra.length);
        return a;
    }

    private static final String[] SYNTHETIC = {"--system", "h100-sxm", "--model", "llama-3.1-8b", "--rate", "4",
        "--requests", "60", "--prompt-tokens", "uniform:100..3000", "--output-tokens", "uniform:2..200", "--seed", "7"};

    @Test
    void serve_synthetic_printsSummaryAndWritesJsonCsvAndChart() throws Exception {
        Path json = tmp.resolve("out/s.json");
        Path csv = tmp.resolve("out/s.csv");
        Path png = tmp.resolve("out/s.png");
        CliRunner r = serve(with(SYNTHETIC, "--slo", "ttft=500ms,tpot=20ms", "--json", json.toString(), "--csv",
                csv.toString(), "--chart", png.toString()));
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.startsWith("serve llama-3.1-8b: poisson arrivals at 4 req/s, 60 requests, prompt"
                + " uniform:100..3000, output uniform:2..200, seed 7\nSLO ttft=500ms,tpot=20ms\n"), r.out);
        assertTrue(r.out.contains("\nTTFT ms p99 "), r.out);
        assertTrue(r.out.contains("h100-sxm: closed-form machine for h100-sxm"), r.out);
        JsonNode j = JSON.readTree(json.toFile());
        for (String k : List.of("requests", "completedRequests", "outputTokens", "durationSeconds", "ttftMs", "tpotMs",
                "tbtMs", "e2eMs", "outputTokensPerSecond", "requestsPerSecond", "sloAttainment", "config", "configHash",
                "wafersimVersion", "machine", "devices")) {
            assertTrue(j.has(k), "missing " + k + " in " + j);
        }
        for (String d : List.of("ttftMs", "tpotMs", "tbtMs", "e2eMs")) {
            for (String k : List.of("mean", "p50", "p90", "p99", "max")) {
                assertTrue(j.get(d).has(k), d + "." + k);
            }
            assertTrue(j.get(d).get("p50").asDouble() <= j.get(d).get("p99").asDouble() + 1e-9);
            assertTrue(j.get(d).get("p99").asDouble() <= j.get(d).get("max").asDouble() + 1e-9);
        }
        assertEquals(60, j.get("requests").asInt());
        assertEquals(60, j.get("completedRequests").asInt());
        assertEquals(16, j.get("config").get("serving.kvBlockTokens").asInt());
        double rps = j.get("requestsPerSecond").asDouble();
        assertEquals(60 / j.get("durationSeconds").asDouble(), rps, 1e-9);
        double attained = j.get("sloAttainment").asDouble();
        assertTrue(attained >= 0 && attained <= 1);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(61, lines.size());
        assertEquals(String.join(",", dev.wafersim.cli.report.ServeReport.CSV_HEADER), lines.get(0));
        assertTrue(lines.get(1).startsWith("h100-sxm,0,completed,0.000000000000,"), lines.get(1));
        assertTrue(Files.size(png) > 10_000);
    }

    @Test
    void serve_sameSeedTwice_byteIdenticalCsv() throws Exception {
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        assertEquals(Main.EXIT_OK, serve(with(SYNTHETIC, "--csv", a.toString())).exitCode);
        assertEquals(Main.EXIT_OK, serve(with(SYNTHETIC, "--csv", b.toString())).exitCode);
        assertTrue(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
        Path c = tmp.resolve("c.csv");
        String[] other = SYNTHETIC.clone();
        other[other.length - 1] = "8";
        assertEquals(Main.EXIT_OK, serve(with(other, "--csv", c.toString())).exitCode);
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed, other requests");
    }

    @Test
    void serve_traceFile_replaysItsRequests() throws Exception {
        Path t = tmp.resolve("t.csv");
        Files.writeString(t, "arrival_s,prompt_tokens,output_tokens\n0,1000,4\n0.5,200,3\n");
        Path csv = tmp.resolve("t-out.csv");
        CliRunner r = serve("--system", "h100-sxm", "--model", "llama-3.1-8b", "--trace", t.toString(), "--csv",
                csv.toString(), "--exact");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("exact: every pass simulated"), r.out);
        List<String> lines = Files.readAllLines(csv);
        // Request 0 alone, every pass simulated exactly: prefill 2 ms + 20 us x 1,000 + 5 ps x 500,500 = 22.0025025 ms
        // (the step table would interpolate it between 960 and 1,024 tokens: 2.4 ns more).
        assertTrue(lines.get(1).contains(",0.022002502500,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("h100-sxm,1,completed,0.500000000000,200,3,0.500000000000,"), lines.get(2));
    }

    @Test
    void serve_goodput_reportsRatePerSystemAndPerDevice() throws Exception {
        Path json = tmp.resolve("g.json");
        CliRunner r = serve(with(SYNTHETIC, "--slo", "ttft=300ms", "--goodput", "--json", json.toString()));
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("goodput h100-sxm: "), r.out);
        JsonNode g = JSON.readTree(json.toFile()).get("goodput");
        assertTrue(g.get("requestsPerSecond").asDouble() > 0);
        assertEquals(g.get("requestsPerSecond").asDouble() / 8, g.get("perDevice").asDouble(), 1e-12);
        assertEquals(0.9, g.get("level").asDouble(), 0);
        assertTrue(g.get("probes").size() >= 3);
        // Energy and cost of the replay at the goodput rate: the system's price and power spread over the
        // tokens of that replay. The goodput search doubles from the given 4 req/s while the SLO holds, so
        // when the goodput rate is above 4 req/s the same tokens take less time and cost less each.
        JsonNode top = JSON.readTree(json.toFile());
        double cost = g.get("costUsdPerMillionTokens").asDouble();
        assertTrue(cost > 0 && g.get("energyJoulesPerToken").asDouble() > 0, g.toString());
        if (g.get("requestsPerSecond").asDouble() > 4 * 1.05) {
            assertTrue(cost < top.get("costUsdPerMillionTokens").asDouble(), g + " vs " + top.get("costUsdPerMillionTokens"));
        }
        assertTrue(r.out.contains("J/token, $"), r.out);
    }

    @Test
    void serve_twoSystems_sideBySideOnTheSameRequests() throws Exception {
        Path json = tmp.resolve("two.json");
        Path csv = tmp.resolve("two.csv");
        CliRunner r = serve("--systems", "h100-sxm:gpus=8:tp=8,b200", "--model", "llama-3.1-8b", "--rate", "3",
                "--requests", "20", "--json", json.toString(), "--csv", csv.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("h100-sxm:gpus=8:tp=8"), r.out);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(2, j.get("systems").size());
        assertEquals("b200", j.get("systems").get(1).get("system").asText());
        assertEquals(41, Files.readAllLines(csv).size());
    }

    @Test
    void serve_saveTrace_writesTheRequestsInTheAskedFormat() throws Exception {
        Path saved = tmp.resolve("saved.jsonl");
        assertEquals(Main.EXIT_OK, serve(with(SYNTHETIC, "--save-trace", saved.toString(), "--trace-format", "mooncake"))
                .exitCode);
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        serve(with(SYNTHETIC, "--csv", a.toString()));
        CliRunner r = serve("--system", "h100-sxm", "--model", "llama-3.1-8b", "--trace", saved.toString(), "--csv",
                b.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertEquals(Files.readAllLines(a), Files.readAllLines(b), "replaying the saved trace gives the same requests");
    }

    @Test
    void serve_badInput_exit2WithOneLineAndNoOutputFile() throws Exception {
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, "arrival_s,prompt_tokens,output_tokens\n0,100,5\n1,abc,5\n");
        Path json = tmp.resolve("never.json");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"--system", "h100-sxm", "--model", "llama-3.1-8b", "--trace", bad.toString(), "--json",
            json.toString()});
        cases.add(with(SYNTHETIC, "--goodput", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--trace", bad.toString(), "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--batch", "4", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--slo", "ttft=fast", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--set", "serving.kvBlockTokens=0", "--json", json.toString()));
        cases.add(new String[] {"--system", "h100-sxm", "--model", "llama-3.1-8b", "--requests", "5", "--json",
            json.toString()});
        List<String> expected = List.of(
                bad + ": line 3, column prompt_tokens: value 'abc' is not allowed; expected an integer token count in"
                        + " [1, 1073741824]",
                "--goodput needs --slo",
                "give one workload source",
                "--batch does not apply to serve",
                "--slo=ttft=fast is not allowed",
                "serving.kvBlockTokens=0 is not allowed",
                "--requests needs --rate");
        for (int i = 0; i < cases.size(); i++) {
            CliRunner r = serve(cases.get(i));
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
            assertTrue(r.err.contains(expected.get(i)), r.err);
            assertEquals(1, r.err.strip().split("\\R").length, r.err);
            assertFalse(Files.exists(json), "case " + i + " wrote a file");
        }
    }

    @Test
    void serve_waferSystem_badMappingExits2WithoutAFile() {
        Path json = tmp.resolve("w.json");
        CliRunner r = CliRunner.run("serve", "--system", "wse3", "--model", "llama-3.1-8b", "--rate", "1", "--requests",
                "3", "--set", "mapping.passesInFlight=1000", "--json", json.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
        assertTrue(r.err.startsWith("wafersim: mapping.passesInFlight=1000 is not allowed; expected an integer in [1, 33]"),
                r.err);
        assertFalse(Files.exists(json));
    }

    @Test
    void read_shippedTraceFixtures_allLoad() throws Exception {
        Path dir = Path.of("..", "traces");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".csv") || p.toString().endsWith(".jsonl")).sorted().toList();
        }
        assertTrue(files.size() >= 3, files.toString());
        for (Path f : files) {
            assertTrue(dev.wafersim.workloads.serving.TraceReader.read(f).size() >= 50, f.toString());
        }
    }

    @Test
    void benchServe_smallRun_printsRunsMediansAndTheHeadlineLast() throws Exception {
        Path json = tmp.resolve("bench.json");
        CliRunner r = CliRunner.run("bench", "serve", "--model", "llama-3.2-1b", "--gpus", "1", "--requests", "20",
                "--rate", "5", "--output-tokens", "fixed:8", "--repeat", "1", "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("run 1: wall "), r.out);
        assertTrue(r.out.contains("engine alone (the last run's step times reused, no pass simulated)"), r.out);
        assertTrue(r.lastLine().matches("serve-requests-per-second: [0-9.]+"), r.lastLine());
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(1, j.get("runs").size());
        assertTrue(j.get("medianPeakHeapBytes").asLong() > 0);
    }
}
