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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client path and coding sessions in serve, speculative decoding in serve, run and speculate, and explain. */
class ClientSpeculativeExplainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A machine whose pass takes 2 ms + 20 us per new token + 1 ns per cached token; a 1B draft a tenth of that. */
    private static StepModel machine(StepModelRequest req) {
        long scale = req.model().name().equals("llama-3.2-1b") ? 10 : 1;
        return new StepModel() {
            @Override
            public StepTime time(ForwardBatch b) {
                long ps = 2_000_000_000L + 20_000_000L * b.totalNewTokens() + 1_000 * b.totalCachedTokens();
                return StepTime.of(ps / scale, LatencyCategory.COMPUTE);
            }

            @Override
            public long kvCapacityTokens() {
                return 2_000_000;
            }

            @Override
            public int maxPassesInFlight() {
                return 1;
            }

            @Override
            public int devices() {
                return 8;
            }

            @Override
            public String machine() {
                return "closed-form machine for " + req.model().name();
            }
        };
    }

    private static CliRunner serve(String... args) {
        ServeCommand c = new ServeCommand();
        c.stepModels = ClientSpeculativeExplainTest::machine;
        return CliRunner.runCommand(c, args);
    }

    private static String[] with(String[] base, String... extra) {
        String[] a = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, a, base.length, extra.length);
        return a;
    }

    private static final String[] SYNTHETIC = {"--system", "h100-sxm", "--model", "llama-3.1-8b", "--rate", "4",
        "--requests", "40", "--prompt-tokens", "uniform:100..3000", "--output-tokens", "uniform:2..100", "--seed", "7"};

    @Test
    void serve_clientPath_reportsClientTimesNextToTheServersInTextJsonAndCsv() throws Exception {
        Path json = tmp.resolve("c.json");
        Path csv = tmp.resolve("c.csv");
        CliRunner r = serve(with(SYNTHETIC, "--client", "http-sse", "--json", json.toString(), "--csv", csv.toString()));
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("\nclient TTFT ms mean "), r.out);
        assertTrue(r.out.contains("\nround trip overhead ms mean "), r.out);
        JsonNode j = JSON.readTree(json.toFile());
        JsonNode c = j.get("client");
        assertEquals("http-sse", c.get("path").asText());
        for (String k : List.of("ttftMs", "tpotMs", "tbtMs", "e2eMs", "roundTripOverheadMs")) {
            assertTrue(c.get(k).has("p99"), k);
        }
        // The path adds at least its set-up (2 RTTs of 30 ms), half an RTT each way and the gateway's 13 ms.
        assertTrue(c.get("ttftMs").get("mean").asDouble() >= j.get("ttftMs").get("mean").asDouble() + 60 + 30 + 13);
        assertTrue(c.get("roundTripOverheadMs").get("mean").asDouble() >= 103, c.toString());
        assertEquals("http-sse", j.get("config").get("client.name").asText());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).endsWith(",client_ttft_s,client_tpot_s,client_e2e_s,client_max_tbt_s,round_trip_overhead_s"),
                lines.get(0));
        assertEquals(41, lines.size());
    }

    @Test
    void serve_noClientPath_jsonHasNoClientObjectAndTextNoClientRows() throws Exception {
        Path json = tmp.resolve("n.json");
        CliRunner r = serve(with(SYNTHETIC, "--json", json.toString()));
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertFalse(r.out.contains("client TTFT"), r.out);
        assertFalse(JSON.readTree(json.toFile()).has("client"));
    }

    @Test
    void serve_codingSessions_reportPrefixCacheAndClientTimes() throws Exception {
        Path json = tmp.resolve("s.json");
        CliRunner r = serve("--system", "h100-sxm", "--model", "llama-3.1-8b", "--workload",
                "coding-session:sessions=4,turns=6,think=2s", "--rate", "0.5", "--client", "persistent-websocket",
                "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(24, j.get("completedRequests").asInt());
        JsonNode p = j.get("prefixCache");
        assertTrue(p.get("enabled").asBoolean());
        assertTrue(p.get("hitShare").asDouble() > 0.9, p.toString());
        assertEquals(0, j.get("rejectedSessionEnded").asInt());
        assertEquals("persistent-websocket", j.get("client").get("path").asText());
    }

    @Test
    void serve_speculative_reportsTokensPerVerifyStepAndDraftCost() throws Exception {
        Path json = tmp.resolve("sp.json");
        CliRunner r = serve(with(SYNTHETIC, "--speculative", "draft=llama-3.2-1b,k=4,acceptance=0.675", "--json",
                json.toString()));
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("\ntokens/verify step "), r.out);
        JsonNode s = JSON.readTree(json.toFile()).get("speculative");
        assertEquals("llama-3.2-1b", s.get("draft").asText());
        assertEquals(4, s.get("k").asInt());
        assertEquals((1 - Math.pow(0.675, 5)) / (1 - 0.675), s.get("expectedTokensPerVerifyStep").asDouble(), 1e-12);
        double t = s.get("tokensPerVerifyStep").asDouble();
        assertTrue(t > 2.3 && t < 3.0, Double.toString(t));
        // A draft pass takes a tenth of the target's: 4 of them are about 0.4 of a verify pass.
        double share = s.get("draftShare").asDouble();
        assertTrue(share > 0.2 && share < 0.4, Double.toString(share));
    }

    @Test
    void serve_badClientSpeculativeOrWorkload_exit2OneLineNoFile() {
        Path json = tmp.resolve("never.json");
        List<String[]> cases = new ArrayList<>();
        cases.add(with(SYNTHETIC, "--client", "carrier-pigeon", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--speculative", "draft=llama-3.2-1b,k=4,acceptance=1.5", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--speculative", "draft=llama-3.2-1b,k=0,acceptance=0.5", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--speculative", "draft=llama-3.1-70b,k=2,acceptance=0.5", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--speculative", "draft=llama-2-7b,k=2,acceptance=0.5", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--workload", "coding-session", "--json", json.toString()));
        cases.add(with(SYNTHETIC, "--set", "client.name=fax", "--json", json.toString()));
        List<String> expected = List.of("--client=carrier-pigeon is not a known client path; expected one of none,"
                        + " http-sse, persistent-websocket", "acceptance=1.5 is not allowed; expected a rate in [0, 1]",
                "k=0 is not allowed", "expected a smaller draft", "has a vocabulary of 32,000 tokens",
                "--requests does not apply to --workload coding-session", "client.name=fax is not allowed");
        for (int i = 0; i < cases.size(); i++) {
            CliRunner r = serve(cases.get(i));
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
            assertTrue(r.err.contains(expected.get(i)), r.err);
            assertEquals(1, r.err.strip().split("\\R").length, r.err);
            assertFalse(Files.exists(json), "case " + i + " wrote a file");
        }
    }

    @Test
    void run_speculativeOnGpu_addsTheSpeculativeRunToTextJsonAndCsv() throws Exception {
        Path json = tmp.resolve("r.json");
        Path csv = tmp.resolve("r.csv");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-3b", "--context", "512",
                "--tokens", "16", "--speculative", "draft=llama-3.2-1b,k=3,acceptance=0.8", "--json", json.toString(),
                "--csv", csv.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("speculative draft llama-3.2-1b, k=3, acceptance=0.8, placement same:"), r.out);
        JsonNode j = JSON.readTree(json.toFile());
        assertTrue(j.has("perTokenLatencyMs"));
        JsonNode s = j.get("speculative");
        assertEquals(1 + 0.8 + 0.64 + 0.512, s.get("expectedTokensPerVerifyStep").asDouble(), 1e-12);
        assertTrue(s.get("tokensPerVerifyStep").asDouble() >= 1);
        assertEquals(j.get("perTokenLatencyMs").asDouble() / s.get("msPerToken").asDouble(),
                j.get("speculativeSpeedup").asDouble(), 1e-9);
        assertTrue(Files.readAllLines(csv).get(0).endsWith("speculative_speedup"));
    }

    @Test
    void run_speculativeOnWafer_badMappingRefusedBeforeRunning() {
        CliRunner r = CliRunner.run("run", "--system", "wse3", "--model", "llama-3.1-8b", "--speculative",
                "draft=llama-3.2-1b,k=3,acceptance=0.8", "--set", "mapping.prefillPassTokens=0");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.out + r.err);
        assertTrue(r.err.contains("mapping.prefillPassTokens"), r.err);
    }

    @Test
    void explain_decodeOnTwoGpuSystems_factorsMultiplyToTheRatio() throws Exception {
        Path json = tmp.resolve("e.json");
        Path png = tmp.resolve("e.png");
        CliRunner r = CliRunner.run("explain", "--model", "llama-3.2-1b", "--systems",
                "h100-sxm:gpus=2,h100-sxm:gpus=1:batch=4", "--context", "256", "--tokens", "4", "--json", json.toString(),
                "--chart", png.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        double ratio = j.get("ratio").asDouble();
        double product = 1;
        List<String> names = new ArrayList<>();
        for (JsonNode f : j.get("factors")) {
            product *= f.get("factor").asDouble();
            names.add(f.get("name").asText());
        }
        assertEquals(ratio, product, 1e-9 * ratio);
        assertEquals(List.of("batching", "memory", "launch", "all-reduce", "remaining"), names);
        assertTrue(Files.size(png) > 10_000);

        // Another order: other factors, the same product.
        Path json2 = tmp.resolve("e2.json");
        CliRunner r2 = CliRunner.run("explain", "--model", "llama-3.2-1b", "--systems",
                "h100-sxm:gpus=2,h100-sxm:gpus=1:batch=4", "--context", "256", "--tokens", "4", "--order",
                "launch,memory,batching", "--json", json2.toString());
        assertEquals(Main.EXIT_OK, r2.exitCode, r2.err);
        JsonNode k = JSON.readTree(json2.toFile());
        assertEquals(ratio, k.get("ratio").asDouble(), 1e-12);
        assertEquals("launch", k.get("factors").get(0).get("name").asText());
        double p2 = 1;
        for (JsonNode f : k.get("factors")) {
            p2 *= f.get("factor").asDouble();
        }
        assertEquals(ratio, p2, 1e-9 * ratio);
    }

    @Test
    void explain_serveMode_servingPathFactorTakesTheClientPathsDifference() throws Exception {
        Path json = tmp.resolve("es.json");
        ExplainCommand c = new ExplainCommand();
        c.stepModels = ClientSpeculativeExplainTest::machine;
        CliRunner r = CliRunner.runCommand(c, "--model", "llama-3.1-8b", "--systems",
                "h100-sxm:set.client.name=persistent-websocket,h100-sxm:set.client.name=http-sse", "--workload",
                "coding-session:sessions=3,turns=4,think=1s", "--rate", "1", "--order", "serving-path", "--json",
                json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        JsonNode f = j.get("factors");
        assertEquals("serving-path", f.get(0).get("name").asText());
        // The same machine on both sides: once B has A's client path, nothing is left.
        assertEquals(1.0, f.get(1).get("factor").asDouble(), 1e-12);
        assertEquals(j.get("tokensPerSecondRatio").asDouble(), f.get(0).get("tokensPerSecondFactor").asDouble(), 1e-9);
        assertTrue(j.get("tokensPerSecondRatio").asDouble() > 1, j.toString());
    }

    @Test
    void explain_unknownFactorOrOneSystem_exit2() {
        CliRunner r = CliRunner.run("explain", "--model", "llama-3.2-1b", "--systems", "h100-sxm,b200", "--order",
                "memroy");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("'memroy' is not a factor (did you mean memory?)"), r.err);
        CliRunner one = CliRunner.run("explain", "--model", "llama-3.2-1b", "--systems", "h100-sxm");
        assertEquals(Main.EXIT_BAD_INPUT, one.exitCode);
        assertTrue(one.err.contains("expected exactly two systems"), one.err);
    }

    @Test
    void speculate_sweep_onePointPerKAndRate() throws Exception {
        Path json = tmp.resolve("sw.json");
        CliRunner r = CliRunner.run("speculate", "--model", "llama-3.2-3b", "--draft", "llama-3.2-1b", "--systems",
                "h100-sxm:gpus=1", "--k", "1,3", "--acceptance", "0,1", "--context", "256", "--tokens", "12", "--json",
                json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode pts = JSON.readTree(json.toFile()).get("systems").get(0).get("points");
        assertEquals(4, pts.size());
        for (JsonNode p : pts) {
            // A = 0 keeps no draft (1 token per step), A = 1 keeps all (K + 1).
            int k = p.get("k").asInt();
            double expected = p.get("acceptance").asDouble() == 0 ? 1 : k + 1;
            assertEquals(expected, p.get("tokensPerVerifyStep").asDouble(), 1e-12);
        }
    }
}
