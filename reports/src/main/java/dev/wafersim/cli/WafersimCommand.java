package dev.wafersim.cli;

import dev.wafersim.cli.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root {@code wafersim} command; the work is done by its subcommands. Without one it is a usage error. */
@Command(name = "wafersim",
        mixinStandardHelpOptions = true,
        versionProvider = WafersimCommand.Version.class,
        description = {
            "Cycle-level simulator of the Cerebras WSE-3 wafer fabric and an HBM GPU-cluster baseline,",
            "for transformer decode (token generation) latency.",
            "",
            "Exit codes: 0 ok, 1 gate/validation failed, 2 bad input (also: no command given), 3 simulation failed,",
            "4 internal error.",
            "",
            AtomicFiles.HELP},
        subcommands = {RunCommand.class, CompareCommand.class, ServeCommand.class, SweepCommand.class, GateCommand.class,
            ValidateCommand.class, ListCommand.class, DescribeCommand.class, ChartCommand.class, CollectiveCommand.class,
            BenchCommand.class, ExplainCommand.class, SpeculateCommand.class})
public final class WafersimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** No command given: a usage error (exit 2), the usage on standard error. */
    @Override
    public Integer call() {
        java.io.PrintWriter err = spec.commandLine().getErr();
        err.println("wafersim: no command given; expected one of " + String.join(", ",
                spec.commandLine().getSubcommands().keySet()) + " (wafersim --help lists them)");
        spec.commandLine().usage(err);
        err.flush();
        return Main.EXIT_BAD_INPUT;
    }

    /** Reads the version Maven wrote into the jar. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"wafersim " + version(), "Java " + System.getProperty("java.version")};
        }
    }

    /** The wafersim version, from the build. */
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = WafersimCommand.class.getResourceAsStream("/wafersim-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
