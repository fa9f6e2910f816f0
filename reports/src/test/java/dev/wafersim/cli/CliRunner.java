package dev.wafersim.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the wafersim command line in-process and captures its exit code and output. */
final class CliRunner {
    final int exitCode;
    final String out;
    final String err;

    private CliRunner(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    static CliRunner run(String... args) {
        return execute(Main.newCommandLine(), args);
    }

    /** Runs {@code command} (a subcommand built by the test) with the exit-code handlers of the root. */
    static CliRunner runCommand(Object command, String... args) {
        return execute(Main.configure(new CommandLine(command)), args);
    }

    private static CliRunner execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRunner(code, out.toString(), err.toString());
    }

    /** The last non-empty line of standard output. */
    String lastLine() {
        String[] lines = out.strip().split("\\R");
        return lines[lines.length - 1];
    }
}
