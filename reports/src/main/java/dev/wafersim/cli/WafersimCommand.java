package dev.wafersim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root {@code wafersim} command; the work is done by its subcommands. */
@Command(name = "wafersim",
        mixinStandardHelpOptions = true,
        versionProvider = WafersimCommand.Version.class,
        description = {
            "Cycle-level simulator of the Cerebras WSE-3 wafer fabric and an HBM GPU-cluster baseline,",
            "for transformer decode (token generation) latency.",
            "",
            "Exit codes: 0 ok, 1 gate/validation failed, 2 bad input, 3 simulation failed, 4 internal error."},
        subcommands = {RunCommand.class, CompareCommand.class, ServeCommand.class, SweepCommand.class, GateCommand.class,
            ValidateCommand.class, ListCommand.class, DescribeCommand.class, ChartCommand.class, CollectiveCommand.class,
            BenchCommand.class})
public final class WafersimCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
