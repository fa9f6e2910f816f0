package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.cli.validate.ValidationPoint;
import dev.wafersim.cli.validate.ValidationSource;
import dev.wafersim.cli.validate.ValidationSources;
import dev.wafersim.workloads.run.SystemKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wafersim validate}: the project's GPU points, and the verdicts on made-up points. */
class ValidateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void validate_gpuDecodePoints_tableWithFitAndHeldOutSummaries() throws Exception {
        Path json = tmp.resolve("v.json");
        CliRunner r = CliRunner.run("validate", "--source", "gpu-decode", "--json", json.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.out + r.err);
        assertTrue(r.out.startsWith("gpu-decode (gpu): "), r.out);
        assertTrue(r.out.matches("(?s).*id +what +published +simulated +unit +error +band +role +status.*"), r.out);
        assertTrue(r.out.matches("(?s).*\\n  G1 +Llama-2-7B.*9\\.533 +[0-9.]+ ms +[+-][0-9.]+% +15% +check PASS\\n.*"), r.out);
        assertTrue(r.out.matches("(?s).*\\n  E1 .* fit +PASS\\n.*"), r.out);
        assertTrue(r.out.matches("(?s).*\\n  fit: +1 point, mean \\|error\\| [0-9.]+%, max [0-9.]+%, 0 outside the band\\n.*"),
                r.out);
        assertTrue(r.out.matches("(?s).*\\n  held-out: 9 points, mean \\|error\\| [0-9.]+%, max [0-9.]+%, \\d+ outside the band\\n.*"),
                r.out);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(10, j.get("sources").get(0).get("points").size());
        assertEquals("fit", j.get("sources").get(0).get("points").get(0).get("role").asText());
    }

    @Test
    void validate_gpuPrefillPoints_documentedMissesAndExit0() {
        CliRunner r = CliRunner.run("validate", "--source", "gpu-prefill");
        assertEquals(Main.EXIT_OK, r.exitCode, r.out + r.err);
        assertTrue(r.out.matches("(?s).*\\n  T1 .* MISS \\[1\\]\\n.*"), r.out);
        assertTrue(r.out.contains("[1] T1: known miss: 128-token FP8 prompts"), r.out);
        assertTrue(r.lastLine().startsWith("validate ok: 12 points, 8 PASS, 4 MISS (documented), 0 FAIL"), r.out);
    }

    @Test
    void validate_everyGpuSource_noUnexpectedMiss() {
        CliRunner r = CliRunner.run("validate", "--machine", "gpu");
        assertEquals(Main.EXIT_OK, r.exitCode, r.out + r.err);
        assertTrue(r.out.contains("gpu-calibration (gpu): "), r.out);
        assertTrue(r.lastLine().matches("validate ok: \\d+ points, \\d+ PASS, \\d+ MISS \\(documented\\), 0 FAIL"),
                r.lastLine());
        assertTrue(ValidationSources.all().stream().anyMatch(s -> s.machine() == SystemKind.GPU));
    }

    private static ValidationSource fake(ValidationPoint... points) {
        return ValidationSource.of("fake", SystemKind.WAFER, "made-up points", () -> List.of(points));
    }

    @Test
    void validate_pointOutsideItsBandUnexpectedly_exit1Fail() {
        ValidationSource s = fake(
                new ValidationPoint("W1", "inside", "ms", 10, 10.5, 10, false, false, "", "ref"),
                new ValidationPoint("W2", "outside, documented", "ms", 10, 20, 10, false, true, "known reason", "ref"),
                new ValidationPoint("W3", "outside, not documented", "ms", 10, 12, 10, false, false, "", "ref"));
        CliRunner r = CliRunner.runCommand(new ValidateCommand(List.of(s)));
        assertEquals(Main.EXIT_GATE_FAILED, r.exitCode, r.out);
        assertTrue(r.out.matches("(?s).*\\n  W1 .* PASS\\n.*"), r.out);
        assertTrue(r.out.matches("(?s).*\\n  W2 .* MISS \\[1\\]\\n.*"), r.out);
        assertTrue(r.out.matches("(?s).*\\n  W3 .* \\+20\\.0% +10% +check FAIL\\n.*"), r.out);
        assertTrue(r.out.contains("[1] W2: known miss: known reason"), r.out);
        assertTrue(r.lastLine().startsWith("validate FAILED: 3 points, 1 PASS, 1 MISS (documented), 1 FAIL"), r.out);
        assertTrue(r.out.contains("gpu: no validation points registered in this build"), r.out);
    }

    @Test
    void validate_documentedMissNowInsideItsBand_passesWithANote() {
        ValidationSource s = fake(new ValidationPoint("W4", "fixed", "ms", 10, 10.1, 10, false, true, "old reason", "r"));
        CliRunner r = CliRunner.runCommand(new ValidateCommand(List.of(s)));
        assertEquals(Main.EXIT_OK, r.exitCode, r.out);
        assertTrue(r.out.contains("documented as a known miss but now within its band"), r.out);
    }

    @Test
    void validate_badOptions_exit2() {
        CliRunner r = CliRunner.run("validate", "--source", "gpu-decod");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("(did you mean gpu-decode?)"), r.err);
        r = CliRunner.run("validate", "--machine", "tpu");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("--machine=tpu is not allowed; expected gpu, wafer or all"), r.err);
    }
}
