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

class BenchEngineCommandTest {
    @TempDir
    Path tmp;

    @Test
    void benchEngine_smallRun_printsEventsPerSecondLastAndWritesJson() throws Exception {
        Path json = tmp.resolve("out/phold.json");
        CliRunner r = CliRunner.run("bench", "engine", "--lps", "32", "--population", "4", "--events", "50000",
                "--warmup", "1000", "--json", json.toString());
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.lastLine().matches("events/s: \\d+"), r.lastLine());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(50_000, j.get("events").asLong());
        assertEquals("phold", j.get("benchmark").asText());
        assertTrue(j.get("eventsPerSecond").asDouble() > 0);
        // Same seed and parameters through the other queue: the same event sequence.
        Path json2 = tmp.resolve("heap.json");
        CliRunner r2 = CliRunner.run("bench", "engine", "--lps", "32", "--population", "4", "--events", "50000",
                "--warmup", "1000", "--queue", "heap", "--json", json2.toString());
        assertEquals(0, r2.exitCode, r2.err);
        assertEquals(j.get("digest").asText(), new ObjectMapper().readTree(json2.toFile()).get("digest").asText());
    }

    @Test
    void benchEngine_badValue_exit2AndNoFileWritten() {
        Path json = tmp.resolve("never.json");
        CliRunner r = CliRunner.run("bench", "engine", "--population", "0", "--json", json.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertEquals("wafersim: --population=0 is not allowed; expected an integer >= 1", r.err.strip());
        assertFalse(Files.exists(json));
        r = CliRunner.run("bench", "engine", "--queue", "splay");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("--queue=splay"), r.err);
    }
}
