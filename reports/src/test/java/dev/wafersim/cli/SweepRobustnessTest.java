package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.sweep.SweepOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep's CSV is never damaged: one sweep at a time per file (a lock), duplicated points refused, output
 * paths that cannot be written reported in one line, and a sweep killed at any point resumes with no point
 * lost or doubled.
 */
class SweepRobustnessTest {
    @TempDir
    Path tmp;

    private static final String[] SWEEP = {"sweep", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2",
        "--set", "workload.context=512,2048", "--set", "workload.batch=1,4"};

    private static List<List<String>> sortedRows(Path csv) {
        List<List<String>> rows = new ArrayList<>(Csv.read(csv).rows());
        rows.sort(Comparator.comparingInt(r -> Integer.parseInt(r.get(0))));
        return rows;
    }

    @Test
    void sweep_outputLockedByAnotherSweep_exit2NamingTheLock() throws Exception {
        Path csv = tmp.resolve("s.csv");
        Files.writeString(csv, "");
        try (SweepOutput held = SweepOutput.open(csv, true)) {
            for (String mode : List.of("--overwrite", "--resume")) {
                CliRunner r = CliRunner.run(TestFiles.concat(SWEEP, "--out", csv.toString(), mode));
                assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, mode + ": " + r.out + r.err);
                assertTrue(r.err.startsWith("wafersim: --out " + csv + " is locked: another wafersim sweep is writing"
                        + " it (it holds the exclusive lock on " + csv + ")"), r.err);
                assertEquals(1, r.err.strip().lines().count(), r.err);
            }
        }
        assertEquals("", Files.readString(csv), "the refused sweeps wrote nothing");
        CliRunner after = CliRunner.run(TestFiles.concat(SWEEP, "--out", csv.toString(), "--overwrite"));
        assertEquals(Main.EXIT_OK, after.exitCode, "the lock is released with its holder: " + after.err);
    }

    @Test
    void resume_pointWrittenTwice_refusedNamingBothLines() throws Exception {
        Path csv = tmp.resolve("dup.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(TestFiles.concat(SWEEP, "--out", csv.toString())).exitCode);
        List<String> lines = Files.readAllLines(csv);
        Files.writeString(csv, lines.get(2) + "\n", StandardOpenOption.APPEND);
        CliRunner r = CliRunner.run(TestFiles.concat(SWEEP, "--out", csv.toString(), "--resume"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        String point = lines.get(2).substring(0, lines.get(2).indexOf(','));
        assertTrue(r.err.contains("--resume: " + csv + " holds point " + point + " twice (lines 3 and 6)"), r.err);
        CliRunner chart = CliRunner.run("chart", "--csv", csv.toString(), "--x", "workload.context", "--series",
                "workload.batch", "--out", tmp.resolve("c.png").toString());
        assertEquals(Main.EXIT_BAD_INPUT, chart.exitCode, chart.err);
        assertTrue(chart.err.contains("chart: " + csv + " holds point " + point + " twice"), chart.err);
        assertFalse(Files.exists(tmp.resolve("c.png")));
    }

    @Test
    void sweep_outUnderARegularFile_exit2OneLineNoStackTrace() throws Exception {
        Path file = tmp.resolve("plain");
        Files.writeString(file, "x");
        Path csv = file.resolve("sub/s.csv");
        CliRunner r = CliRunner.run(TestFiles.concat(SWEEP, "--out", csv.toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: --out " + csv + " cannot be written: " + file + " is a regular file, not a directory",
                r.err.strip());
    }

    @Test
    void sweep_outIsADirectory_exit2OneLine() {
        CliRunner r = CliRunner.run(TestFiles.concat(SWEEP, "--out", tmp.toString(), "--overwrite"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: --out " + tmp + " is a directory; expected the path of a CSV file", r.err.strip());
    }

    /**
     * One CSV, a sweep in another JVM killed with SIGKILL after a random number of rows (plus a random delay,
     * so some kills land while a row is written), resumed and killed again until a run completes; for
     * several seeds. The final file holds every point exactly once, and the rows equal an uninterrupted
     * sweep's.
     */
    @Test
    void sweep_killedAtRandomPointsAndResumed_noPointLostOrDoubled() throws Exception {
        String[] sweep = {"sweep", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--gpus", "8", "--tokens", "16",
            "--set", "workload.context=256,512,1024,2048,4096,8192", "--set", "workload.batch=1,2"};
        int points = 12;
        Path ref = tmp.resolve("ref.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(TestFiles.concat(sweep, "--out", ref.toString())).exitCode);
        List<List<String>> expected = sortedRows(ref);
        for (long seed : new long[] {1, 2, 3}) {
            Random rnd = new Random(seed);
            Path csv = tmp.resolve("killed-" + seed + ".csv");
            int kills = 0;
            for (int attempt = 0; attempt < 8; attempt++) {
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                        Main.class.getName()));
                cmd.addAll(List.of(sweep));
                cmd.addAll(List.of("--out", csv.toString(), "--threads", "1", "--quiet"));
                if (Files.exists(csv)) {
                    cmd.add("--resume");
                }
                int before = Files.exists(csv) ? Csv.read(csv).rows().size() : 0;
                int killAfter = before + rnd.nextInt(3);
                Path log = tmp.resolve("child-" + seed + "-" + attempt + ".log");
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (p.isAlive() && System.nanoTime() < deadline && rowsOf(csv) < killAfter) {
                    Thread.sleep(5);
                }
                Thread.sleep(rnd.nextInt(40));
                if (p.isAlive()) {
                    p.destroyForcibly();
                    kills++;
                }
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                if (p.exitValue() == 0) {
                    break;
                }
                assertTrue(p.exitValue() == 137 || p.exitValue() == 9 || !p.isAlive(), Files.readString(log));
            }
            assertTrue(kills >= 1, "seed " + seed + ": no kill landed before the sweep finished");
            if (Csv.read(csv).rows().size() < points) {
                assertEquals(Main.EXIT_OK, CliRunner.run(TestFiles.concat(sweep, "--out", csv.toString(), "--resume"))
                        .exitCode);
            }
            List<List<String>> rows = sortedRows(csv);
            assertEquals(points, rows.size(), "seed " + seed + " after " + kills + " kills: every point once");
            assertEquals(expected, rows, "seed " + seed + ": killed and resumed = uninterrupted");
        }
    }

    /** Complete lines of the CSV minus the header; 0 while it does not exist. */
    private static int rowsOf(Path csv) throws Exception {
        if (!Files.exists(csv)) {
            return 0;
        }
        return (int) Math.max(0, Files.readString(csv).chars().filter(c -> c == '\n').count() - 1);
    }
}
