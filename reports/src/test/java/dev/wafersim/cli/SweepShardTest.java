package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.sweep.ShardManifest;
import dev.wafersim.cli.sweep.SweepOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep split into shards ({@code sweep --shard I/N}) run as separate processes and joined by
 * {@code sweep merge} gives the bytes of the same sweep run in one process; a killed shard resumes; shards of
 * different sweeps or splits, missing points and bad indices are refused with exit 2 and nothing written.
 */
class SweepShardTest {
    @TempDir
    Path tmp;

    /** 8 GPU points: context x batch x GPUs. */
    private static final String[] SWEEP = {"sweep", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2",
        "--set", "workload.context=512,2048", "--set", "workload.batch=1,4", "--set", "workload.gpus=1,2"};

    /** The command line of a child JVM running wafersim with {@code args}. */
    static List<String> child(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String[] shard(int i, int n, Path out, String... more) {
        return TestFiles.concat(TestFiles.concat(SWEEP, "--shard", i + "/" + n, "--out", out.toString(), "--quiet"), more);
    }

    private CliRunner merge(String... args) {
        return CliRunner.run(TestFiles.concat(new String[] {"sweep", "merge"}, args));
    }

    @Test
    void shards_fourProcessesThenMerge_sameBytesAsOneRun() throws Exception {
        Path full = tmp.resolve("full.csv");
        CliRunner one = CliRunner.run(TestFiles.concat(SWEEP, "--out", full.toString(), "--threads", "2", "--chart-dir",
                tmp.resolve("charts-one").toString()));
        assertEquals(Main.EXIT_OK, one.exitCode, one.err);

        List<Process> children = new ArrayList<>();
        List<Path> shards = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path csv = tmp.resolve("shards/s" + i + ".csv");
            shards.add(csv);
            children.add(new ProcessBuilder(child(shard(i, 4, csv, "--threads", "1"))).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("child-" + i + ".log").toFile()).start());
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(children.get(i).waitFor(120, TimeUnit.SECONDS), "shard " + i + " did not finish");
            assertEquals(0, children.get(i).exitValue(), Files.readString(tmp.resolve("child-" + i + ".log")));
        }

        // Every process computed the same split, and every point is in exactly one shard.
        Set<Integer> seen = new HashSet<>();
        String partition = null;
        for (Path s : shards) {
            ShardManifest m = ShardManifest.readBeside(s);
            partition = partition == null ? m.partitionHash() : partition;
            assertEquals(partition, m.partitionHash());
            assertEquals(8, m.points());
            for (int p : m.shardPoints()) {
                assertTrue(seen.add(p), "point " + p + " in two shards");
            }
            assertEquals(m.shardPoints().length, Csv.read(s).rows().size(), s + " holds its points");
        }
        assertEquals(8, seen.size());

        Path merged = tmp.resolve("merged.csv");
        // Shards in any order.
        CliRunner m = merge(shards.get(2).toString(), shards.get(0).toString(), shards.get(3).toString(),
                shards.get(1).toString(), "--out", merged.toString(), "--chart-dir", tmp.resolve("charts-merged").toString());
        assertEquals(Main.EXIT_OK, m.exitCode, m.err);
        assertEquals("", m.err);
        assertTrue(m.out.startsWith("sweep merge: 8 of 8 points from 4 files (shards 4 of 4) into " + merged
                + ": 8 ok, 0 failed (input rejected), 0 simulation failures, 0 errors"), m.out);
        assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(merged), "merged = one run, byte for byte");
        for (String chart : List.of("latency-vs-workload.context.png", "throughput-vs-workload.context.png")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("charts-one").resolve(chart)),
                    Files.readAllBytes(tmp.resolve("charts-merged").resolve(chart)), chart);
        }
    }

    /** A shard killed after its first row (another JVM, SIGKILL) resumes its own points; the merge is unchanged. */
    @Test
    void shard_killedAndResumed_mergeEqualsOneRun() throws Exception {
        String[] sweep = {"sweep", "--system", "h100-sxm", "--model", "llama-3.1-8b", "--gpus", "8", "--tokens", "24",
            "--set", "workload.context=256,512,1024,2048,4096,8192", "--set", "workload.batch=1,2"};
        Path full = tmp.resolve("full.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(TestFiles.concat(sweep, "--out", full.toString())).exitCode);
        Path s0 = tmp.resolve("s0.csv");
        Path s1 = tmp.resolve("s1.csv");
        Process p = new ProcessBuilder(child(TestFiles.concat(sweep, "--shard", "0/2", "--out", s0.toString(),
                "--threads", "1", "--quiet"))).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (p.isAlive() && System.nanoTime() < deadline
                && !(Files.exists(s0) && Files.readString(s0).chars().filter(c -> c == '\n').count() >= 2)) {
            Thread.sleep(5);
        }
        assertTrue(p.isAlive(), "the shard finished before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        int kept = Csv.read(s0).rows().size();
        assertTrue(kept >= 1 && kept < 6, "rows kept: " + kept);

        CliRunner early = merge(s0.toString(), "--out", tmp.resolve("early.csv").toString());
        assertEquals(Main.EXIT_BAD_INPUT, early.exitCode, early.err);
        assertTrue(early.err.contains(s0 + " (shard 0/2) has " + kept + " of its 6 points (stopped early? rerun it with"
                + " --resume)") && early.err.contains("No file for shard 1/2"), early.err);
        assertFalse(Files.exists(tmp.resolve("early.csv")), "nothing written when points are missing");

        CliRunner resumed = CliRunner.run(TestFiles.concat(sweep, "--shard", "0/2", "--out", s0.toString(), "--resume"));
        assertEquals(Main.EXIT_OK, resumed.exitCode, resumed.err);
        assertTrue(resumed.out.startsWith("sweep shard 0/2: 6 of 12 points: " + (6 - kept) + " ok") && resumed.out.contains(
                kept + " already in"), resumed.out);
        assertEquals(Main.EXIT_OK, CliRunner.run(TestFiles.concat(sweep, "--shard", "1/2", "--out", s1.toString()))
                .exitCode);
        Path merged = tmp.resolve("merged.csv");
        CliRunner m = merge(s0.toString(), s1.toString(), "--out", merged.toString());
        assertEquals(Main.EXIT_OK, m.exitCode, m.err);
        assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(merged));
    }

    @Test
    void shard_indexOutOfRange_exit2OneLine() {
        CliRunner r = CliRunner.run(shard(4, 4, tmp.resolve("x.csv")));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertEquals("wafersim: --shard=4/4 is not allowed: shard index 4 is out of range; expected I from 0 to 3 for 4"
                + " shards", r.err.strip());
        assertFalse(Files.exists(tmp.resolve("x.csv")));
    }

    @Test
    void shard_withChartDir_refusedPointingToMerge() {
        CliRunner r = CliRunner.run(shard(0, 2, tmp.resolve("x.csv"), "--chart-dir", tmp.resolve("c").toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.startsWith("wafersim: --chart-dir is not allowed with --shard"), r.err);
        assertFalse(Files.exists(tmp.resolve("x.csv")));
    }

    /** Shards run with another fixed option (the plan changed between shards): refused naming both files. */
    @Test
    void merge_shardOfAnotherManifest_exit2NamingBothFiles() {
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 2, a)).exitCode);
        String[] changed = TestFiles.concat(shard(1, 2, b), "--precision", "fp8");
        assertEquals(Main.EXIT_OK, CliRunner.run(changed).exitCode);
        Path out = tmp.resolve("m.csv");
        CliRunner r = merge(a.toString(), b.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.startsWith("wafersim: shards of different sweeps: " + a + " is shard 0/2 of sweep manifest ")
                && r.err.contains(", " + b + " is shard 1/2 of ") && r.err.contains("the plan changed between shards"),
                r.err);
        assertEquals(1, r.err.strip().lines().count());
        assertFalse(Files.exists(out));
    }

    @Test
    void merge_mixOfShardCounts_exit2() {
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 2, a)).exitCode);
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(1, 3, b)).exitCode);
        CliRunner r = merge(a.toString(), b.toString(), "--out", tmp.resolve("m.csv").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertEquals("wafersim: a mix of shard counts: " + a + " is shard 0/2, " + b + " is shard 1/3; expected every"
                + " shard of one split (--shard I/2 for every file)", r.err.strip());
    }

    @Test
    void merge_pointsMissing_exit2UnlessAllowMissing() throws Exception {
        Path a = tmp.resolve("a.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 4, a)).exitCode);
        int[] mine = ShardManifest.readBeside(a).shardPoints();
        Path out = tmp.resolve("m.csv");
        CliRunner r = merge(a.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.startsWith("wafersim: sweep merge: " + (8 - mine.length) + " of 8 points missing: "), r.err);
        assertTrue(r.err.contains("No file for shards 1/4, 2/4, 3/4 (run them with --shard I/4)")
                && r.err.endsWith("add --allow-missing to merge the points that are there\n"), r.err);
        assertFalse(Files.exists(out));

        CliRunner allowed = merge(a.toString(), "--out", out.toString(), "--allow-missing");
        assertEquals(Main.EXIT_OK, allowed.exitCode, allowed.err);
        assertTrue(allowed.err.startsWith("wafersim: --allow-missing: " + (8 - mine.length) + " of 8 points missing"),
                allowed.err);
        Csv.Table t = Csv.read(out);
        assertEquals(mine.length, t.rows().size());
        assertFalse(t.header().contains("shard"), "the merged file has the columns of an unsharded sweep");
    }

    /** A shard file copied under another name: reported and kept once. The same point with another result: refused. */
    @Test
    void merge_duplicatedPoints_sameRowKeptOnceDifferentRowRefused() throws Exception {
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 2, a)).exitCode);
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(1, 2, b)).exitCode);
        Path copy = tmp.resolve("copy/a.csv");
        Files.createDirectories(copy.getParent());
        Files.copy(a, copy);
        Files.copy(ShardManifest.pathOf(a), ShardManifest.pathOf(copy));
        Path out = tmp.resolve("m.csv");
        CliRunner r = merge(a.toString(), b.toString(), copy.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        int first = ShardManifest.readBeside(a).shardPoints()[0];
        assertTrue(r.err.contains("wafersim: note: duplicate point " + first + " (") && r.err.contains(" is in " + a
                + " line 2 and " + copy + " line 2 (the same row; kept once)"), r.err);
        assertEquals(8, Csv.read(out).rows().size());

        List<String> lines = new ArrayList<>(Files.readAllLines(copy));
        lines.set(1, lines.get(1).replaceFirst(",ok,,", ",ok,,x"));
        Files.write(copy, lines);
        CliRunner differ = merge(a.toString(), b.toString(), copy.toString(), "--out", tmp.resolve("m2.csv").toString());
        assertEquals(Main.EXIT_BAD_INPUT, differ.exitCode, differ.err);
        assertTrue(differ.err.contains(" with different results: two different simulations of one experiment"),
                differ.err);
        assertFalse(Files.exists(tmp.resolve("m2.csv")));
        CliRunner twice = merge(a.toString(), a.toString(), "--out", tmp.resolve("m3.csv").toString());
        assertEquals(Main.EXIT_BAD_INPUT, twice.exitCode);
        assertEquals("wafersim: " + a + " is given twice; expected each shard file once", twice.err.strip());
    }

    @Test
    void merge_shardStillBeingWritten_exit2NamingTheLock() throws Exception {
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 2, a)).exitCode);
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(1, 2, b)).exitCode);
        try (SweepOutput held = SweepOutput.open(b, true)) {
            CliRunner r = merge(a.toString(), b.toString(), "--out", tmp.resolve("m.csv").toString());
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
            assertEquals("wafersim: " + b + " is locked: a wafersim sweep is still writing it (it holds the exclusive"
                    + " lock); merge when the shard has finished", r.err.strip());
        }
    }

    /** A shard resumed after the plan changed (another value of an axis) is refused before anything runs. */
    @Test
    void resume_shardFileOfAnotherPlan_exit2() throws Exception {
        Path a = tmp.resolve("a.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 2, a)).exitCode);
        String before = Files.readString(a);
        String[] changed = {"sweep", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "3", "--set",
            "workload.context=512,2048", "--set", "workload.batch=1,4", "--set", "workload.gpus=1,2", "--shard", "0/2",
            "--out", a.toString(), "--resume"};
        CliRunner r = CliRunner.run(changed);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, r.err);
        assertTrue(r.err.startsWith("wafersim: --resume: " + a + " line 2 is a row of another sweep (manifestHash ")
                && r.err.contains("the plan changed since the shard started"), r.err);
        assertEquals(before, Files.readString(a));
        CliRunner other = CliRunner.run(shard(1, 2, a, "--resume"));
        assertEquals(Main.EXIT_BAD_INPUT, other.exitCode, other.err);
        assertTrue(other.err.startsWith("wafersim: --resume: " + a + " line 2 is a row of shard 0/2 but this run is"
                + " --shard 1/2"), other.err);
    }

    /** More shards than points: the extra shards hold only the header; the merge still equals one run. */
    @Test
    void shards_moreThanPoints_emptyShardsMergeToOneRun() throws Exception {
        String[] small = {"sweep", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "2", "--set",
            "workload.batch=1,4"};
        Path full = tmp.resolve("full.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(TestFiles.concat(small, "--out", full.toString())).exitCode);
        List<String> args = new ArrayList<>(List.of("sweep", "merge"));
        for (int i = 0; i < 3; i++) {
            Path s = tmp.resolve("s" + i + ".csv");
            CliRunner r = CliRunner.run(TestFiles.concat(small, "--shard", i + "/3", "--out", s.toString()));
            assertEquals(Main.EXIT_OK, r.exitCode, r.err);
            args.add(s.toString());
        }
        assertEquals(Csv.read(tmp.resolve("s0.csv")).header(), Csv.read(tmp.resolve("s2.csv")).header());
        assertTrue(Csv.read(tmp.resolve("s2.csv")).rows().isEmpty(), "two points, three shards: the third is empty");
        Path merged = tmp.resolve("merged.csv");
        args.addAll(List.of("--out", merged.toString()));
        CliRunner m = CliRunner.run(args.toArray(new String[0]));
        assertEquals(Main.EXIT_OK, m.exitCode, m.err);
        assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(merged));
    }

    @Test
    void merge_givenTheManifestInsteadOfTheCsv_exit2() throws Exception {
        Path a = tmp.resolve("a.csv");
        assertEquals(Main.EXIT_OK, CliRunner.run(shard(0, 1, a)).exitCode);
        CliRunner r = merge(ShardManifest.pathOf(a).toString(), "--out", tmp.resolve("m.csv").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("is a shard's manifest; give the shard CSVs"), r.err);
        Files.delete(ShardManifest.pathOf(a));
        CliRunner lost = merge(a.toString(), "--out", tmp.resolve("m.csv").toString());
        assertEquals(Main.EXIT_BAD_INPUT, lost.exitCode);
        assertTrue(lost.err.startsWith("wafersim: " + a + ": no shard manifest beside it (expected " + ShardManifest.pathOf(a)),
                lost.err);
    }
}
