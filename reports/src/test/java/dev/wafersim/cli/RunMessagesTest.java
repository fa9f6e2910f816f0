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

/** What run says when the input cannot or should not run: the real cause, in the user's own terms. */
class RunMessagesTest {
    @TempDir
    Path tmp;

    @Test
    void run_moreWafersThanTheMappingUses_namesTheCauseAndTheCountThatHolds() {
        CliRunner r = CliRunner.run("run", "--system", "wse3", "--model", "llama-3.2-1b", "--wafers", "8", "--tokens", "1");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        // 16 layers; the tied table counts as 2 x 128256 x 2048 / (2 x 60.8 M) = 4.3 layers on the first wafer and
        // again as the head on the last: with 8 wafers of (16 + 8.6) / 8 = 3.1 layer-equivalents the first gets none.
        assertTrue(r.err.startsWith("wafersim: --wafers=8 is more than the layer-regions mapping can use for"
                + " llama-3.2-1b: its 16 layers are split"), r.err);
        assertTrue(r.err.contains("the embedding table counting as 4.3 layers on the first wafer"), r.err);
        assertTrue(r.err.strip().endsWith("the smallest number of wafers that holds it is 1 (use --wafers 1)"), r.err);
        assertFalse(r.err.contains("1,024"), r.err);
    }

    @Test
    void run_405bOn110Wafers_smallestCountBelowTheAskedOneIsFound() {
        CliRunner r = CliRunner.run("run", "--system", "wse3", "--model", "llama-3.1-405b", "--wafers", "110", "--tokens",
                "1");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.contains("--wafers=110 is more than the layer-regions mapping can use"), r.err);
        // README "Slot sizes": 405B takes 26 wafers at 16 bits.
        assertTrue(r.err.strip().endsWith("the smallest number of wafers that holds it is 26 (use --wafers 26)"), r.err);
    }

    @Test
    void run_gpusAloneBeyondTheHeads_namesGpusNotAnUngivenTp() {
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-405b", "--gpus", "1024");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.startsWith("wafersim: --gpus=1024 is not allowed for llama-3.1-405b: it means tensor"
                + " parallelism over all 1024 GPUs"), r.err);
        assertFalse(r.err.contains("--tp=1024"), r.err);
        // 1024 = 16 x 64: tp 16 splits 128 query heads and is a multiple of the 8 KV heads; 64 stages <= 126 layers.
        assertTrue(r.err.strip().endsWith("e.g. --gpus 1024 --tp 16 --pp 64"), r.err);
    }

    @Test
    void run_contextBeyondMaxPositions_refusedUnlessAskedThenWarnedAndRecorded() throws Exception {
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--context", "1000000");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: --context=1000000 with --tokens=128 (the default) makes 1,000,128 positions, beyond"
                + " llama-3.1-8b's max_position_embeddings of 131,072; expected context + tokens <= 131,072, or"
                + " --beyond-max-positions (workload.beyondMaxPositions: true) to simulate it anyway", r.err.strip());

        Path json = tmp.resolve("r.json");
        CliRunner ok = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--context", "131070",
                "--tokens", "4", "--beyond-max-positions", "--json", json.toString());
        assertEquals(Main.EXIT_OK, ok.exitCode, ok.err);
        assertTrue(ok.err.startsWith("wafersim: warning: --context=131070 with --tokens=4 makes 131,074 positions"), ok.err);
        JsonNode w = new ObjectMapper().readTree(json.toFile()).path("experiment").path("workload");
        assertTrue(w.path("beyondMaxPositions").asBoolean(), w.toString());
        CliRunner again = CliRunner.run("run", "--config", json.toString());
        assertEquals(Main.EXIT_OK, again.exitCode, "the result file reruns as it ran: " + again.err);
    }

    @Test
    void run_jsonToDevFull_exit2NoSpaceAndTheDeviceStays() {
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2", "--json",
                "/dev/full");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.startsWith("wafersim: output file /dev/full cannot be written: no space left on device"), r.err);
        assertFalse(Files.isRegularFile(Path.of("/dev/full")));
    }

    @Test
    void run_modelFileWithRopeScaling_headerSaysWhatWasIgnoredAndWhy() throws Exception {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\": \"mistral\", \"hidden_size\": 256, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000, \"sliding_window\": 64,"
                + " \"max_position_embeddings\": 8192, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model-file", cfg.toString(), "--context", "100",
                "--tokens", "2");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.out.contains("attention       sliding window of 64 tokens on all 2 layers (sliding_window)"), r.out);
        assertTrue(r.out.contains("positions       up to 8,192 per sequence"), r.out);
        assertTrue(r.out.contains("config ignored  rope_scaling (rotary embeddings cost the same whatever their scaling"),
                r.out);
    }

    @Test
    void run_int4Result_rerunsAsInt4() throws Exception {
        Path json = tmp.resolve("q.json");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2",
                "--precision", "int4:g64", "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode first = new ObjectMapper().readTree(json.toFile());
        assertEquals("int4:g64:block", first.path("experiment").path("workload").path("precision").asText());
        Path again = tmp.resolve("again.json");
        assertEquals(Main.EXIT_OK, CliRunner.run("run", "--config", json.toString(), "--json", again.toString()).exitCode);
        JsonNode second = new ObjectMapper().readTree(again.toFile());
        assertEquals(first.path("experimentHash"), second.path("experimentHash"), "the same experiment, not a bf16 one");
    }

    @Test
    void describeModel_showsEveryFieldThatShapesItAndWhatWasIgnored() throws Exception {
        CliRunner preset = CliRunner.run("describe", "gpt-oss-120b");
        assertEquals(Main.EXIT_OK, preset.exitCode, preset.err);
        assertTrue(preset.out.contains("18 layers with a sliding window of 128 tokens, 18 with full attention"), preset.out);
        assertTrue(preset.out.contains("q/k/v yes, output yes, ffn and router yes") && preset.out.contains("attention sinks"),
                preset.out);
        assertTrue(preset.out.contains("up to 131,072 per sequence"), preset.out);
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\": \"qwen2\", \"hidden_size\": 256, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000,"
                + " \"use_sliding_window\": false, \"sliding_window\": 4096, \"rope_theta\": 1000000.0}");
        CliRunner file = CliRunner.run("describe", cfg.toString());
        assertEquals(Main.EXIT_OK, file.exitCode, file.err);
        assertTrue(file.out.contains("full attention on all 2 layers"), file.out);
        assertTrue(file.out.contains("sliding_window (no layer slides with these settings"), file.out);
        assertTrue(file.out.contains("rope_theta (a rotary frequency, not a cost)"), file.out);
        assertTrue(file.out.contains("no maximum given (max_position_embeddings absent): not checked"), file.out);
    }
}
