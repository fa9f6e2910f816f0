package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.EditDistance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One "did you mean" suggester (core.config.EditDistance) with one threshold, for every kind of name. */
class SuggestionsTest {
    @Test
    void isClose_threshold_maxOf3AndAThirdOfTheLength() {
        assertTrue(EditDistance.isClose(3, 4));
        assertTrue(!EditDistance.isClose(4, 4));
        assertTrue(EditDistance.isClose(5, 15));
        assertTrue(!EditDistance.isClose(6, 15));
    }

    @Test
    void closest_tiesInKnownOrder_atMostThree() {
        assertEquals(List.of("ab", "ac", "ad"), EditDistance.closest("a", List.of("ab", "ac", "ad", "ae", "zzzzzz")));
        assertEquals(List.of(), EditDistance.closest("completely-else", List.of("run", "gate")));
    }

    @Test
    void unknownOption_suggestedByTheProjectSuggester() {
        CliRunner r = CliRunner.run("run", "--modle", "llama-3.1-8b");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.startsWith("wafersim: Unknown options: '--modle', 'llama-3.1-8b' (did you mean --model?)"), r.err);
    }

    @Test
    void unknownCommand_suggested() {
        CliRunner r = CliRunner.run("rnu");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode);
        assertTrue(r.err.contains("(did you mean run?)"), r.err);
    }

    @Test
    void unknownModelAndParameter_sameSuggester() {
        CliRunner m = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.1-8");
        assertTrue(m.err.contains("did you mean llama-3.1-8b"), m.err);
        CliRunner p = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--set",
                "hbm.peakBandwidthGbps=3000");
        assertTrue(p.err.contains("did you mean hbm.peakBandwidthGBps"), p.err);
    }
}
