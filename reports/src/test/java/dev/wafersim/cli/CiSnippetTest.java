package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's GitHub Actions job runs as written: its {@code run:} steps are taken from the README, in
 * order, and executed in a copy of the repository's {@code ci/} folder — {@code scripts/wafersim ARGS} as the
 * wafersim main class in a child JVM with the same arguments (the script only builds the jar and runs it),
 * anything else with bash. Every step must exit 0: a failing gate here means {@code ci/baseline.json} is
 * stale (refresh it as the README says).
 */
class CiSnippetTest {
    @TempDir
    Path work;

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("README.md")) && Files.isDirectory(p.resolve("ci")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root with README.md and ci/ above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The {@code run:} commands of the README's workflow block, folded ({@code run: >}) ones joined. */
    static List<String> runSteps(String readme) {
        int start = readme.indexOf("```yaml\nname: decode-latency");
        assertTrue(start >= 0, "the README's CI workflow block");
        int end = readme.indexOf("```", start + 7);
        List<String> lines = List.of(readme.substring(start, end).split("\n"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.startsWith("run:")) {
                continue;
            }
            String v = l.substring(4).strip();
            if (v.equals(">") || v.equals("|")) {
                int indent = lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length();
                StringBuilder sb = new StringBuilder();
                while (i + 1 < lines.size() && lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() >= indent
                        && !lines.get(i + 1).isBlank()) {
                    sb.append(sb.length() == 0 ? "" : " ").append(lines.get(++i).strip());
                }
                v = sb.toString();
            }
            out.add(v);
        }
        return out;
    }

    /** Words of a command line as a shell splits them (quotes, no expansions). */
    static List<String> words(String cmd) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : cmd.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || w.length() > 0) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(c);
            }
        }
        if (any || w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void readmeCiJob_everyStepAsWritten_exitsZero() throws Exception {
        Path root = repoRoot();
        List<String> steps = runSteps(Files.readString(root.resolve("README.md")));
        assertEquals(4, steps.size(), "validate, run, gate, job summary: " + steps);
        copy(root.resolve("ci"), work.resolve("ci"));
        Path summary = work.resolve("summary.md");
        for (String step : steps) {
            List<String> cmd = new ArrayList<>();
            List<String> w = words(step);
            if (w.get(0).equals("scripts/wafersim")) {
                cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                        System.getProperty("java.class.path"), "-Xmx2g", Main.class.getName()));
                cmd.addAll(w.subList(1, w.size()));
            } else {
                cmd.addAll(List.of("bash", "-c", step));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("step.log").toFile());
            pb.environment().put("GITHUB_STEP_SUMMARY", summary.toString());
            Process p = pb.start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "step did not finish: " + step);
            String log = Files.readString(work.resolve("step.log"));
            assertEquals(0, p.exitValue(), "README CI step failed: " + step + "\n" + log
                    + (step.contains(" gate ") ? "\n(ci/baseline.json is stale? refresh it: scripts/wafersim run --config"
                    + " ci/baseline.json --json ci/baseline.json)" : ""));
        }
        assertTrue(Files.readString(work.resolve("out/gate.xml")).contains("<testsuite"), "JUnit XML");
        String md = Files.readString(summary);
        assertTrue(md.contains("perTokenLatencyMs") && md.contains("PASS"), "the job summary holds the gate table: " + md);
        assertFalse(Files.readString(work.resolve("out/validate.json")).isBlank());
    }

    @Test
    void baseline_isTheResultOfTheCiExperiment() throws Exception {
        Path root = repoRoot();
        String baseline = Files.readString(root.resolve("ci/baseline.json"));
        assertTrue(baseline.contains("\"model\" : \"llama-3.1-8b\"") && baseline.contains("\"system\" : \"h100-sxm\""),
                "ci/baseline.json is a result of ci/h100-llama8b.yaml");
        assertEquals(List.of("a b", "c", "d e"), words("'a b' c \"d e\""));
    }
}
