package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RootCommandTest {

    @Test
    void version_printsWafersimVersion() {
        CliRunner r = CliRunner.run("--version");
        assertEquals(0, r.exitCode);
        assertTrue(r.out.startsWith("wafersim "), r.out);
        assertFalse(r.out.contains("${"), "version was not filtered by Maven: " + r.out);
    }

    @Test
    void help_listsSubcommands() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(0, r.exitCode);
        assertTrue(r.out.contains("bench"), r.out);
    }

    @Test
    void unknownOption_exitCode2_oneLineNoStackTrace() {
        CliRunner r = CliRunner.run("bench", "engine", "--lsp", "3");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("Unknown option") && r.err.contains("'--lsp'"), r.err);
        assertFalse(r.err.contains("at dev.wafersim"), r.err);
    }
}
