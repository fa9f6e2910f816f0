package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages for broken input files: position and reason, in the user's terms, never Jackson's internals. */
class InputMessagesTest {
    @TempDir
    Path tmp;

    @Test
    void chartJson_truncatedJson_lineAndColumnWithoutJacksonSource() throws Exception {
        Path bad = tmp.resolve("r.json");
        Files.writeString(bad, "{\"results\": [");
        CliRunner r = CliRunner.run("chart", "--json", bad.toString(), "--out", tmp.resolve("c.png").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.startsWith("wafersim: --json " + bad + ": not valid JSON at line 1, column 14: "), r.err);
        assertFalse(r.err.contains("Source") || r.err.contains("REDACTED"), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void experimentYaml_nan_namesTheKeyNotInvalidYaml() throws Exception {
        Path f = tmp.resolve("exp.yaml");
        Files.writeString(f, "system: h100-sxm\nmodel: llama-3.2-1b\nset:\n  hbm.peakBandwidthGBps: .nan\n");
        CliRunner r = CliRunner.run("run", "--config", f.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: " + f + ": set.hbm.peakBandwidthGBps=.nan (line 4) is not allowed; expected a finite"
                + " number (YAML's .nan and .inf are values no key takes)", r.err.strip());
    }

    @Test
    void experimentYaml_negativeInfinityInWorkload_namesTheKey() throws Exception {
        Path f = tmp.resolve("exp.yaml");
        Files.writeString(f, "system: h100-sxm\nmodel: llama-3.2-1b\nworkload:\n  context: -.inf\n");
        CliRunner r = CliRunner.run("run", "--config", f.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.contains(": workload.context=-.inf (line 4) is not allowed"), r.err);
    }

    @Test
    void modelFile_notUtf8_saysSo() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, '{'});
        CliRunner r = CliRunner.run("describe", f.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: " + f + ": not UTF-8 text; expected a Hugging Face config.json", r.err.strip());
    }
}
