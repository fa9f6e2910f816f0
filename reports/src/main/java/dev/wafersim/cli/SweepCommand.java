package dev.wafersim.cli;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.sweep.PointCost;
import dev.wafersim.cli.sweep.ShardManifest;
import dev.wafersim.cli.sweep.ShardPartition;
import dev.wafersim.cli.sweep.SweepAxis;
import dev.wafersim.cli.sweep.SweepCharts;
import dev.wafersim.cli.sweep.SweepCsv;
import dev.wafersim.cli.sweep.SweepManifest;
import dev.wafersim.cli.sweep.SweepOutput;
import dev.wafersim.cli.sweep.SweepPlan;
import dev.wafersim.cli.sweep.SweepShard;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.step.TimeToFirstToken;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim sweep}: runs a grid of experiments and writes one CSV row per point as it finishes.
 *
 * <p>The grid's axes come from the spec file's {@code sweep:} section and from {@code --set KEY=V1,V2,...}
 * (a command-line axis replaces a file axis with the same key; a single value is a fixed override). Every
 * point is resolved before any runs, so a bad key or value stops the sweep with exit 2 and no file. Points
 * run on a fixed pool of threads (default: one per core); each is independent and deterministic, so the
 * rows do not depend on the thread count, only their order in the file does (sort by {@code point}).
 * One thread writes the file and flushes every row, so a killed sweep keeps every finished point;
 * {@code --resume} appends the missing points, skipping each point whose key columns and experiment hash
 * are already in the file. A point whose input is rejected (the model does not fit, ...) is recorded with
 * its error and the sweep goes on.
 *
 * <p>Exit codes: 0 when every point ran or was rejected as input; 3 when a simulation failed; 4 on a bug in a
 * point; 2 for bad input before the sweep starts.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = SweepMergeCommand.class,
        description = {
            "Run a grid of experiments in parallel into a CSV; draw the charts.",
            "",
            "Every combination of the swept values is a point. One CSV row per point, written and flushed as",
            "soon as the point finishes; --resume continues a sweep that was stopped.",
            "",
            "Sweepable keys: system, model, workload.batch, workload.context, workload.tokens, workload.precision,",
            "workload.gpus, workload.tp, workload.pp, workload.wafers, workload.promptTokens (adds the time to first",
            "token of that prompt, column ttftMs), and any system parameter (e.g. hbm.peakBandwidthGBps). Example:",
            "  wafersim sweep --system h100-sxm --model llama-3.1-8b",
            "  --set workload.context=1024,4096,16384 --set workload.batch=1,8 --out sweep.csv --chart-dir charts",
            "",
            "The CSV is locked while the sweep runs: a second sweep on it is refused (exit 2). --resume and chart",
            "refuse a CSV in which a point appears twice. Progress with an ETA on standard error (a bar on a terminal,",
            "else a line every 30 s; --quiet for none). A finished sweep's rows are in point order.",
            "",
            "Several machines: --shard I/N runs shard I (0 to N-1) of N, balanced by each point's estimated cost;",
            "then wafersim sweep merge SHARD.csv... --out FILE.csv gives the CSV (and --chart-dir the charts) of the",
            "whole sweep run at once. Recipes for Slurm, Kubernetes and CI matrices are in scripts/sweep/.",
            "",
            "Exit codes: 0 done (rejected points are rows with status failed), 2 bad input (also: --out cannot be",
            "written or is locked), 3 a simulation failed, 4 internal error."})
public final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--spec", "--config"}, paramLabel = "FILE",
            description = "Sweep spec (YAML or JSON): an experiment file with a 'sweep:' section of key -> list of values.")
    Path specFile;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "System, unless swept.")
    String system;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--set", paramLabel = "KEY=V1[,V2...]",
            description = "Sweep KEY over the values (one value: a fixed override); repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE.csv", description = "The CSV to write (required).")
    Path out;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Run only shard I (0 to N-1) of N shards of the sweep (split by estimated cost; the same"
                    + " split in every process); writes FILE.csv.manifest.json beside --out for sweep merge.")
    String shardOption;

    @Option(names = "--resume", description = "Keep the rows already in --out and run only the missing points.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace an existing --out instead of refusing.")
    boolean overwrite;

    @Option(names = "--threads", paramLabel = "N", description = "Points run at once (default: the number of cores).")
    Integer threads;

    @Option(names = "--chart-dir", paramLabel = "DIR",
            description = "Draw latency and throughput against the swept quantity into DIR at the end.")
    Path chartDir;

    @Option(names = "--x", paramLabel = "KEY", description = "The swept key on the charts' x axis (default: the first numeric one).")
    String x;

    @Option(names = "--svg", description = "Write the charts as SVG too.")
    boolean svg;

    @Option(names = "--progress", negatable = true,
            description = "Progress on standard error as a bar redrawn in place (default: on a terminal; elsewhere"
                    + " a line every 30 s).")
    Boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    boolean quiet;

    @Option(names = "--dry-run", description = "List the points and exit without running or writing.")
    boolean dryRun;

    /** The outcome of one point. */
    private record Done(int point, List<String> row, String status, Throwable bug) {
    }

    @Override
    public Integer call() {
        if (out == null) {
            throw new ConfigException("--out is missing; expected --out FILE.csv, the CSV to write");
        }
        SweepShard shard = shardOption == null ? null : SweepShard.parse(shardOption, "--shard");
        if (shard != null && chartDir != null) {
            throw new ConfigException("--chart-dir is not allowed with --shard: a shard holds part of the sweep; draw"
                    + " the charts when merging the shards (wafersim sweep merge SHARD.csv... --out FILE.csv --chart-dir"
                    + " DIR)");
        }
        ExperimentFile.Contents contents = Experiments.read(specFile, Set.of("sweep"));
        SweepPlan plan = new SweepPlan(axes(contents));
        ExperimentSpec base = Experiments.spec(contents, system, workload, List.of());
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : Parallel.threads(threads, "--threads");
        SweepAxis xAxis = SweepCharts.xAxis(plan, x);
        List<Experiment> experiments = resolve(plan, base, n);
        PrintWriter stdout = spec.commandLine().getOut();
        if (out.getFileName() == null) {
            throw new ConfigException("--out " + out + " is not allowed; expected the path of a CSV file");
        }

        List<String> keys = plan.axes().stream().map(SweepAxis::key).toList();
        SweepCsv csv;
        List<Integer> mine = new ArrayList<>();
        ShardManifest manifest = null;
        ShardPartition partition = null;
        if (shard == null) {
            csv = new SweepCsv(keys);
            for (int i = 0; i < plan.size(); i++) {
                mine.add(i);
            }
        } else {
            String manifestHash = SweepManifest.hash(plan, experiments.stream().map(Experiment::hash).toList());
            long[] costs = new long[plan.size()];
            long total = 0;
            for (int i = 0; i < costs.length; i++) {
                costs[i] = PointCost.micros(experiments.get(i));
                total += costs[i];
            }
            partition = ShardPartition.of(costs, shard.count());
            int[] points = partition.pointsOf(shard.index());
            for (int p : points) {
                mine.add(p);
            }
            csv = SweepCsv.sharded(keys, shard, manifestHash);
            manifest = new ShardManifest(WafersimCommand.version(), manifestHash, plan.size(), shard, partition.hash(),
                    points, partition.load(shard.index()), total, SweepManifest.definition(base, plan.axes()));
        }

        boolean exists = Files.exists(out);
        if (exists && !resume && !overwrite) {
            throw new ConfigException("--out " + out + " already exists; add --resume to continue that sweep or --overwrite"
                    + " to start over");
        }
        if (exists && Files.isDirectory(out)) {
            throw new ConfigException("--out " + out + " is a directory; expected the path of a CSV file");
        }
        boolean append = exists && resume;
        if (dryRun) {
            Map<Integer, List<String>> previous = append
                    ? previousRows(csv, plan, experiments, mine, Csv.read(out)) : Map.of();
            if (shard == null) {
                stdout.printf(Locale.ROOT, "sweep of %d points (%d to run, %d already in %s):%n", plan.size(),
                        plan.size() - previous.size(), previous.size(), out);
            } else {
                List<String> loads = new ArrayList<>();
                for (int s = 0; s < Math.min(partition.shards(), 16); s++) {
                    loads.add(seconds(partition.load(s)));
                }
                stdout.printf(Locale.ROOT, "sweep of %d points, shard %s: %d point%s, estimated %s of the sweep's %s (every"
                                + " shard: %s%s); %d to run, %d already in %s:%n", plan.size(), shard, mine.size(),
                        mine.size() == 1 ? "" : "s", seconds(manifest.shardCostMicros()),
                        seconds(manifest.sweepCostMicros()), String.join(", ", loads),
                        partition.shards() > 16 ? ", ..." : "", mine.size() - previous.size(), previous.size(), out);
            }
            for (int i : mine) {
                String cost = shard == null ? "" : String.format(Locale.ROOT, "  (estimated %s)",
                        seconds(PointCost.micros(experiments.get(i))));
                stdout.printf(Locale.ROOT, "  %5d  %s%s%s%n", i, describe(plan, i), cost,
                        previous.containsKey(i) ? "  (done)" : "");
            }
            stdout.flush();
            return Main.EXIT_OK;
        }

        Map<Integer, List<String>> previous;
        Map<Integer, List<String>> rows;
        int[] counts = new int[4];
        Throwable firstBug = null;
        try (SweepOutput file = SweepOutput.open(out, append)) {
            previous = append ? previousRows(csv, plan, experiments, mine, file.readTable()) : Map.of();
            if (manifest != null) {
                manifest.writeBeside(out);
            }
            rows = new HashMap<>(previous);
            List<Integer> todo = new ArrayList<>();
            for (int i : mine) {
                if (!previous.containsKey(i)) {
                    todo.add(i);
                }
            }
            if (!append) {
                file.writeLine(Csv.line(csv.header()));
            }
            ProgressMeter bar = ProgressMeter.of(spec.commandLine().getErr(), "sweep", "points", quiet, progress);
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(n, todo.size())), r -> {
                Thread t = new Thread(r, "wafersim-sweep");
                t.setDaemon(true);
                return t;
            });
            boolean inOrder = previousInOrder(previous, append ? file : null);
            int last = previous.isEmpty() ? -1 : java.util.Collections.max(previous.keySet());
            try {
                CompletionService<Done> done = new ExecutorCompletionService<>(pool);
                for (int i : todo) {
                    done.submit(() -> runPoint(csv, plan, experiments.get(i), i));
                }
                for (int k = 0; k < todo.size(); k++) {
                    Done d;
                    try {
                        d = done.take().get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        bar.done();
                        spec.commandLine().getErr().printf(Locale.ROOT, "wafersim: sweep interrupted after %d of %d points;"
                                + " every finished row is in %s; rerun with --resume to finish%n", k, todo.size(), out);
                        return Main.EXIT_SIM_FAILED;
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("a sweep point escaped its own error handling", e.getCause());
                    }
                    file.writeLine(Csv.line(d.row()));
                    rows.put(d.point(), d.row());
                    inOrder &= d.point() > last;
                    last = Math.max(last, d.point());
                    counts[statusIndex(d.status())]++;
                    if (d.bug() != null && firstBug == null) {
                        firstBug = d.bug();
                    }
                    int failed = counts[1] + counts[2] + counts[3];
                    bar.update(k + 1, todo.size(), failed == 0 ? "" : failed + " failed");
                }
            } finally {
                pool.shutdownNow();
                bar.done();
            }
            if (!inOrder) {
                StringBuilder text = new StringBuilder(Csv.line(csv.header()));
                new TreeMap<>(rows).values().forEach(r -> text.append(Csv.line(r)));
                file.replaceInOrder(text.toString());
            }
        }

        if (shard == null) {
            stdout.printf(Locale.ROOT, "sweep: %d points: %d ok, %d failed (input rejected), %d simulation failures, %d"
                            + " errors; %d already in %s from an earlier run%n", plan.size(), counts[0], counts[1],
                    counts[2], counts[3], previous.size(), out);
        } else {
            stdout.printf(Locale.ROOT, "sweep shard %s: %d of %d points: %d ok, %d failed (input rejected), %d simulation"
                            + " failures, %d errors; %d already in %s from an earlier run%n", shard, mine.size(),
                    plan.size(), counts[0], counts[1], counts[2], counts[3], previous.size(), out);
        }
        if (chartDir != null) {
            List<Path> charts = drawCharts(chartDir, plan, experiments, csv.header(), rows, xAxis, svg);
            for (Path c : charts) {
                stdout.println("chart: " + c);
            }
            if (charts.isEmpty()) {
                stdout.println("no chart: " + (xAxis == null ? "nothing varies" : "no point succeeded"));
            }
        }
        stdout.flush();
        if (firstBug != null) {
            spec.commandLine().getErr().println("wafersim: internal error in a sweep point (please report): " + firstBug);
            firstBug.printStackTrace(spec.commandLine().getErr());
            return Main.EXIT_INTERNAL;
        }
        return counts[2] > 0 ? Main.EXIT_SIM_FAILED : Main.EXIT_OK;
    }

    /** Every point's experiment, resolved before any runs (a bad key or value stops the sweep: exit 2). */
    static List<Experiment> resolve(SweepPlan plan, ExperimentSpec base, int threads) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            all.add(i);
        }
        List<String> systems = new ArrayList<>();
        if (base.get(ExperimentKey.SYSTEM) != null) {
            systems.add(base.get(ExperimentKey.SYSTEM).text());
        }
        plan.axes().stream().filter(a -> a.key().equals(ExperimentKey.SYSTEM.key())).forEach(a -> systems.addAll(a.values()));
        Set<String> shared = Experiments.parameterKeys(systems);
        return Parallel.map(all, i -> plan.spec(base, i).resolve(false, shared), threads,
                i -> "sweep point " + i + " (" + describe(plan, i) + ")");
    }

    /**
     * The charts of a sweep from its rows (point to CSV fields): latency and throughput of the points with status
     * {@code ok}, in point order.
     */
    static List<Path> drawCharts(Path dir, SweepPlan plan, List<Experiment> experiments, List<String> header,
                                 Map<Integer, List<String>> rows, SweepAxis xAxis, boolean svg) {
        Map<Integer, List<String>> ok = new TreeMap<>();
        int status = header.indexOf(SweepCsv.STATUS);
        rows.forEach((i, r) -> {
            if (r.get(status).equals("ok")) {
                ok.put(i, r);
            }
        });
        return SweepCharts.draw(dir, plan, experiments, header, ok, xAxis, svg);
    }

    /**
     * True when the rows already in the file ({@code previous}, read through {@code file}) are in point order,
     * or there are none.
     */
    private static boolean previousInOrder(Map<Integer, List<String>> previous, SweepOutput file) {
        if (file == null || previous.isEmpty()) {
            return true;
        }
        int last = -1;
        for (List<String> r : file.readTable().rows()) {
            int p = Integer.parseInt(r.get(0));
            if (p <= last) {
                return false;
            }
            last = p;
        }
        return true;
    }

    /** Estimated microseconds as seconds (milliseconds below one second), for the dry run. */
    private static String seconds(long micros) {
        return micros < 1_000_000 ? String.format(Locale.ROOT, "%.0f ms", micros / 1e3)
                : String.format(Locale.ROOT, "%.1f s", micros / 1e6);
    }

    private static int statusIndex(String status) {
        return switch (status) {
            case "ok" -> 0;
            case "failed" -> 1;
            case "simfailed" -> 2;
            default -> 3;
        };
    }

    /** Runs one point; every exception becomes the point's status. */
    static Done runPoint(SweepCsv csv, SweepPlan plan, Experiment e, int i) {
        List<String> values = plan.values(i);
        try {
            DecodeResult r = e.run();
            TimeToFirstToken ttft = e.timeToFirstToken();
            return new Done(i, csv.row(i, values, e, r, ttft, "ok", ""), "ok", null);
        } catch (ConfigException ex) {
            return new Done(i, csv.row(i, values, e, null, "failed", ex.getMessage()), "failed", null);
        } catch (SimulationStalledException ex) {
            return new Done(i, csv.row(i, values, e, null, "simfailed", ex.getMessage()), "simfailed", null);
        } catch (RuntimeException | StackOverflowError ex) {
            return new Done(i, csv.row(i, values, e, null, "error", "internal error: " + ex), "error", ex);
        }
    }

    private static String describe(SweepPlan plan, int i) {
        List<String> v = plan.values(i);
        StringBuilder sb = new StringBuilder();
        for (int a = 0; a < plan.axes().size(); a++) {
            sb.append(a == 0 ? "" : ", ").append(plan.axes().get(a).key()).append('=').append(v.get(a));
        }
        return sb.toString();
    }

    /** The axes: the spec file's, then the command line's (replacing a file axis of the same key). */
    private List<SweepAxis> axes(ExperimentFile.Contents contents) {
        Map<String, SweepAxis> axes = new LinkedHashMap<>();
        if (contents != null) {
            for (Map.Entry<String, List<Object>> e : contents.sweep().entrySet()) {
                SweepAxis a = SweepAxis.of(e.getKey(), e.getValue(), specFile + ": sweep");
                if (axes.put(a.key(), a) != null) {
                    throw new ConfigException(specFile + ": sweep." + e.getKey() + " names " + a.key() + " a second time");
                }
            }
        }
        Map<String, String> cli = new HashMap<>();
        for (String s : sets) {
            Experiments.KeyValue kv = Experiments.KeyValue.parse(s, "--set");
            SweepAxis a = SweepAxis.of(kv.key(), Arrays.asList(kv.value().split(",", -1)), "--set");
            if (cli.put(a.key(), s) != null) {
                throw new ConfigException("--set " + s + ": " + a.key() + " is already swept by --set " + cli.get(a.key())
                        + "; give all its values in one --set");
            }
            axes.put(a.key(), a);
        }
        return new ArrayList<>(axes.values());
    }

    /**
     * The rows of an earlier run of this sweep in {@code --out} ({@code t}), by point: a row belongs to point i
     * when its key columns hold point i's values; its experiment hash must then be point i's. A file in
     * which a point appears twice is refused (two runs wrote into it at once, or it was edited).
     */
    private Map<Integer, List<String>> previousRows(SweepCsv csv, SweepPlan plan, List<Experiment> experiments,
                                                    List<Integer> mine, Csv.Table t) {
        boolean fileSharded = t.header().contains(SweepCsv.SHARD) && t.header().contains(SweepCsv.MANIFEST_HASH);
        if (fileSharded != csv.isSharded() && !t.header().equals(csv.header())) {
            throw new ConfigException("--resume: " + out + (fileSharded ? " is a shard's file (it has the columns shard and"
                    + " manifestHash) but this sweep is not sharded; resume it with its --shard I/N"
                    : " is the file of an unsharded sweep but this run is --shard " + shardOption + "; give another --out")
                    + ", or --overwrite");
        }
        if (csv.isSharded() && t.header().equals(csv.header())) {
            requireSameShard(csv, t);
        }
        if (!t.header().equals(csv.header())) {
            throw new ConfigException("--resume: " + out + " has the columns " + t.header() + " but this sweep writes "
                    + csv.header() + "; it is another sweep: give another --out, or --overwrite");
        }
        t.requireUnique(SweepCsv.POINT, out.toString(), "--resume");
        int keys = plan.axes().size();
        int hashCol = t.column(SweepCsv.EXPERIMENT_HASH);
        Map<List<String>, Integer> byKey = new HashMap<>();
        for (int r = 0; r < t.rows().size(); r++) {
            Integer before = byKey.put(t.rows().get(r).subList(1, 1 + keys), r);
            if (before != null) {
                throw new ConfigException("--resume: " + out + " holds the point " + t.rows().get(r).subList(1, 1 + keys)
                        + " twice (lines " + t.lines().get(before) + " and " + t.lines().get(r) + "): two sweeps wrote"
                        + " into it at once, or it was edited; expected each point once (rerun with --overwrite, or"
                        + " into another --out)");
            }
        }
        Map<Integer, List<String>> found = new HashMap<>();
        for (int i = 0; i < plan.size(); i++) {
            Integer r = byKey.get(plan.values(i));
            if (r == null) {
                continue;
            }
            List<String> row = t.rows().get(r);
            if (!row.get(hashCol).equals(experiments.get(i).hash())) {
                throw new ConfigException("--resume: " + out + " holds point " + describe(plan, i) + " from another"
                        + " experiment (its experimentHash differs: a fixed option, a parameter or a default changed);"
                        + " give another --out, or --overwrite");
            }
            found.put(i, row);
        }
        Set<Integer> ours = new java.util.HashSet<>(mine);
        Set<Integer> matched = new java.util.HashSet<>();
        found.forEach((i, row) -> matched.add(byKey.get(plan.values(i))));
        for (int r = 0; r < t.rows().size(); r++) {
            if (!matched.contains(r)) {
                throw new ConfigException("--resume: " + out + " line " + t.lines().get(r) + " holds "
                        + t.rows().get(r).subList(1, 1 + keys) + ", which is not a point of this sweep (an axis changed);"
                        + " give another --out, or --overwrite");
            }
        }
        for (int i : found.keySet()) {
            if (!ours.contains(i)) {
                throw new ConfigException("--resume: " + out + " holds point " + describe(plan, i) + ", which is not a"
                        + " point of shard " + csv.shardLabel() + "; give each shard its own --out (or --overwrite)");
            }
        }
        return found;
    }

    /**
     * Refuses a shard's file written by another sweep (another manifest hash: the plan changed) or another split
     * (another shard or shard count), naming both.
     */
    private void requireSameShard(SweepCsv csv, Csv.Table t) {
        int shardCol = t.column(SweepCsv.SHARD);
        int hashCol = t.column(SweepCsv.MANIFEST_HASH);
        for (int r = 0; r < t.rows().size(); r++) {
            List<String> row = t.rows().get(r);
            if (!row.get(shardCol).equals(csv.shardLabel())) {
                throw new ConfigException("--resume: " + out + " line " + t.lines().get(r) + " is a row of shard "
                        + row.get(shardCol) + " but this run is --shard " + csv.shardLabel() + "; give each shard its own"
                        + " --out (or --overwrite)");
            }
            if (!row.get(hashCol).equals(csv.manifestHash())) {
                throw new ConfigException("--resume: " + out + " line " + t.lines().get(r) + " is a row of another sweep"
                        + " (manifestHash " + row.get(hashCol) + "; this sweep's is " + csv.manifestHash() + "): the plan"
                        + " changed since the shard started (an axis, a fixed option, a parameter, a default or the"
                        + " wafersim version); give another --out, or --overwrite");
            }
        }
    }
}
