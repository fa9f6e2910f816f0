package dev.wafersim.cli;

import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.WaferOptions;
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

/** {@code wafersim bench decode}: wall time and peak heap of wafer decode simulation. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {
            "Time the wafer decode simulation and measure its peak heap.",
            "",
            "A model's decode (default mode, identical layers reused), one token in exact mode (every layer",
            "simulated) and one step of a large batch (default mode), each with its peak heap. Prints",
            "'decode-seconds: N' last (the default-mode run's wall time)."})
public final class BenchDecodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "Wafer system (default: ${DEFAULT-VALUE}).")
    String system = "wse3";

    @Option(names = "--model", paramLabel = "M", description = "Model preset (default: ${DEFAULT-VALUE}).")
    String model = "llama-3.1-8b";

    @Option(names = "--context", paramLabel = "L", description = "Context tokens (default: ${DEFAULT-VALUE}).")
    long context = 4096;

    @Option(names = "--tokens", paramLabel = "N", description = "Tokens generated in default mode (default: ${DEFAULT-VALUE}).")
    int tokens = 128;

    @Option(names = "--no-exact", negatable = true, description = "Skip the exact-mode token.")
    boolean exact = true;

    @Option(names = "--large-batch", paramLabel = "B",
            description = "Batch of the one-step large-batch run (default: ${DEFAULT-VALUE}; 0 skips it).")
    int largeBatch = 64;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Override
    public Integer call() {
        SystemCatalog.Entry e = SystemCatalog.get(system);
        if (e.kind() != dev.wafersim.workloads.run.SystemKind.WAFER) {
            throw new ConfigException("--system=" + system + " is not allowed; bench decode times the wafer simulator"
                    + " (wse2 or wse3)");
        }
        ModelSpec m = ModelCatalog.get(model);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "decode benchmark: %s on %s, context %d%n", m.name(), system, context);
        out.flush();
        if (largeBatch < 0) {
            throw new ConfigException("--large-batch=" + largeBatch + " is not allowed; expected 0 (skip) or a batch"
                    + " size >= 1");
        }
        long[] d = measure(e, m, 1, tokens, false);
        out.printf(Locale.ROOT, "default mode, %d tokens: wall %.2f s, peak heap %.2f GiB, %.4f ms/token%n", tokens,
                d[0] / 1e9, d[1] / (double) (1L << 30), d[2] / 1e6);
        long[] x = null;
        if (exact) {
            out.flush();
            x = measure(e, m, 1, 1, true);
            out.printf(Locale.ROOT, "exact mode, 1 token: wall %.2f s, peak heap %.2f GiB, %.4f ms/token%n",
                    x[0] / 1e9, x[1] / (double) (1L << 30), x[2] / 1e6);
        }
        long[] lb = null;
        if (largeBatch > 0) {
            out.flush();
            lb = measure(e, m, largeBatch, 1, false);
            out.printf(Locale.ROOT, "batch %d, 1 step: wall %.2f s, peak heap %.2f GiB, %.4f ms/token%n", largeBatch,
                    lb[0] / 1e9, lb[1] / (double) (1L << 30), lb[2] / 1e6);
        }
        if (json != null) {
            Json.write(json, new BenchDecodeFile(WafersimCommand.version(), system, m.name(), context, tokens, d[0] / 1e9,
                    d[1], d[2] / 1e6, x == null ? null : x[0] / 1e9, x == null ? null : x[1], x == null ? null : x[2] / 1e6,
                    lb == null ? null : largeBatch, lb == null ? null : lb[0] / 1e9, lb == null ? null : lb[1],
                    lb == null ? null : lb[2] / 1e6));
        }
        out.printf(Locale.ROOT, "decode-seconds: %.2f%n", d[0] / 1e9);
        out.flush();
        return Main.EXIT_OK;
    }

    /** Wall ns, peak heap bytes and mean per-token latency (ns) of one simulation. */
    private long[] measure(SystemCatalog.Entry e, ModelSpec m, int batch, int n, boolean exactMode) {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        long t0 = System.nanoTime();
        DecodeResult r = e.simulate(new DecodeRequest(system, e.load(), m, DecodeWorkload.of(batch, context, n),
                new WaferOptions(0, exactMode)));
        long wall = System.nanoTime() - t0;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return new long[] {wall, peak, Math.round(r.meanMs() * 1e6)};
    }

    /** The JSON of a decode benchmark; the exact-mode and large-batch figures are absent when not run. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record BenchDecodeFile(String wafersimVersion, String system, String model, long context, int tokens,
                           double defaultWallSeconds, long defaultPeakHeapBytes, double defaultPerTokenMs,
                           Double exactOneTokenWallSeconds, Long exactPeakHeapBytes, Double exactPerTokenMs,
                           Integer largeBatch, Double largeBatchWallSeconds, Long largeBatchPeakHeapBytes,
                           Double largeBatchPerTokenMs) {
    }
}
