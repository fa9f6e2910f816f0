package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.cli.io.Csv;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same result through every format: the JSON file, the CSV row and the text agree. */
class ReportFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void run_jsonAndCsv_holdTheSameFigures() throws Exception {
        Path json = tmp.resolve("r.json");
        Path csv = tmp.resolve("r.csv");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "3",
                "--context", "512", "--json", json.toString(), "--csv", csv.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        JsonNode j = JSON.readTree(json.toFile());
        Csv.Table t = Csv.read(csv);
        assertEquals(1, t.rows().size());
        List<String> row = t.rows().get(0);
        assertEquals(j.get("perTokenLatencyMs").asDouble(), Double.parseDouble(row.get(t.column("perTokenLatencyMs"))));
        assertEquals(j.get("experimentHash").asText(), row.get(t.column("experimentHash")));
        assertEquals(j.get("breakdownMs").get("weightReads").asDouble(),
                Double.parseDouble(row.get(t.column("breakdown.weightReadsMs"))));
        // The machine's typed details: unwrapped in JSON, one JSON cell in CSV with the same figures.
        JsonNode details = JSON.readTree(row.get(t.column("details")));
        assertEquals(j.get("gpus").asInt(), details.get("gpus").asInt());
        assertEquals(j.get("hbmBytesUsedPerGpu").asLong(), details.get("hbmBytesUsedPerGpu").asLong());
        // Wafer-only categories are empty for a GPU result, not zero.
        assertEquals("", row.get(t.column("breakdown.attentionMs")));
        assertTrue(r.out.contains(String.format(java.util.Locale.ROOT, "mean %.3f ms/token",
                j.get("perTokenLatencyMs").asDouble())), r.out);
    }

    @Test
    void compare_csv_oneRowPerSystemWithSpeedups() throws Exception {
        Path csv = tmp.resolve("c.csv");
        Path json = tmp.resolve("c.json");
        CliRunner r = CliRunner.run("compare", "--model", "llama-3.2-1b", "--tokens", "2", "--context", "256",
                "--systems", "h100-sxm,h200", "--csv", csv.toString(), "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        Csv.Table t = Csv.read(csv);
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(2, t.rows().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(j.get("speedups").get(i).get("system").asText(), t.rows().get(i).get(t.column("label")));
            assertEquals(j.get("speedups").get(i).get("speedupVsFirst").asDouble(),
                    Double.parseDouble(t.rows().get(i).get(t.column("speedupVsFirst"))));
            assertEquals(j.get("results").get(i).get("label").asText(), t.rows().get(i).get(t.column("label")));
        }
        assertEquals(1.0, Double.parseDouble(t.rows().get(0).get(t.column("speedupVsFirst"))));
    }
}
