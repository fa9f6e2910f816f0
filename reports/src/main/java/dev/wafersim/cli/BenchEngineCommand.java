package dev.wafersim.cli;

import dev.wafersim.cli.io.Json;
import dev.wafersim.core.bench.Phold;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.time.Ticks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wafersim bench engine}: PHOLD on the event engine, in events per second on one core. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {
            "Run PHOLD, the standard discrete-event benchmark, on one thread.",
            "",
            "N logical processes with M events each in flight; handling an event schedules one new event for a",
            "uniformly random process at now + lookahead + an exponential delay. Prints 'events/s: N' last."})
public final class BenchEngineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--lps", paramLabel = "N", description = "Logical processes (default: ${DEFAULT-VALUE}).")
    int lps = 1024;

    @Option(names = "--population", paramLabel = "M",
            description = "Events in flight per logical process (default: ${DEFAULT-VALUE}).")
    int population = 16;

    @Option(names = "--events", paramLabel = "E",
            description = "Events measured after the warm-up (default: ${DEFAULT-VALUE}).")
    long events = 50_000_000L;

    @Option(names = "--warmup", paramLabel = "W",
            description = "Events handled before measuring, to let the JIT compile (default: ${DEFAULT-VALUE}).")
    long warmup = 5_000_000L;

    @Option(names = "--lookahead-ns", paramLabel = "NS",
            description = "Fixed part of each delay in ns (default: ${DEFAULT-VALUE}).")
    double lookaheadNs = 1.0;

    @Option(names = "--mean-delay-ns", paramLabel = "NS",
            description = "Mean of the exponential part of each delay in ns (default: ${DEFAULT-VALUE}).")
    double meanDelayNs = 10.0;

    @Option(names = "--queue", paramLabel = "KIND",
            description = "Event queue: heap (4-ary heap) or wheel (timing wheel + overflow heap) (default: ${DEFAULT-VALUE}).")
    String queue = "wheel";

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write a JSON summary to FILE.")
    Path json;

    @Override
    public Integer call() {
        if (lps < 1) {
            throw new ConfigException("--lps=" + lps + " is not allowed; expected an integer >= 1");
        }
        if (population < 1) {
            throw new ConfigException("--population=" + population + " is not allowed; expected an integer >= 1");
        }
        if ((long) lps * population > 100_000_000L) {
            throw new ConfigException("--lps x --population = " + (long) lps * population
                    + " is not allowed; expected at most 100,000,000 events in flight");
        }
        if (events < 1) {
            throw new ConfigException("--events=" + events + " is not allowed; expected an integer >= 1");
        }
        if (warmup < 0) {
            throw new ConfigException("--warmup=" + warmup + " is not allowed; expected an integer >= 0");
        }
        if (!(lookaheadNs >= 0) || !(meanDelayNs >= 0) || Double.isInfinite(lookaheadNs) || Double.isInfinite(meanDelayNs)) {
            throw new ConfigException("--lookahead-ns and --mean-delay-ns must be finite numbers >= 0 (got "
                    + lookaheadNs + ", " + meanDelayNs + ")");
        }
        if (!queue.equals("heap") && !queue.equals("wheel")) {
            throw new ConfigException("--queue=" + queue + " is not allowed; expected heap or wheel");
        }
        PrintWriter out = spec.commandLine().getOut();
        Phold.Params p = new Phold.Params(lps, population, Ticks.fromNanos(lookaheadNs),
                meanDelayNs * Ticks.PS_PER_NS, seed);
        Phold phold = new Phold(p, Phold.queueFor(queue, p));
        out.printf(Locale.ROOT, "PHOLD: %d LPs x %d events in flight, lookahead %.3f ns, mean exponential delay %.3f ns,"
                + " queue %s, seed %d%n", lps, population, lookaheadNs, meanDelayNs, queue, seed);
        out.flush();
        long w0 = System.nanoTime();
        phold.run(warmup);
        long w1 = System.nanoTime();
        long simStart = phold.engine().now();
        phold.run(events);
        long w2 = System.nanoTime();
        double seconds = (w2 - w1) / 1e9;
        double rate = events / seconds;
        long simPs = phold.engine().now() - simStart;
        out.printf(Locale.ROOT, "warm-up: %,d events in %.3f s%n", warmup, (w1 - w0) / 1e9);
        out.printf(Locale.ROOT, "measured: %,d events in %.3f s wall, %.3f us simulated%n", events, seconds,
                Ticks.toMicros(simPs));
        out.printf(Locale.ROOT, "digest: %016x%n", phold.digest());
        if (json != null) {
            Json.write(json, new BenchEngineFile("phold", WafersimCommand.version(), lps, population, lookaheadNs,
                    meanDelayNs, queue, seed, warmup, events, seconds, rate, simPs,
                    String.format(Locale.ROOT, "%016x", phold.digest()), System.getProperty("java.version")));
        }
        out.printf(Locale.ROOT, "events/s: %d%n", Math.round(rate));
        out.flush();
        return Main.EXIT_OK;
    }

    /** The JSON of the engine benchmark. */
    record BenchEngineFile(String benchmark, String wafersimVersion, int lps, int population, double lookaheadNs,
                           double meanDelayNs, String queue, long seed, long warmupEvents, long events,
                           double wallSeconds, double eventsPerSecond, long simulatedPs, String digest,
                           String javaVersion) {
    }
}
