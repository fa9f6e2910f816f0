package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.validate.ValidationSource;
import dev.wafersim.cli.validate.ValidationSources;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help text: complete summaries, no picocli warnings, exit codes and sources listed, usage errors exit 2. */
class HelpTextTest {
    /** Every command line of the tree, root first. */
    private static List<CommandLine> all(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            out.addAll(all(sub));
        }
        return out;
    }

    private static String usage(CommandLine cl) {
        StringWriter sw = new StringWriter();
        cl.usage(new PrintWriter(sw));
        return sw.toString();
    }

    @Test
    void noCommand_exit2WithUsageOnStandardError() {
        CliRunner r = CliRunner.run();
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertEquals("", r.out);
        assertTrue(r.err.startsWith("wafersim: no command given; expected one of run, compare, serve, sweep"), r.err);
        assertTrue(r.err.contains("Usage: wafersim"), r.err);
    }

    @Test
    void commandLists_everySummaryIsOneCompleteSentenceOnOneLine() {
        for (CommandLine cl : all(Main.newCommandLine())) {
            for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
                String first = sub.getValue().getCommandSpec().usageMessage().description()[0];
                assertTrue(first.endsWith("."), sub.getKey() + ": summary is not a sentence: " + first);
                // "  name" padded to the longest name, two spaces, then the summary: within the help width.
                assertTrue(first.length() + 16 <= Main.USAGE_HELP_WIDTH, sub.getKey() + ": summary wraps: " + first);
            }
            String help = usage(cl);
            int commands = help.indexOf("Commands:");
            if (commands >= 0) {
                for (String line : help.substring(commands + "Commands:".length()).strip().split("\\R")) {
                    assertTrue(line.matches("\\s*\\S+\\s+\\S.*\\.\\s*"), "a cut or wrapped summary line: '" + line + "'");
                }
            }
        }
    }

    @Test
    void everyHelp_noPicocliWarning() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine cl : all(Main.newCommandLine())) {
                usage(cl);
            }
        } finally {
            System.setErr(saved);
        }
        String s = captured.toString(StandardCharsets.UTF_8);
        assertFalse(s.contains("picocli WARN"), s);
    }

    @Test
    void validateHelp_namesEverySource() {
        String help = usage(Main.newCommandLine().getSubcommands().get("validate"));
        for (ValidationSource s : ValidationSources.all()) {
            assertTrue(help.contains(s.name()), "validate --help does not list source " + s.name());
        }
    }

    @Test
    void commandsThatWriteFiles_helpListsExitCode4AndTheOutputRule() {
        Map<String, CommandLine> subs = Main.newCommandLine().getSubcommands();
        for (String name : List.of("run", "compare", "sweep", "gate", "validate", "chart")) {
            String help = usage(subs.get(name)).replaceAll("\\s+", " ");
            assertTrue(help.contains("4 internal error"), name + " --help omits exit code 4");
        }
        String root = usage(Main.newCommandLine()).replaceAll("\\s+", " ");
        assertTrue(root.contains(AtomicFiles.HELP.replaceAll("\\s+", " ")), "the root help says how outputs are written");
    }
}
