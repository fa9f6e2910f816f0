package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Experiment files ({@code --config}) and the precedence of their settings, through {@code wafersim run}. */
class ExperimentConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private JsonNode run(String... args) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime() + ".json");
        CliRunner r = CliRunner.run(TestFiles.concat(TestFiles.concat(new String[] {"run"}, args), "--json",
                out.toString()));
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        return JSON.readTree(out.toFile());
    }

    private static final String YAML = String.join("\n",
            "# an experiment",
            "system: h100-sxm",
            "model: llama-3.1-8b",
            "workload:",
            "  batch: 2",
            "  context: 1024",
            "  tokens: 3",
            "  gpus: 2",
            "set:",
            "  hbm:",
            "    peakBandwidthGBps: 3000",
            "  kernel.launchOverheadNs: 6000",
            "");

    @Test
    void config_yamlFile_setsSystemModelWorkloadAndParameters() throws Exception {
        JsonNode j = run("--config", write("exp.yaml", YAML).toString());
        assertEquals("h100-sxm", j.get("system").asText());
        assertEquals(2, j.get("batch").asInt());
        assertEquals(1024, j.get("contextTokens").asLong());
        assertEquals(3, j.get("tokens").asInt());
        assertEquals(2, j.get("gpus").asLong());
        assertEquals(3000.0, j.get("config").get("hbm.peakBandwidthGBps").asDouble());
        assertEquals(6000.0, j.get("config").get("kernel.launchOverheadNs").asDouble());
        JsonNode e = j.get("experiment");
        assertEquals("llama-3.1-8b", e.get("model").asText());
        assertEquals(2, e.get("workload").get("gpus").asInt());
        assertEquals("auto", e.get("workload").get("tp").asText());
        assertEquals(3000.0, e.get("set").get("hbm.peakBandwidthGBps").asDouble());
        assertTrue(j.get("experimentHash").asText().matches("[0-9a-f]{64}"));
        assertTrue(j.get("configHash").asText().matches("[0-9a-f]{64}"));
        assertEquals(WafersimCommand.version(), j.get("wafersimVersion").asText());
    }

    @Test
    void config_precedence_setBeatsOptionsBeatFileBeatsPreset() throws Exception {
        Path file = write("exp.yaml", YAML);
        JsonNode preset = run("--system", "h100-sxm", "--model", "llama-3.1-8b", "--tokens", "2");
        assertEquals(3350.0, preset.get("config").get("hbm.peakBandwidthGBps").asDouble(), "preset value");
        JsonNode fromFile = run("--config", file.toString());
        assertEquals(3000.0, fromFile.get("config").get("hbm.peakBandwidthGBps").asDouble(), "file beats preset");
        JsonNode set = run("--config", file.toString(), "--set", "hbm.peakBandwidthGBps=2500", "--batch", "4",
                "--set", "workload.context=2048");
        assertEquals(2500.0, set.get("config").get("hbm.peakBandwidthGBps").asDouble(), "--set beats file");
        assertEquals(4, set.get("batch").asInt(), "option beats file");
        assertEquals(2048, set.get("contextTokens").asLong(), "--set workload key beats file");
        assertEquals(6000.0, set.get("config").get("kernel.launchOverheadNs").asDouble(), "untouched file value stays");
        JsonNode both = run("--config", file.toString(), "--batch", "4", "--set", "workload.batch=5");
        assertEquals(5, both.get("batch").asInt(), "--set beats the other options");
        assertNotEquals(fromFile.get("experimentHash"), set.get("experimentHash"));
    }

    @Test
    void config_sameExperimentWrittenTwoWays_sameHash() throws Exception {
        JsonNode fromFile = run("--config", write("exp.yaml", YAML).toString());
        JsonNode fromOptions = run("--system", "h100-sxm", "--model", "llama-3.1-8b", "--batch", "2", "--context", "1024",
                "--tokens", "3", "--gpus", "2", "--set", "hbm.peakBandwidthGBps=3000",
                "--set", "kernel.launchOverheadNs=6000");
        assertEquals(fromFile.get("experimentHash"), fromOptions.get("experimentHash"));
        assertEquals(fromFile.get("perTokenLatencyMs"), fromOptions.get("perTokenLatencyMs"));
        // A model change is in the experiment hash but not in the hardware config hash.
        JsonNode other = run("--config", write("exp.yaml", YAML).toString(), "--model", "llama-3.2-1b");
        assertEquals(fromFile.get("configHash"), other.get("configHash"));
        assertNotEquals(fromFile.get("experimentHash"), other.get("experimentHash"));
    }

    @Test
    void config_jsonFileAndResultFile_runTheSameExperiment() throws Exception {
        Path json = write("exp.json", "{\"system\": \"h100-sxm\", \"model\": \"llama-3.1-8b\", \"workload\": {\"tokens\": 2,"
                + " \"tp\": 2}, \"set\": {\"hbm.reservedGB\": 2}}");
        JsonNode first = run("--config", json.toString());
        assertEquals(2, first.get("tp").asLong());
        assertEquals(2.0, first.get("config").get("hbm.reservedGB").asDouble());
        Path result = tmp.resolve("result.json");
        Files.writeString(result, first.toString());
        JsonNode again = run("--config", result.toString());
        assertEquals(first.get("experimentHash"), again.get("experimentHash"));
        assertEquals(first.get("perTokenLatencyMs"), again.get("perTokenLatencyMs"));
    }

    @Test
    void config_modelFileRelativeToTheExperimentFile() throws Exception {
        Files.createDirectories(tmp.resolve("models"));
        Files.writeString(tmp.resolve("models/tiny.json"), "{\"model_type\": \"llama\", \"num_hidden_layers\": 2,"
                + " \"hidden_size\": 256, \"num_attention_heads\": 4, \"num_key_value_heads\": 2,"
                + " \"intermediate_size\": 512, \"vocab_size\": 1000}");
        Path exp = write("exp.yaml", "system: h100-sxm\nmodelFile: models/tiny.json\nworkload: {tokens: 2}\n");
        JsonNode j = run("--config", exp.toString());
        assertTrue(j.get("experiment").get("modelFile").asText().endsWith("tiny.json"), j.get("experiment").toString());
        // --model on the command line replaces the file's modelFile.
        JsonNode k = run("--config", exp.toString(), "--model", "llama-3.2-1b");
        assertEquals("llama-3.2-1b", k.get("model").asText());
    }

    @Test
    void config_badFiles_exit2NamingKeyValueAndAllowedWithNoOutput() throws Exception {
        Path out = tmp.resolve("never.json");
        String[][] cases = {
            // file text, expected fragments...
            {"system: h100-sxm\nmodel: llama-3.1-8b\nworkload:\n  bach: 2\n", "unknown key 'workload.bach'",
                "did you mean batch?", "workload keys are batch"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nworkload:\n  batch: 0\n", "workload.batch=0 is not allowed",
                "expected an integer in [1, 1048576]"},
            {"sytem: h100-sxm\n", "unknown key 'sytem'", "did you mean system?", "allowed keys are"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nset:\n  hbm.peakBandwidthGBs: 2\n",
                "unknown parameter 'hbm.peakBandwidthGBs'", "did you mean hbm.peakBandwidthGBps?"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nset:\n  hbm.peakBandwidthGBps: -2\n",
                "hbm.peakBandwidthGBps=-2 is not allowed", "expected a number in [1, 1000000] (GB/s)"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nworkload:\n  wafers: 2\n",
                "workload.wafers applies to wafer systems"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nworkload:\n  batch: [1, 2]\n", "lists belong under 'sweep:'"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nsweep:\n  workload.batch: [1, 2]\n",
                "'sweep' is only read by wafersim sweep"},
            {"system: h100-sxm\nmodel: [llama\n", "not valid YAML at line 2"},
            {"system: nope\nmodel: llama-3.1-8b\n", "system=nope is not a known system", "expected one of"},
            {"system: h100-sxm\nmodel: lama-3.1-8b\n", "model=lama-3.1-8b is not a known model",
                "did you mean llama-3.1-8b"},
            {"system: h100-sxm\nmodel: llama-3.1-8b\nworkload:\n  precision: int3\n",
                "workload.precision=int3 is not allowed; expected weights bf16, fp8, int8 or int4 (int4:g64 sets the group size)"},
        };
        int n = 0;
        for (String[] c : cases) {
            Path file = write("bad" + n++ + ".yaml", c[0]);
            CliRunner r = CliRunner.run("run", "--config", file.toString(), "--json", out.toString());
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, c[0] + ": " + r.err);
            String err = r.err.strip();
            assertFalse(err.contains("\n"), "one line: " + err);
            assertFalse(err.contains("at dev.wafersim"), "no stack trace: " + err);
            assertTrue(err.startsWith("wafersim: " + file), "names the file: " + err);
            for (int i = 1; i < c.length; i++) {
                assertTrue(err.contains(c[i]), "expected '" + c[i] + "' in: " + err);
            }
            assertFalse(Files.exists(out), "no output for " + c[0]);
        }
        CliRunner missing = CliRunner.run("run", "--config", tmp.resolve("none.yaml").toString());
        assertEquals(Main.EXIT_BAD_INPUT, missing.exitCode);
        assertTrue(missing.err.contains("no such file"), missing.err);
        CliRunner noSystem = CliRunner.run("run", "--model", "llama-3.1-8b");
        assertEquals(Main.EXIT_BAD_INPUT, noSystem.exitCode);
        assertTrue(noSystem.err.contains("no system given"), noSystem.err);
    }

    @Test
    void set_unknownWorkloadKeyAndList_exit2() {
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--set", "workload.bach=2");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("unknown key 'workload.bach' (did you mean workload.batch?)"), r.err);
        r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--set", "workload.batch=1,2");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("wafersim sweep"), r.err);
    }
}
