package dev.wafersim.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wafersim bench}: speed benchmarks of the simulator itself. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the simulator's own speed. Each benchmark prints its headline figure last."},
        subcommands = {BenchEngineCommand.class, BenchFabricCommand.class, BenchDecodeCommand.class,
            BenchServeCommand.class, BenchPrefillCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
