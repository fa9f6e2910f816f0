package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The one progress display: a bar with an ETA on a terminal, a periodic line elsewhere, nothing when quiet. */
class ProgressMeterTest {
    private static final long S = 1_000_000_000L;

    @Test
    void terminal_drawsInPlaceWithEtaAndClearsItself() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressMeter p = new ProgressMeter(new PrintWriter(sw), "run wse3", "steps", ProgressMeter.Mode.TERMINAL,
                30 * S, now::get);
        now.set(10 * S);
        p.update(1, 4, "token 1/4");
        p.done();
        String s = sw.toString();
        // 1 of 4 in 10 s: 30 s left.
        assertTrue(s.startsWith("\rrun wse3: [######..................] 1/4 steps (25%), elapsed 0:10, ETA 0:30,"
                + " token 1/4"), s);
        int width = s.indexOf('\r', 1) - 1;
        assertTrue(s.endsWith("\r" + " ".repeat(width) + "\r"), "the clearing write blanks the line: " + s);
    }

    @Test
    void log_shortRunPrintsNothing_longRunOneLinePerInterval() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressMeter p = new ProgressMeter(new PrintWriter(sw), "run wse3", "steps", ProgressMeter.Mode.LOG, 30 * S,
                now::get);
        now.set(29 * S);
        p.update(1, 100, "token 1/100");
        assertEquals("", sw.toString(), "nothing before the first interval");
        now.set(30 * S);
        p.update(2, 100, "token 2/100");
        now.set(31 * S);
        p.update(3, 100, "token 3/100");
        now.set(61 * S);
        p.update(50, 100, "token 50/100");
        p.done();
        String[] lines = sw.toString().split("\n");
        assertEquals(2, lines.length, sw.toString());
        // 2 of 100 in 30 s: 98 x 15 s = 24:30 left.
        assertEquals("run wse3: 2/100 steps (2%), elapsed 0:30, ETA 24:30, token 2/100", lines[0]);
        assertEquals("run wse3: 50/100 steps (50%), elapsed 1:01, ETA 1:01, token 50/100", lines[1]);
        assertTrue(!sw.toString().contains("\r"), "no carriage returns in a log");
    }

    @Test
    void quiet_printsNothing() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ProgressMeter p = new ProgressMeter(new PrintWriter(sw), "sweep", "points", ProgressMeter.Mode.QUIET, 0,
                now::get);
        now.set(100 * S);
        p.update(1, 4, "x");
        p.done();
        assertEquals("", sw.toString());
    }

    @Test
    void of_quietWinsOverAForcedBar() {
        PrintWriter w = new PrintWriter(new StringWriter());
        assertEquals(ProgressMeter.Mode.QUIET, ProgressMeter.of(w, "x", "y", true, true).mode());
        assertEquals(ProgressMeter.Mode.TERMINAL, ProgressMeter.of(w, "x", "y", false, true).mode());
    }

    @Test
    void clock_hoursFromAnHourOn() {
        assertEquals("59:59", ProgressMeter.clock(3599));
        assertEquals("1:00:00", ProgressMeter.clock(3600));
    }
}
