package dev.wafersim.cli;

import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.Collectives;
import dev.wafersim.fabric.wafer.collective.Line;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wafersim bench fabric}: the fabric simulator's speed and memory. */
@Command(name = "fabric", mixinStandardHelpOptions = true,
        description = {
            "Time the fabric simulator on 2D collectives and a full-wafer broadcast.",
            "",
            "On an N x N region: a 2D broadcast of B wavelets, then a 2D reduce of B wavelets (timing mode).",
            "Then a flooding broadcast along every row of the full wafer, with the peak heap.",
            "Streams that flow undisturbed are fast-forwarded (accounted in one piece, with the same results);",
            "--no-fast-forward times the visit-by-visit simulation instead.",
            "Prints 'wavelet-hops/s: N' last (router-to-router hops over simulation time, both 2D runs)."})
public final class BenchFabricCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", paramLabel = "N", description = "Side of the square region (default: ${DEFAULT-VALUE}).")
    int size = 512;

    @Option(names = "--wavelets", paramLabel = "B", description = "Wavelets per PE (default: ${DEFAULT-VALUE}).")
    int wavelets = 256;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "wse2 or wse3 (default: ${DEFAULT-VALUE}).")
    String system = "wse3";

    @Option(names = "--no-full-grid", negatable = true, description = "Skip the full-wafer row broadcast.")
    boolean fullGrid = true;

    @Option(names = "--no-fast-forward", negatable = true,
            description = "Simulate every stream visit by visit (no stream fast-forward).")
    boolean fastForward = true;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    /** Wall seconds of building and simulating, the same in CPU seconds of the one simulating thread. */
    private record Phase(String name, double setupSeconds, double runSeconds, double setupCpuSeconds,
                         double runCpuSeconds, long hops, long cycles, long fastForwardedHops) {
    }

    @Override
    public Integer call() {
        if (size < 2 || wavelets < 1) {
            throw new ConfigException("--size must be >= 2 and --wavelets >= 1 (got " + size + ", " + wavelets + ")");
        }
        WseParams p = WsePresets.params(system.toLowerCase(Locale.ROOT));
        if (size > p.gridWidthPes() || size > p.gridHeightPes()) {
            throw new ConfigException("--size=" + size + " does not fit the " + p.gridWidthPes() + " x "
                    + p.gridHeightPes() + " grid of " + system);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "fabric benchmark on %s: %d x %d PEs, B = %d fp32 wavelets, timing mode%n", system,
                size, size, wavelets);
        out.flush();
        // Warm-up: a small run so the JIT has compiled the hot paths before timing.
        phase(p, Math.min(size, 64), wavelets, true, fastForward);
        phase(p, Math.min(size, 64), wavelets, false, fastForward);
        Phase b = phase(p, size, wavelets, true, fastForward);
        Phase r = phase(p, size, wavelets, false, fastForward);
        for (Phase ph : new Phase[] {b, r}) {
            out.printf(Locale.ROOT, "%-13s build %.2f s (%.2f s CPU), simulate %.2f s (%.2f s CPU), %,d cycles,"
                            + " %,d wavelet-hops (%.1f%% fast-forwarded), %.1f M hops/s%n", ph.name, ph.setupSeconds,
                    ph.setupCpuSeconds, ph.runSeconds, ph.runCpuSeconds, ph.cycles, ph.hops,
                    100.0 * ph.fastForwardedHops / Math.max(1, ph.hops), ph.hops / ph.runSeconds / 1e6);
        }
        long hops = b.hops + r.hops;
        double simSeconds = b.runSeconds + r.runSeconds;
        double simCpuSeconds = b.runCpuSeconds + r.runCpuSeconds;
        double allSeconds = simSeconds + b.setupSeconds + r.setupSeconds;
        out.printf(Locale.ROOT, "both: %,d wavelet-hops in %.2f s simulating (%.2f s with building); %.2f s CPU"
                + " simulating, %.1f M hops per CPU second%n", hops, simSeconds, allSeconds, simCpuSeconds,
                hops / simCpuSeconds / 1e6);
        long[] full = null;
        if (fullGrid) {
            full = fullGridRowBroadcast(p, wavelets, fastForward);
            out.printf(Locale.ROOT, "full %s grid row broadcast (%d x %d PEs, every row from its west end, B = %d):"
                            + " wall %.2f s, peak heap %.2f GiB, %,d wavelet-hops%n", system, p.gridWidthPes(),
                    p.gridHeightPes(), wavelets, full[0] / 1e9, full[1] / (double) (1L << 30), full[2]);
        }
        double rate = hops / simSeconds;
        if (json != null) {
            Json.write(json, new BenchFabricFile(WafersimCommand.version(), system, size, wavelets, fastForward,
                    b.fastForwardedHops + r.fastForwardedHops, b.runSeconds,
                    r.runSeconds, b.setupSeconds + r.setupSeconds, b.setupCpuSeconds + r.setupCpuSeconds, simCpuSeconds,
                    hops / simCpuSeconds, hops, rate, hops / allSeconds,
                    full == null ? null : full[0] / 1e9, full == null ? null : full[1], full == null ? null : full[2]));
        }
        out.printf(Locale.ROOT, "wavelet-hops/s: %d%n", Math.round(rate));
        out.flush();
        return Main.EXIT_OK;
    }

    private static Phase phase(WseParams p, int n, int b, boolean broadcast, boolean fastForward) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        WseParams region = p.withGrid(n, n);
        Fabric f = new Fabric(region, Fabric.Options.TIMING);
        f.setFastForward(fastForward);
        CodeMap code = new CodeMap(broadcast ? "broadcast-2d" : "reduce-2d", p.sram());
        int addr = code.buffer("vector", b * 4L);
        if (broadcast) {
            Collectives.broadcast2d(new RouteBook(f), code, 0, 0, n, n, 0, addr, b, DType.FP32);
        } else {
            Collectives.reduce2d(new RouteBook(f), code, 0, 0, n, n, new int[] {0, 1, 2, 3}, addr, b, DType.FP32);
        }
        code.install(f);
        f.prepare();
        long t1 = System.nanoTime();
        long c1 = threads.getCurrentThreadCpuTime();
        f.run(Long.MAX_VALUE);
        long t2 = System.nanoTime();
        long c2 = threads.getCurrentThreadCpuTime();
        return new Phase(broadcast ? "broadcast-2d" : "reduce-2d", (t1 - t0) / 1e9, (t2 - t1) / 1e9, (c1 - c0) / 1e9,
                (c2 - c1) / 1e9, f.waveletHops(), f.lastWriteEndCycle() - f.firstInjectionCycle(),
                f.fastForwardedHops());
    }

    /** Wall nanoseconds, peak heap bytes and hops of a row broadcast on every row of the full grid. */
    private static long[] fullGridRowBroadcast(WseParams p, int b, boolean fastForward) {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        long t0 = System.nanoTime();
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        f.setFastForward(fastForward);
        CodeMap code = new CodeMap("row-broadcast", p.sram());
        RouteBook routes = new RouteBook(f);
        int addr = code.buffer("vector", b * 4L);
        for (int y = 0; y < p.gridHeightPes(); y++) {
            Collectives.broadcast(routes, code, Line.row(0, y, p.gridWidthPes()), 0, addr, b, DType.FP32);
        }
        code.install(f);
        f.run(Long.MAX_VALUE);
        long wall = System.nanoTime() - t0;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return new long[] {wall, peak, f.waveletHops()};
    }

    /** The JSON of the fabric benchmark; the full-grid figures are absent when that part was not run. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record BenchFabricFile(String wafersimVersion, String system, int size, int wavelets, boolean fastForward,
                           long fastForwardedWaveletHops, double broadcast2dSimulateSeconds,
                           double reduce2dSimulateSeconds, double buildSeconds, double buildCpuSeconds, double simulateCpuSeconds, double waveletHopsPerCpuSecond,
                           long waveletHops, double waveletHopsPerSecond, double waveletHopsPerSecondWithBuild,
                           Double fullGridWallSeconds, Long fullGridPeakHeapBytes, Long fullGridWaveletHops) {
    }
}
