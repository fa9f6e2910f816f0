package dev.wafersim.cli;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.SimulationStalledException;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Entry point of the {@code wafersim} command. Exit codes: 0 success, 1 a gate or validation band
 * failed, 2 bad input (one line naming the key, the value and what is allowed; no stack trace),
 * 3 the simulation itself failed (watchdog: stall, deadlock or budget), 4 an internal error.
 */
public final class Main {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** A regression gate or validation band failed. */
    public static final int EXIT_GATE_FAILED = 1;
    /** Bad input: configuration, model file, option or trace. */
    public static final int EXIT_BAD_INPUT = 2;
    /** The simulation failed: deadlock, stall or budget exceeded. */
    public static final int EXIT_SIM_FAILED = 3;
    /** A bug in wafersim. */
    public static final int EXIT_INTERNAL = 4;

    private Main() {
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (used by tests, which must not exit). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    /** A configured picocli command line for the root command. */
    public static CommandLine newCommandLine() {
        return configure(new CommandLine(new WafersimCommand()));
    }

    /** Installs the exit-code handlers on {@code cl} (the root command line, or a subcommand's in tests). */
    /** Columns of --help output. */
    static final int USAGE_HELP_WIDTH = 110;

    static CommandLine configure(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Descriptions are written as lines of up to about 105 characters; a narrower help width would
        // wrap each of them into a long and a short line.
        cl.setUsageHelpWidth(USAGE_HELP_WIDTH);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            String suggestion = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
                // The project's one suggester (core.config.EditDistance), not picocli's own.
                CommandLine.Model.CommandSpec spec = u.getCommandLine().getCommandSpec();
                String first = u.getUnmatched().get(0);
                java.util.List<String> names = new java.util.ArrayList<>(first.startsWith("-")
                        ? spec.optionsMap().keySet() : spec.subcommands().keySet());
                suggestion = dev.wafersim.core.config.EditDistance.didYouMean(first.split("=", 2)[0], names);
            }
            err.println("wafersim: " + ex.getMessage() + suggestion);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof ConfigException) {
                err.println("wafersim: " + ex.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                // Every reader and writer maps its own failures to a ConfigException naming the option; this
                // is the net under them: one line, exit 2, no stack trace.
                Throwable io = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
                err.println("wafersim: input/output error: " + io.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof SimulationStalledException) {
                err.println("wafersim: simulation failed: " + ex.getMessage());
                return EXIT_SIM_FAILED;
            }
            err.println("wafersim: internal error (please report): " + ex);
            ex.printStackTrace(err);
            return EXIT_INTERNAL;
        });
        return cl;
    }
}
