package dev.wafersim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.serving.ArrivalProcess;
import dev.wafersim.workloads.serving.LengthDistribution;
import dev.wafersim.workloads.serving.RequestTrace;
import dev.wafersim.workloads.serving.ServingParams;
import dev.wafersim.workloads.serving.ServingReplay;
import dev.wafersim.workloads.serving.ServingResult;
import dev.wafersim.workloads.serving.StepTimes;
import dev.wafersim.workloads.serving.SyntheticWorkload;
import dev.wafersim.workloads.step.StepModel;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim bench serve}: the wall time and peak heap of a serving replay (building the step model,
 * filling the step table and replaying), repeated; prints each run and the medians, and
 * {@code serve-requests-per-second: N} (requests replayed per wall second, median) last.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Time a serving replay of generated requests, from building the step model to the last request.",
            "",
            "Each run starts from an empty step table. Prints every run (wall s, requests/s simulated, peak",
            "heap, passes, passes simulated) and the medians, then one more replay with the last run's step table (the",
            "engine's own cost); 'serve-requests-per-second: N' last."})
public final class BenchServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "System (default: ${DEFAULT-VALUE}).")
    String system = "h100-sxm";

    @Option(names = "--gpus", paramLabel = "G", description = "GPUs of a GPU system (default: ${DEFAULT-VALUE}).")
    String gpus = "8";

    @Option(names = "--model", paramLabel = "M", description = "Model preset (default: ${DEFAULT-VALUE}).")
    String model = "llama-3.1-8b";

    @Option(names = "--requests", paramLabel = "N", description = "Requests (default: ${DEFAULT-VALUE}).")
    int requests = 1000;

    @Option(names = "--rate", paramLabel = "R", description = "Poisson arrivals, requests/s (default: ${DEFAULT-VALUE}).")
    double rate = 4;

    @Option(names = "--prompt-tokens", paramLabel = "DIST", description = "Prompt lengths (default: ${DEFAULT-VALUE}).")
    String promptTokens = ServeCommand.DEFAULT_PROMPT;

    @Option(names = "--output-tokens", paramLabel = "DIST", description = "Output lengths (default: ${DEFAULT-VALUE}).")
    String outputTokens = ServeCommand.DEFAULT_OUTPUT;

    @Option(names = "--seed", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--exact", description = "Simulate every pass (no step table).")
    boolean exact;

    @Option(names = "--repeat", paramLabel = "K", description = "Runs; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat = 3;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a parameter; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    /** The figures of one run: wall s, requests per wall s, peak heap bytes, passes, passes simulated. */
    record Run(double wallSeconds, double requestsPerSecond, long peakHeapBytes, long passes, long simulatedPasses) {
    }

    /** What {@code --json} writes. */
    record Figures(String wafersimVersion, String system, String gpus, String model, int requests, double rate,
                   String promptTokens, String outputTokens, boolean exact, List<Run> runs, double medianWallSeconds,
                   double medianRequestsPerSecond, long medianPeakHeapBytes, double filledTableWallSeconds) {
    }

    /** The step times of the last run, filled: the engine's own cost shows when they are reused. */
    private StepTimes lastTimes;

    @Override
    public Integer call() {
        if (repeat < 1 || repeat > 100) {
            throw new ConfigException("--repeat=" + repeat + " is not allowed; expected an integer in [1, 100]");
        }
        ExperimentSpec s = ExperimentSpec.defaults().with(ExperimentKey.SYSTEM, system, "", "--system")
                .with(ExperimentKey.MODEL, model, "", "--model");
        for (String entry : sets) {
            Experiments.KeyValue kv = Experiments.KeyValue.parse(entry, "--set");
            s = s.assign(kv.key(), kv.value(), "--set");
        }
        boolean gpu = dev.wafersim.workloads.run.SystemCatalog.kind(system) == dev.wafersim.workloads.run.SystemKind.GPU;
        if (gpu) {
            s = s.with(ExperimentKey.GPUS, gpus, "", "--gpus");
        }
        Experiment e = s.resolve(true);
        ServingParams params = ServingParams.from(e.params());
        RequestTrace trace = new SyntheticWorkload(requests, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse(promptTokens, "--prompt-tokens"),
                LengthDistribution.parse(outputTokens, "--output-tokens"), seed).trace(rate);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "serve benchmark: %s on %s%s, %s%s%n", e.model().name(), system, gpu ? " x " + gpus : "",
                trace.description(), exact ? ", every pass simulated" : ", step table");
        out.flush();
        List<Run> runs = new ArrayList<>();
        for (int k = 0; k < repeat; k++) {
            runs.add(measure(e, params, trace));
            Run r = runs.get(k);
            out.printf(Locale.ROOT, "run %d: wall %.2f s, %.1f requests/s simulated, peak heap %.2f GiB, %,d passes,"
                            + " %,d simulated%n", k + 1, r.wallSeconds(), r.requestsPerSecond(),
                    r.peakHeapBytes() / (double) (1L << 30), r.passes(), r.simulatedPasses());
            out.flush();
        }
        double wall = median(runs.stream().mapToDouble(Run::wallSeconds).toArray());
        double rps = median(runs.stream().mapToDouble(Run::requestsPerSecond).toArray());
        long heap = (long) median(runs.stream().mapToDouble(Run::peakHeapBytes).toArray());
        out.printf(Locale.ROOT, "median of %d: wall %.2f s, peak heap %.2f GiB%n", repeat, wall, heap / (double) (1L << 30));
        long t0 = System.nanoTime();
        ServingResult again = ServingReplay.run(trace, lastTimes, params);
        double engine = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "engine alone (the last run's step times reused%s): wall %.2f s for %,d passes%n",
                exact ? ", every pass simulated again" : ", no pass simulated", engine, again.passes());
        if (json != null) {
            Figures f = new Figures(WafersimCommand.version(), system, gpu ? gpus : null, e.model().name(), requests, rate,
                    promptTokens, outputTokens, exact, runs, wall, rps, heap, engine);
            try {
                AtomicFiles.writeString(json, Json.mapper().writeValueAsString(f) + "\n");
            } catch (JsonProcessingException x) {
                throw new IllegalStateException(x);
            }
        }
        out.printf(Locale.ROOT, "serve-requests-per-second: %.1f%n", rps);
        out.flush();
        return Main.EXIT_OK;
    }

    private Run measure(Experiment e, ServingParams params, RequestTrace trace) {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        long t0 = System.nanoTime();
        StepModel model = e.entry().stepModel(ServeCommand.stepModelRequest(e, params, trace));
        StepTimes times = ServingReplay.stepTimes(model, params, exact);
        ServingResult r = ServingReplay.run(trace, times, params);
        lastTimes = times;
        double wall = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return new Run(wall, trace.size() / wall, peak, r.passes(), r.simulatedPasses());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
