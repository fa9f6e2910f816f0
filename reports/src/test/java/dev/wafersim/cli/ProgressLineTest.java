package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The status line of long runs: drawn in place on a terminal, silent otherwise, cleared at the end. */
class ProgressLineTest {
    @Test
    void enabled_drawsInPlaceAndClearsItself() {
        StringWriter sw = new StringWriter();
        ProgressLine p = new ProgressLine(new PrintWriter(sw), "simulating wse3", true);
        p.update(1, 4, "token 1/4");
        p.done();
        String s = sw.toString();
        assertTrue(s.startsWith("\rsimulating wse3: 1/4 (25%), token 1/4, elapsed 0:0"), s);
        // The clearing write blanks the whole line and returns to its start.
        int width = s.indexOf('\r', 1) - 1;
        assertTrue(s.endsWith("\r" + " ".repeat(width) + "\r"), s);
    }

    @Test
    void disabled_printsNothing() {
        StringWriter sw = new StringWriter();
        ProgressLine p = new ProgressLine(new PrintWriter(sw), "simulating wse3", false);
        p.update(1, 4, "token 1/4");
        p.done();
        assertEquals("", sw.toString());
    }
}
