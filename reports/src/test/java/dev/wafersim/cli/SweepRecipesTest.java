package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler recipes of {@code scripts/sweep/} run as written and give the CSV of the unsharded sweep: the
 * Slurm array script as four tasks (bash, one JVM each), the Kubernetes Indexed Job's pod command for every
 * completion index and its merge Job's command (sh, one JVM each), and the GitHub Actions matrix's steps for
 * every matrix value. wafersim itself is the test's classes in a child JVM ({@code WAFERSIM}, which each
 * recipe takes from its environment) or, for the Actions steps, in this JVM.
 */
class SweepRecipesTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    Path tmp;

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("README.md")) && Files.isDirectory(p.resolve("scripts/sweep")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root with scripts/sweep above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /**
     * A command that runs wafersim from the test's classes in a child JVM. Written once per test, before any
     * process starts: exec of a file still open for writing fails with ETXTBSY.
     */
    private Path wafersim() throws Exception {
        Path w = tmp.resolve("bin/wafersim");
        Files.createDirectories(w.getParent());
        StringBuilder sb = new StringBuilder("#!/bin/sh\nexec");
        for (String word : SweepShardTest.child()) {
            sb.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        Files.writeString(w, sb.append(" \"$@\"\n").toString());
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return w;
    }

    /** The CSV of the sweep {@code spec} run in one process, on two threads. */
    private byte[] unsharded(Path spec) throws Exception {
        Path out = tmp.resolve("one/sweep.csv");
        CliRunner r = CliRunner.run("sweep", "--spec", spec.toString(), "--out", out.toString(), "--threads", "2",
                "--overwrite");
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        return Files.readAllBytes(out);
    }

    /** Starts {@code cmd} with {@code env} added, output in {@code log}. */
    private static Process start(List<String> cmd, Map<String, String> env, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void await(List<Process> ps, List<Path> logs) throws Exception {
        for (int i = 0; i < ps.size(); i++) {
            assertTrue(ps.get(i).waitFor(180, TimeUnit.SECONDS), "did not finish: " + logs.get(i));
            assertEquals(0, ps.get(i).exitValue(), Files.readString(logs.get(i)));
        }
    }

    private static List<String> glob(Path dir, String pattern) throws Exception {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, pattern)) {
            s.forEach(p -> out.add(p.toString()));
        }
        out.sort(null);
        return out;
    }

    @Test
    void slurmArray_fourTasksAsWritten_mergeEqualsOneRun() throws Exception {
        Path root = repoRoot();
        Path script = root.resolve("scripts/sweep/slurm-array.sbatch");
        String text = Files.readString(script);
        assertTrue(text.contains("--shard \"$I/$N\"") && text.contains("I=\"${SLURM_ARRAY_TASK_ID:?"), text);
        for (String s : List.of("slurm-array.sbatch", "slurm-submit")) {
            Process syntax = new ProcessBuilder("bash", "-n", root.resolve("scripts/sweep/" + s).toString())
                    .redirectErrorStream(true).start();
            assertTrue(syntax.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, syntax.exitValue(), s + ": " + new String(syntax.getInputStream().readAllBytes()));
        }
        Path spec = root.resolve("scripts/sweep/example.yaml");
        Path results = tmp.resolve("results");
        String wafersim = wafersim().toString();
        List<Process> tasks = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path log = tmp.resolve("slurm-" + i + ".log");
            logs.add(log);
            tasks.add(start(List.of("bash", script.toString()), Map.of("SLURM_ARRAY_TASK_ID", Integer.toString(i),
                    "SLURM_ARRAY_TASK_COUNT", "4", "SPEC", spec.toString(), "OUT", results.toString(), "WAFERSIM",
                    wafersim, "SLURM_CPUS_PER_TASK", "1"), log));
        }
        await(tasks, logs);
        List<String> merge = new ArrayList<>(List.of("sweep", "merge"));
        merge.addAll(glob(results, "shard-*.csv"));
        assertEquals(6, merge.size(), "one CSV per task: " + merge);
        Path merged = results.resolve("sweep.csv");
        merge.addAll(List.of("--out", merged.toString()));
        CliRunner m = CliRunner.run(merge.toArray(new String[0]));
        assertEquals(Main.EXIT_OK, m.exitCode, m.err);
        assertArrayEquals(unsharded(spec), Files.readAllBytes(merged));
    }

    @Test
    void kubernetesIndexedJob_podCommandPerIndexThenMergeJob_mergeEqualsOneRun() throws Exception {
        Path root = repoRoot();
        List<JsonNode> docs = YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(root.resolve("scripts/sweep/k8s-indexed-job.yaml").toFile()).readAll();
        JsonNode configMap = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
        JsonNode job = docs.stream().filter(d -> d.path("kind").asText().equals("Job")).findFirst().orElseThrow();
        assertEquals("Indexed", job.path("spec").path("completionMode").asText());
        int n = job.path("spec").path("completions").asInt();
        assertTrue(n >= 1 && job.path("spec").path("parallelism").asInt() <= n);
        JsonNode container = job.path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, String> env = env(container);
        assertEquals(Integer.toString(n), env.get("SHARDS"), "completions and SHARDS must agree");
        String command = container.path("args").get(0).asText();
        assertTrue(command.contains("--shard \"$JOB_COMPLETION_INDEX/$SHARDS\""), command);
        assertTrue(env.get("SPEC").startsWith(mountPath(container, "spec") + "/"), "SPEC is on the spec volume");
        assertEquals(mountPath(container, "results"), env.get("RESULTS"), "RESULTS is the results volume");

        Path spec = tmp.resolve("spec/sweep.yaml");
        Files.createDirectories(spec.getParent());
        Files.writeString(spec, configMap.path("data").path("sweep.yaml").asText());
        Path results = tmp.resolve("results");
        Map<String, String> local = new HashMap<>(env);
        local.putAll(Map.of("SPEC", spec.toString(), "RESULTS", results.toString(), "WAFERSIM", wafersim().toString()));
        Files.createDirectories(results);
        List<Process> pods = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> podEnv = new HashMap<>(local);
            podEnv.put("JOB_COMPLETION_INDEX", Integer.toString(i));
            Path log = tmp.resolve("pod-" + i + ".log");
            logs.add(log);
            pods.add(start(List.of("sh", "-c", command), podEnv, log));
        }
        await(pods, logs);

        JsonNode mergeJob = YAML.readTree(root.resolve("scripts/sweep/k8s-merge-job.yaml").toFile());
        JsonNode merger = mergeJob.path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, String> mergeEnv = new HashMap<>(env(merger));
        assertEquals(env.get("RESULTS"), mergeEnv.get("RESULTS"));
        mergeEnv.putAll(Map.of("RESULTS", results.toString(), "WAFERSIM", local.get("WAFERSIM")));
        Path log = tmp.resolve("merge.log");
        await(List.of(start(List.of("sh", "-c", merger.path("args").get(0).asText()), mergeEnv, log)), List.of(log));
        assertArrayEquals(unsharded(spec), Files.readAllBytes(results.resolve("sweep.csv")));
        TestFiles.assertPng(results.resolve("charts/latency-vs-workload.context.png"), 1000, 600);
    }

    @Test
    void githubActionsMatrix_stepsPerMatrixValueThenMerge_mergeEqualsOneRun() throws Exception {
        Path root = repoRoot();
        JsonNode wf = YAML.readTree(root.resolve("scripts/sweep/github-actions-matrix.yml").toFile());
        String spec = wf.path("env").path("SPEC").asText();
        int n = wf.path("env").path("SHARDS").asInt();
        JsonNode matrix = wf.path("jobs").path("shard").path("strategy").path("matrix").path("shard");
        assertEquals(n, matrix.size(), "the matrix lists every shard of SHARDS");
        assertEquals("shard", wf.path("jobs").path("merge").path("needs").asText());
        Path out = tmp.resolve("out");
        for (JsonNode value : matrix) {
            String run = runStep(wf.path("jobs").path("shard"), "Run one shard")
                    .replace("${{ matrix.shard }}", value.asText()).replace("$SPEC", spec)
                    .replace("$SHARDS", Integer.toString(n));
            CliRunner r = CliRunner.run(localArgs(run, root, out));
            assertEquals(Main.EXIT_OK, r.exitCode, run + ": " + r.err);
        }
        String mergeRun = runStep(wf.path("jobs").path("merge"), "Merge");
        CliRunner m = CliRunner.run(localArgs(mergeRun, root, out));
        assertEquals(Main.EXIT_OK, m.exitCode, mergeRun + ": " + m.err);
        assertArrayEquals(unsharded(root.resolve(spec)), Files.readAllBytes(out.resolve("sweep.csv")));
    }

    /** The {@code run:} of the step of {@code job} whose name starts with {@code name}. */
    private static String runStep(JsonNode job, String name) {
        for (JsonNode step : job.path("steps")) {
            if (step.path("name").asText().startsWith(name)) {
                return step.path("run").asText();
            }
        }
        throw new AssertionError("no step named " + name + " in " + job);
    }

    /**
     * The wafersim arguments of a {@code scripts/wafersim ...} step run from the repository root: paths under
     * {@code out/} go to {@code out}, other relative paths to the repository, {@code out/shard-*.csv} expanded.
     */
    private static String[] localArgs(String run, Path root, Path out) throws Exception {
        List<String> w = CiSnippetTest.words(run);
        assertEquals("scripts/wafersim", w.get(0), run);
        List<String> args = new ArrayList<>();
        for (String a : w.subList(1, w.size())) {
            if (a.startsWith("out/") && a.contains("*")) {
                args.addAll(glob(out, a.substring(4)));
            } else if (a.startsWith("out/")) {
                args.add(out.resolve(a.substring(4)).toString());
            } else if (a.startsWith("scripts/")) {
                args.add(root.resolve(a).toString());
            } else {
                args.add(a);
            }
        }
        return args.toArray(new String[0]);
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText());
        }
        return env;
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("no mount of volume " + volume);
    }
}
