package dev.wafersim.cli;

import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.TimeToFirstToken;
import dev.wafersim.workloads.wafer.WaferStepModel;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wafersim bench prefill}: wall time and peak heap of a long prefill on the wafer's step model. */
@Command(name = "prefill", mixinStandardHelpOptions = true,
        description = {
            "Time the simulation of a prompt's prefill on a wafer and measure its peak heap.",
            "",
            "Builds the system's step model for one request of P + 1 positions and prefills P tokens in chunks",
            "of mapping.prefillChunkTokens (the time to first token of 'run --prompt-tokens P'), every layer",
            "region's micro-passes from fabric episodes. Prints 'prefill-seconds: N' last (the wall time)."})
public final class BenchPrefillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "Wafer system (default: ${DEFAULT-VALUE}).")
    String system = "wse3";

    @Option(names = "--model", paramLabel = "M", description = "Model preset (default: ${DEFAULT-VALUE}).")
    String model = "llama-3.1-8b";

    @Option(names = "--prompt-tokens", paramLabel = "P", description = "Prompt tokens (default: ${DEFAULT-VALUE}).")
    long prompt = 32768;

    @Option(names = "--wafers", paramLabel = "W", description = "Wafers (default: the fewest that hold the model).")
    int wafers = WaferOptions.AUTO;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Override
    public Integer call() {
        SystemCatalog.Entry e = SystemCatalog.get(system);
        if (e.kind() != SystemKind.WAFER) {
            throw new ConfigException("--system=" + system + " is not allowed; bench prefill times the wafer simulator"
                    + " (wse2 or wse3)");
        }
        ModelSpec m = ModelCatalog.get(model);
        if (prompt < 1 || (m.maxPositions() > 0 && prompt + 1 > m.maxPositions())) {
            throw new ConfigException("--prompt-tokens=" + prompt + " is not allowed; expected an integer in [1, "
                    + (m.maxPositions() > 0 ? m.maxPositions() - 1 : Long.MAX_VALUE - 1) + "] (" + m.name()
                    + "'s positions, less its first output token)");
        }
        if (wafers < 0) {
            throw new ConfigException("--wafers=" + wafers + " is not allowed; expected an integer >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "prefill benchmark: %s on %s, %d-token prompt%n", m.name(), system, prompt);
        out.flush();
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        long t0 = System.nanoTime();
        StepModel model = e.stepModel(new StepModelRequest(system, e.load(), m, Precision.DEFAULT,
                ExpertRouting.UNIFORM_EXPECTED, new WaferOptions(wafers, false), 1, prompt + 1));
        WaferStepModel wafer = (WaferStepModel) model;
        TimeToFirstToken ttft = TimeToFirstToken.of(model, prompt, wafer.prefillChunkTokens());
        long wall = System.nanoTime() - t0;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        out.println(model.machine());
        out.printf(Locale.ROOT, "prefill of %d tokens in %d chunks of %d: simulated TTFT %.3f ms; %d fabric episodes;"
                        + " wall %.2f s, peak heap %.2f GiB%n", prompt, ttft.passes(), ttft.chunkTokens(),
                ttft.latencyPs() / 1e9, wafer.simulatedEpisodes(), wall / 1e9, peak / (double) (1L << 30));
        if (json != null) {
            Json.write(json, new BenchPrefillFile(WafersimCommand.version(), system, m.name(), prompt, ttft.chunkTokens(),
                    wafer.prefillPassTokens(), ttft.passes(), ttft.latencyPs() / 1e9, wafer.simulatedEpisodes(),
                    wall / 1e9, peak));
        }
        out.printf(Locale.ROOT, "prefill-seconds: %.2f%n", wall / 1e9);
        out.flush();
        return Main.EXIT_OK;
    }

    /** The JSON of a prefill benchmark. */
    record BenchPrefillFile(String wafersimVersion, String system, String model, long promptTokens,
                            int prefillChunkTokens, int prefillPassTokens, int prefillPasses, double ttftMs,
                            long fabricEpisodes, double wallSeconds, long peakHeapBytes) {
    }
}
