package dev.wafersim.cli;

import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.sweep.ShardMerge;
import dev.wafersim.cli.sweep.SweepAxis;
import dev.wafersim.cli.sweep.SweepCharts;
import dev.wafersim.cli.sweep.SweepCsv;
import dev.wafersim.cli.sweep.SweepManifest;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim sweep merge}: joins the CSVs of a sharded sweep ({@code sweep --shard I/N}) into the CSV and
 * charts one unsharded run of the sweep writes: the same columns, the rows in point order, byte for byte (no
 * column depends on wall time). Missing points are an error (exit 2) unless {@code --allow-missing}; duplicated
 * points are reported (kept once when their rows are the same, refused when they differ); files of different
 * sweeps, of another split or of a shard still running are refused (exit 2).
 *
 * <p>Exit codes as the sweep's: 0, or 3 when a merged point's simulation failed and 4 when a point met a bug
 * (the exit code the unsharded sweep would have given); 2 for bad input, nothing written.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Merge the CSVs of a sharded sweep into the CSV and charts of the whole sweep.",
            "",
            "Each SHARD.csv is the --out of one wafersim sweep --shard I/N process, with its manifest",
            "SHARD.csv.manifest.json beside it. The merged CSV is the one the sweep run in one process writes (rows in",
            "point order, byte for byte). Example, a sweep split over 4 machines:",
            "  wafersim sweep --spec s.yaml --shard 2/4 --out shards/s2.csv     (on each machine, I = 0..3)",
            "  wafersim sweep merge shards/s*.csv --out sweep.csv --chart-dir charts",
            "",
            "Refused (exit 2, nothing written): points missing (unless --allow-missing), shards of different sweeps (the",
            "plan changed between shards), a mix of shard counts, a shard still being written (locked), rows that",
            "differ for one point. A point found twice with the same row is reported and kept once.",
            "",
            "Exit codes: 0 merged, 2 bad input, 3 a merged point's simulation failed, 4 a point met an internal error."})
public final class SweepMergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SHARD.csv", description = "The shards' CSVs (any order).")
    List<Path> shards = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "The merged CSV to write.")
    Path out;

    @Option(names = "--allow-missing", description = "Merge the points that are there when some are missing (listed on"
            + " standard error) instead of refusing.")
    boolean allowMissing;

    @Option(names = "--chart-dir", paramLabel = "DIR",
            description = "Draw the sweep's charts into DIR, as the unsharded sweep's --chart-dir does.")
    Path chartDir;

    @Option(names = "--x", paramLabel = "KEY", description = "The swept key on the charts' x axis (default: the first"
            + " numeric one).")
    String x;

    @Option(names = "--svg", description = "Write the charts as SVG too.")
    boolean svg;

    @Option(names = "--threads", paramLabel = "N", description = "Threads resolving the points for the charts (default:"
            + " the number of cores).")
    Integer threads;

    @Override
    public Integer call() {
        for (Path s : shards) {
            if (same(s, out)) {
                throw new ConfigException("--out " + out + " is one of the shard files; expected another path for the"
                        + " merged CSV");
            }
        }
        List<ShardMerge.Input> inputs = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (same(shards.get(i), shards.get(j))) {
                    throw new ConfigException(shards.get(i) + " is given twice; expected each shard file once");
                }
            }
            inputs.add(ShardMerge.read(shards.get(i)));
        }
        ShardMerge.Result r = ShardMerge.merge(inputs);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (!r.missing().isEmpty() && !allowMissing) {
            throw new ConfigException("sweep merge: " + ShardMerge.describeMissing(r, inputs) + "; add --allow-missing to"
                    + " merge the points that are there");
        }
        SweepAxis xAxis = chartDir == null ? null : SweepCharts.xAxis(r.plan(), x);
        List<Experiment> experiments = null;
        if (chartDir != null) {
            experiments = experiments(r);
        }

        StringBuilder text = new StringBuilder(Csv.line(r.header()));
        r.rows().values().forEach(row -> text.append(Csv.line(row)));
        if (out.getFileName() == null) {
            throw new ConfigException("--out " + out + " is not allowed; expected the path of a CSV file");
        }
        try {
            Path dir = out.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw dev.wafersim.cli.io.OutputFailure.of("--out", out, e);
        }
        AtomicFiles.writeString(out, text.toString());

        for (String note : r.notes()) {
            stderr.println("wafersim: note: duplicate " + note);
        }
        if (!r.missing().isEmpty()) {
            stderr.println("wafersim: --allow-missing: " + ShardMerge.describeMissing(r, inputs) + "; merged the rest");
        }
        int[] counts = new int[4];
        int status = r.header().indexOf(SweepCsv.STATUS);
        for (List<String> row : r.rows().values()) {
            counts[switch (row.get(status)) {
                case "ok" -> 0;
                case "failed" -> 1;
                case "simfailed" -> 2;
                default -> 3;
            }]++;
        }
        int n = r.manifest().shard().count();
        stdout.printf(Locale.ROOT, "sweep merge: %d of %d points from %d file%s (shards %d of %d) into %s: %d ok, %d failed"
                        + " (input rejected), %d simulation failures, %d errors%n", r.rows().size(), r.plan().size(),
                inputs.size(), inputs.size() == 1 ? "" : "s", r.shardsRead().size(), n, out, counts[0], counts[1],
                counts[2], counts[3]);
        if (chartDir != null) {
            List<Path> charts = SweepCommand.drawCharts(chartDir, r.plan(), experiments, r.header(), r.rows(), xAxis, svg);
            for (Path c : charts) {
                stdout.println("chart: " + c);
            }
            if (charts.isEmpty()) {
                stdout.println("no chart: " + (xAxis == null ? "nothing varies" : "no point succeeded"));
            }
        }
        stdout.flush();
        stderr.flush();
        if (counts[3] > 0) {
            return Main.EXIT_INTERNAL;
        }
        return counts[2] > 0 ? Main.EXIT_SIM_FAILED : Main.EXIT_OK;
    }

    /**
     * The sweep's experiments, resolved again from the definition in the manifest, for the charts; refused when
     * they are not the ones the shards ran (their manifest hash differs: this wafersim resolves the sweep
     * differently, or a model file changed).
     */
    private List<Experiment> experiments(ShardMerge.Result r) {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : Parallel.threads(threads, "--threads");
        List<Experiment> experiments;
        try {
            experiments = SweepCommand.resolve(r.plan(), r.definition().base(), n);
        } catch (ConfigException e) {
            throw new ConfigException("--chart-dir: the sweep of the shards cannot be resolved here to draw its charts: "
                    + e.getMessage() + " (merge without --chart-dir, or where the shards ran)", e);
        }
        String hash = SweepManifest.hash(r.plan(), experiments.stream().map(Experiment::hash).toList());
        if (!hash.equals(r.manifest().manifestHash())) {
            throw new ConfigException("--chart-dir: this wafersim (" + WafersimCommand.version() + ") resolves the shards'"
                    + " sweep to other experiments (manifest " + hash + ") than the shards ran ("
                    + r.manifest().manifestHash() + ", wafersim " + r.manifest().wafersimVersion() + "): a preset, a"
                    + " default or a model file changed; draw the charts with the wafersim that ran the shards, or merge"
                    + " without --chart-dir");
        }
        return experiments;
    }

    /** True when {@code a} and {@code b} name the same file (or the same path, when one does not exist). */
    private static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // Fall back to the paths.
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
