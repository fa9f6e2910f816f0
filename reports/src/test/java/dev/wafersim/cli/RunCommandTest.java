package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wafersim run} end to end, in process. */
class RunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private JsonNode runJson(Path file, String... extra) throws Exception {
        String[] base = {"run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--tokens", "4", "--json",
                file.toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRunner r = CliRunner.run(args);
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertEquals("", r.err);
        return JSON.readTree(file.toFile());
    }

    @Test
    void run_h100Llama8b_printsSummaryAndWritesConsistentJson() throws Exception {
        Path file = tmp.resolve("out/run.json");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--tokens", "4",
                "--json", file.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("machine     1 x h100-sxm (1 node), tp 1, pp 1, stack trtllm, CUDA graphs on"), r.out);
        assertTrue(r.out.contains("layout chosen automatically: 1 GPU (tp 1, pp 1)"), r.out);
        assertTrue(r.lastLine().matches("simulated 4 tokens in [0-9.]+ s wall; per-token latency: [0-9.]+ ms"),
                r.lastLine());
        JsonNode j = JSON.readTree(file.toFile());
        for (String k : List.of("wafersimVersion", "system", "model", "batch", "contextTokens", "tokens",
                "perTokenLatencyMs", "tokensPerSecond", "p50Ms", "p99Ms", "breakdownMs", "config", "configHash",
                "gpus", "tp", "pp", "hbmBytesUsedPerGpu", "wallSeconds")) {
            assertTrue(j.has(k), "missing " + k);
        }
        assertEquals("h100-sxm", j.get("system").asText());
        assertEquals("llama-3.1-8b", j.get("model").asText());
        assertEquals(1, j.get("batch").asInt());
        assertEquals(4096, j.get("contextTokens").asLong());
        assertEquals(4, j.get("tokens").asInt());
        assertEquals(WafersimCommand.version(), j.get("wafersimVersion").asText());
        double mean = j.get("perTokenLatencyMs").asDouble();
        assertEquals(1000 / mean, j.get("tokensPerSecond").asDouble(), 1e-9);
        double sum = 0;
        for (Iterator<JsonNode> it = j.get("breakdownMs").elements(); it.hasNext(); ) {
            sum += it.next().asDouble();
        }
        assertEquals(mean, sum, 1e-9 * mean);
        assertEquals(7, j.get("breakdownMs").size());
        assertTrue(j.get("p50Ms").asDouble() <= j.get("p99Ms").asDouble());
        assertTrue(j.get("configHash").asText().matches("[0-9a-f]{64}"));
        assertTrue(j.get("config").get("kernel.cudaGraphs").asBoolean());
        // Memory: 16.06 GB of bf16 weights + 32 layers x 4,100 positions x 2 x 1,024 x 2 bytes of KV cache.
        assertEquals(16_060_522_496L + 32L * 4100 * 2 * 1024 * 2 + j.get("activationBytesPerGpu").asLong(),
                j.get("hbmBytesUsedPerGpu").asLong());
    }

    @Test
    void run_sameArgumentsTwice_identicalJsonExceptWallTime() throws Exception {
        ObjectNode a = (ObjectNode) runJson(tmp.resolve("a.json"), "--tp", "2", "--batch", "3");
        ObjectNode b = (ObjectNode) runJson(tmp.resolve("b.json"), "--tp", "2", "--batch", "3");
        a.remove("wallSeconds");
        b.remove("wallSeconds");
        assertEquals(a, b);
    }

    @Test
    void run_setAndCudaGraphs_changeTheConfigAndItsHash() throws Exception {
        JsonNode base = runJson(tmp.resolve("base.json"));
        JsonNode slow = runJson(tmp.resolve("slow.json"), "--set", "hbm.peakBandwidthGBps=1675", "--cuda-graphs", "off");
        assertEquals(1675.0, slow.get("config").get("hbm.peakBandwidthGBps").asDouble());
        assertFalse(slow.get("config").get("kernel.cudaGraphs").asBoolean());
        assertFalse(slow.get("cudaGraphs").asBoolean());
        assertNotEquals(base.get("configHash").asText(), slow.get("configHash").asText());
        // Half the HBM bandwidth: weight streaming time doubles less the fixed per-kernel ramps.
        double w0 = base.get("breakdownMs").get("weightReads").asDouble();
        double w1 = slow.get("breakdownMs").get("weightReads").asDouble();
        assertTrue(w1 > 1.9 * w0 && w1 < 2 * w0, w0 + " -> " + w1);
    }

    @Test
    void run_int8Weights_storeEightBitBlockMatricesAndBf16Tables() throws Exception {
        JsonNode r = runJson(tmp.resolve("int8.json"), "--precision", "int8");
        // Llama-3.1-8B: per layer q 4096^2 + k, v 2 x 4096 x 1024 + o 4096^2 + gate, up, down 3 x 4096 x 14336
        // = 218,103,808 weights, x 32 layers = 6,979,321,856 bytes at int8; per-channel bf16 scales on the
        // 43,008 outputs of a layer: 2,752,512 bytes; embedding and LM head stay bf16: 2 x 128,256 x 4,096 x 2
        // = 2,101,346,304 bytes; norms 2 x 4,096 x 2 x 32 + 4,096 x 2 = 532,480 bytes. Sum 9,083,953,152.
        assertEquals(9_083_953_152L, r.get("memory").get("weightsBytes").asLong());
        assertTrue(r.get("precision").asText().startsWith("int8"), r.get("precision").asText());
    }

    @Test
    void run_badInputs_exit2WithOneLineNamingItAndNoJson() {
        Path file = tmp.resolve("never.json");
        String f = file.toString();
        String[][] cases = {
            {"system=nope", "run", "--system", "nope", "--model", "llama-3.1-8b", "--json", f},
            {"model=nope", "run", "--system", "h100-sxm", "--model", "nope", "--json", f},
            {"--tp=3", "run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--tp", "3", "--json", f},
            {"--tp=3 is not allowed with --gpus=8", "run", "--system", "h100-sxm", "--model", "llama-3.1-8b",
                "--gpus", "8", "--tp", "3", "--json", f},
            {"'hbm.nope'", "run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--set", "hbm.nope=1",
                "--json", f},
            {"hbm.reservedGB=lots", "run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--set",
                "hbm.reservedGB=lots", "--json", f},
            {"--model-file", "run", "--system", "h100-sxm", "--model-file", tmp.resolve("none/config.json").toString(),
                "--json", f},
            {"--gpus applies to gpu systems; wse3 is a wafer system", "run", "--system", "wse3", "--model", "llama-3.1-8b", "--gpus", "8",
                "--json", f},
            {"the smallest GPU count that holds it is 2", "run", "--system", "h100-sxm", "--model", "llama-3.1-70b",
                "--gpus", "1", "--json", f},
            {"--precision=int5 is not allowed; expected weights bf16, fp8, int8 or int4", "run", "--system", "h100-sxm",
                "--model", "llama-3.1-8b", "--precision", "int5",
                "--json", f},
            {"--wafers applies to wafer systems", "run", "--system", "h100-sxm", "--model", "llama-3.1-8b",
                "--wafers", "2", "--json", f},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            CliRunner r = CliRunner.run(args);
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, String.join(" ", args) + ": " + r.err);
            String err = r.err.strip();
            assertFalse(err.contains("\n"), "one line: " + err);
            assertTrue(err.startsWith("wafersim: "), err);
            assertTrue(err.contains(c[0]), "expected '" + c[0] + "' in: " + err);
            assertFalse(Files.exists(file), "no JSON for " + String.join(" ", args));
        }
    }

    @Test
    void run_stackOption_selectsTheStackPresetBeforeSet() throws Exception {
        JsonNode eager = runJson(tmp.resolve("eager.json"), "--stack", "eager", "--set", "stack.normKernels=4");
        assertEquals("eager", eager.get("stack").asText());
        assertEquals("eager", eager.get("config").get("stack.name").asText());
        assertFalse(eager.get("config").get("kernel.cudaGraphs").asBoolean());
        // --set applies after the stack preset.
        assertEquals(4, eager.get("config").get("stack.normKernels").asInt());
        assertEquals("eager", eager.get("experiment").get("workload").get("stack").asText());
        // --set stack.name selects the whole stack, not just its label, and beats --stack.
        JsonNode viaSet = runJson(tmp.resolve("set.json"), "--stack", "trtllm", "--set", "stack.name=compiled");
        assertEquals("compiled", viaSet.get("stack").asText());
        assertFalse(viaSet.get("config").get("stack.fusedGateUp").asBoolean());
        JsonNode trt = runJson(tmp.resolve("trt.json"));
        assertEquals("trtllm", trt.get("stack").asText());
        assertTrue(eager.get("perTokenLatencyMs").asDouble() > 2 * trt.get("perTokenLatencyMs").asDouble());
        CliRunner bad = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--stack", "vllm");
        assertEquals(Main.EXIT_BAD_INPUT, bad.exitCode);
        assertTrue(bad.err.contains("--stack=vllm is not allowed; expected one of eager, cuda-graphs, compiled, trtllm"),
                bad.err);
    }

    @Test
    void run_promptTokens_reportsTtftInTextAndJson() throws Exception {
        Path file = tmp.resolve("ttft.json");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2",
                "--prompt-tokens", "3000", "--set", "serving.prefillChunkTokens=1024", "--json", file.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.matches("(?s).*\\nttft +[0-9.]+ ms for a 3000-token prompt \\(3 prefill passes of up to 1024"
                + " tokens; the last gives the first token\\): .*compute [0-9.]+.*"), r.out);
        JsonNode j = JSON.readTree(file.toFile());
        assertEquals(3000, j.get("promptTokens").asLong());
        assertEquals(3, j.get("ttftPrefillPasses").asInt());
        double sum = 0;
        for (Iterator<JsonNode> it = j.get("ttftBreakdownMs").elements(); it.hasNext(); ) {
            sum += it.next().asDouble();
        }
        assertEquals(j.get("ttftMs").asDouble(), sum, 1e-9 * sum);
        assertEquals(7, j.get("ttftBreakdownMs").size());
    }

    /** A tiny Llama-style model (config.json) for wafer runs in a 48 x 48 corner of a WSE-3. */
    private Path tinyModel() throws Exception {
        Path cfg = tmp.resolve("tiny/config.json");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, "{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_hidden_layers\": 4,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"intermediate_size\": 128,"
                + " \"vocab_size\": 512, \"max_position_embeddings\": 400}");
        return cfg;
    }

    private static final String[] SMALL_WAFER = {"--set", "fabric.gridWidthPes=48", "--set", "fabric.gridHeightPes=48",
        "--set", "mapping.prefillPassTokens=4", "--set", "mapping.stepContextBucketTokens=16", "--set",
        "mapping.prefillChunkTokens=32"};

    private CliRunner tinyWaferRun(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--system", "wse3", "--model-file",
                tinyModel().toString(), "--context", "8", "--tokens", "1", "--quiet"));
        args.addAll(List.of(SMALL_WAFER));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(new String[0]));
    }

    @Test
    void run_promptTokensOnAWafer_printsTtftAndWritesTtftMs() throws Exception {
        Path json = tmp.resolve("w.json");
        CliRunner r = tinyWaferRun("--prompt-tokens", "70", "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        // 70 tokens in chunks of mapping.prefillChunkTokens = 32: 32 + 32 + 6, three passes.
        assertEquals(70, j.get("promptTokens").asLong());
        assertEquals(32, j.get("prefillChunkTokens").asInt());
        assertEquals(3, j.get("ttftPrefillPasses").asInt());
        assertTrue(j.get("ttftMs").asDouble() > 0, j.toString());
        double sum = 0;
        for (Iterator<JsonNode> it = j.get("ttftBreakdownMs").elements(); it.hasNext(); ) {
            sum += it.next().asDouble();
        }
        assertEquals(j.get("ttftMs").asDouble(), sum, 1e-9 * sum);
        assertTrue(r.out.toLowerCase(java.util.Locale.ROOT).contains("first token"), r.out);
    }

    @Test
    void run_promptTokensOnAWafer_badInputExits2BeforeRunning() throws Exception {
        // 400 positions: a 400-token prompt and its first output token make 401.
        CliRunner beyond = tinyWaferRun("--prompt-tokens", "400");
        assertEquals(Main.EXIT_BAD_INPUT, beyond.exitCode, beyond.out + beyond.err);
        assertTrue(beyond.err.contains("--prompt-tokens=400 and its first output token make 401 positions, beyond"),
                beyond.err);
        assertTrue(beyond.err.contains("expected a prompt of at most 399 tokens"), beyond.err);
        assertEquals(1, beyond.err.strip().split("\\R").length, beyond.err);
        CliRunner zero = tinyWaferRun("--prompt-tokens", "40", "--set", "mapping.prefillChunkTokens=0");
        assertEquals(Main.EXIT_BAD_INPUT, zero.exitCode, zero.out + zero.err);
        assertTrue(zero.err.contains("mapping.prefillChunkTokens"), zero.err);
        assertEquals(1, zero.err.strip().split("\\R").length, zero.err);
        CliRunner inFlight = tinyWaferRun("--prompt-tokens", "40", "--set", "mapping.passesInFlight=9");
        assertEquals(Main.EXIT_BAD_INPUT, inFlight.exitCode, inFlight.out + inFlight.err);
        assertTrue(inFlight.err.contains("mapping.passesInFlight=9 is not allowed; expected an integer in [1, 5]"),
                inFlight.err);
    }
}
