package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wafersim compare} end to end, on GPU systems. */
class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void compare_twoGpuSystems_tableJsonAndChart() throws Exception {
        Path json = tmp.resolve("out/compare.json");
        Path chart = tmp.resolve("out/compare.png");
        CliRunner r = CliRunner.run("compare", "--model", "llama-3.1-8b", "--systems", "h100-sxm:gpus=8:tp=8,a100-80gb:gpus=1",
                "--tokens", "3", "--context", "512", "--json", json.toString(), "--chart", chart.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertEquals("", r.err);
        assertTrue(r.out.startsWith("compare llama-3.1-8b, bf16/kv=bf16: batch 1, context 512 tokens, 3 tokens generated"),
                r.out);
        assertTrue(r.out.matches("(?s).*\\nh100-sxm:gpus=8:tp=8 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\\.00x\\n.*"), r.out);
        assertTrue(r.out.contains("breakdown (mean ms per token)"), r.out);
        assertTrue(r.out.matches("(?s).*\\ncommunication +[0-9.]+ +0\\.000\\n.*"), "side by side: " + r.out);
        assertTrue(r.out.contains("h100-sxm:gpus=8:tp=8 is "), r.out);

        JsonNode j = JSON.readTree(json.toFile());
        assertEquals("compare", j.get("command").asText());
        assertEquals(WafersimCommand.version(), j.get("wafersimVersion").asText());
        assertEquals(2, j.get("results").size());
        JsonNode h100 = j.get("results").get(0);
        JsonNode a100 = j.get("results").get(1);
        assertEquals("h100-sxm:gpus=8:tp=8", h100.get("label").asText());
        assertEquals(8, h100.get("gpus").asLong());
        assertEquals("a100-80gb", a100.get("system").asText());
        assertTrue(h100.has("experimentHash") && h100.has("config") && h100.has("configHash"));
        double speedup = j.get("speedups").get(1).get("speedupVsFirst").asDouble();
        assertEquals(1.0, j.get("speedups").get(0).get("speedupVsFirst").asDouble(), 0);
        assertEquals(h100.get("perTokenLatencyMs").asDouble() / a100.get("perTokenLatencyMs").asDouble(), speedup, 1e-12);
        assertTrue(speedup < 1, "8 H100s are faster than one A100: " + speedup);

        TestFiles.assertPng(chart, 1000, 600);

        // The same comparison run separately gives the same numbers (parallel runs are independent).
        Path single = tmp.resolve("single.json");
        CliRunner s = CliRunner.run("run", "--system", "a100-80gb", "--model", "llama-3.1-8b", "--tokens", "3",
                "--context", "512", "--gpus", "1", "--json", single.toString());
        assertEquals(Main.EXIT_OK, s.exitCode, s.err);
        JsonNode one = JSON.readTree(single.toFile());
        assertEquals(one.get("perTokenLatencyMs"), a100.get("perTokenLatencyMs"));
        assertEquals(one.get("experimentHash"), a100.get("experimentHash"));
    }

    /**
     * With only a model, compare runs the WSE-3 against the best 8 x H100 server: the default (TensorRT-LLM)
     * stack and the layout searched among every split of up to 8 GPUs. At batch 1 the wafer is faster per
     * user: it keeps the weights in SRAM while the GPUs stream them from HBM every token (the published claim
     * of reference point S1, about 15x for the models OpenAI serves on both); the test asks only for a
     * speed-up above 1.
     */
    @Test
    void compare_defaultSystems_wse3AgainstH100Server() throws Exception {
        Path json = tmp.resolve("cmp.json");
        CliRunner r = CliRunner.run("compare", "--model", "llama-3.2-1b", "--context", "64", "--tokens", "2",
                "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.toFile());
        String text = j.toString();
        assertTrue(text.contains("wse3") && text.contains("h100-sxm"), text);
        assertTrue(r.out.contains("wse3") && r.out.contains("h100-sxm"), r.out);
        // The H100 server's speed-up against the wafer (first system) is below 1.
        assertTrue(text.contains("speedups"), text);
        assertEquals("wse3", j.get("speedups").get(0).get("system").asText());
        assertEquals(1.0, j.get("speedups").get(0).get("speedupVsFirst").asDouble(), 1e-12);
        double gpuSpeedup = j.get("speedups").get(1).get("speedupVsFirst").asDouble();
        assertTrue(gpuSpeedup > 0 && gpuSpeedup < 1.0, "H100 server speed-up vs WSE-3: " + gpuSpeedup);
        com.fasterxml.jackson.databind.JsonNode gpu = j.get("results").get(1);
        assertEquals("h100-sxm:gpus=auto:maxGpus=8", gpu.get("label").asText());
        assertEquals("searched", gpu.get("layout").asText());
        assertEquals("trtllm", gpu.get("stack").asText());
        assertTrue(gpu.get("gpus").asLong() <= 8 && gpu.get("layoutsTried").asLong() >= 4, gpu.toString());
        assertTrue(r.out.contains("layout searched (--gpus auto)"), r.out);
        assertFalse(Files.exists(tmp.resolve("never.json")));
    }

    @Test
    void compare_badSpecs_exit2NamingTheSpec() {
        Path json = tmp.resolve("never.json");
        String[][] cases = {
            {"h100-sxm:gpus=x", "system spec h100-sxm:gpus=x: gpus=x is not allowed"},
            {"h100-sxm:gpu=8", "unknown key 'gpu'", "did you mean gpus"},
            {"h100-sxm:tp", "'tp' is not allowed; expected key=value"},
            {"h100-sxm:set.hbm.nope=1", "unknown parameter 'hbm.nope'"},
            {"h100-sxm,h100-sxm", "lists h100-sxm twice"},
            {"h100-sxm:gpus=1,a100-80gb", "does not fit"},
        };
        for (String[] c : cases) {
            CliRunner r = CliRunner.run("compare", "--model", "llama-3.1-70b", "--systems", c[0], "--tokens", "2",
                    "--json", json.toString());
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, c[0] + ": " + r.err);
            for (int i = 1; i < c.length; i++) {
                assertTrue(r.err.contains(c[i]), "expected '" + c[i] + "' in: " + r.err);
            }
            assertFalse(Files.exists(json));
        }
    }

    @Test
    void compare_configFileSystemsAndSharedSet_applyToEverySystem() throws Exception {
        Path exp = tmp.resolve("cmp.yaml");
        Files.writeString(exp, "model: llama-3.2-1b\nsystems: [h100-sxm, \"h200:set.hbm.reservedGB=3\"]\n"
                + "workload: {tokens: 2}\n");
        Path json = tmp.resolve("cmp.json");
        CliRunner r = CliRunner.run("compare", "--config", exp.toString(), "--set", "hbm.reservedGB=2", "--json",
                json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(2.0, j.get("results").get(0).get("config").get("hbm.reservedGB").asDouble());
        assertEquals(3.0, j.get("results").get(1).get("config").get("hbm.reservedGB").asDouble(), "spec beats --set");
        assertEquals("h200:set.hbm.reservedGB=3", j.get("results").get(1).get("label").asText());
    }
}
