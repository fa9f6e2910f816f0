package dev.wafersim.cli;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.sweep.SweepAxis;
import dev.wafersim.cli.sweep.SweepCharts;
import dev.wafersim.cli.sweep.SweepCsv;
import dev.wafersim.cli.sweep.SweepOutput;
import dev.wafersim.cli.sweep.SweepPlan;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.workloads.run.DecodeResult;
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
        description = {
            "Run a grid of experiments in parallel into a CSV; draw the charts.",
            "",
            "Every combination of the swept values is a point. One CSV row per point, written and flushed as",
            "soon as the point finishes; --resume continues a sweep that was stopped.",
            "",
            "Sweepable keys: system, model, workload.batch, workload.context, workload.tokens, workload.precision,",
            "workload.gpus, workload.tp, workload.pp, workload.wafers, and any system parameter (e.g.",
            "hbm.peakBandwidthGBps). Example: wafersim sweep --system h100-sxm --model llama-3.1-8b",
            "  --set workload.context=1024,4096,16384 --set workload.batch=1,8 --out sweep.csv --chart-dir charts",
            "",
            "The CSV is locked while the sweep runs: a second sweep on it is refused (exit 2). --resume and chart",
            "refuse a CSV in which a point appears twice. Progress with an ETA on standard error (a bar on a terminal,",
            "else a line every 30 s; --quiet for none).",
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

    @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "The CSV to write.")
    Path out;

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
        ExperimentFile.Contents contents = Experiments.read(specFile, Set.of("sweep"));
        SweepPlan plan = new SweepPlan(axes(contents));
        ExperimentSpec base = Experiments.spec(contents, system, workload, List.of());
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : Parallel.threads(threads, "--threads");
        SweepAxis xAxis = SweepCharts.xAxis(plan, x);
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
        List<Experiment> experiments = Parallel.map(all, i -> plan.spec(base, i).resolve(false, shared), n,
                i -> "sweep point " + i + " (" + describe(plan, i) + ")");
        SweepCsv csv = new SweepCsv(plan.axes().stream().map(SweepAxis::key).toList());
        PrintWriter stdout = spec.commandLine().getOut();
        if (out.getFileName() == null) {
            throw new ConfigException("--out " + out + " is not allowed; expected the path of a CSV file");
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
                    ? previousRows(csv, plan, experiments, Csv.read(out)) : Map.of();
            stdout.printf(Locale.ROOT, "sweep of %d points (%d to run, %d already in %s):%n", plan.size(),
                    plan.size() - previous.size(), previous.size(), out);
            for (int i = 0; i < plan.size(); i++) {
                stdout.printf(Locale.ROOT, "  %5d  %s%s%n", i, describe(plan, i), previous.containsKey(i) ? "  (done)" : "");
            }
            stdout.flush();
            return Main.EXIT_OK;
        }

        Map<Integer, List<String>> previous;
        Map<Integer, List<String>> rows;
        int[] counts = new int[4];
        Throwable firstBug = null;
        try (SweepOutput file = SweepOutput.open(out, append)) {
            previous = append ? previousRows(csv, plan, experiments, file.readTable()) : Map.of();
            rows = new HashMap<>(previous);
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
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
        }

        stdout.printf(Locale.ROOT, "sweep: %d points: %d ok, %d failed (input rejected), %d simulation failures, %d errors;"
                        + " %d already in %s from an earlier run%n", plan.size(), counts[0], counts[1], counts[2], counts[3],
                previous.size(), out);
        if (chartDir != null) {
            Map<Integer, List<String>> ok = new LinkedHashMap<>();
            int status = csv.header().indexOf(SweepCsv.STATUS);
            rows.forEach((i, r) -> {
                if (r.get(status).equals("ok")) {
                    ok.put(i, r);
                }
            });
            List<Path> charts = SweepCharts.draw(chartDir, plan, experiments, csv.header(), ok, xAxis, svg);
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
            return new Done(i, csv.row(i, values, e, r, "ok", ""), "ok", null);
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
                                                    Csv.Table t) {
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
        return found;
    }
}
