package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Sessions of turns and the prefix cache in a replay, against hand calculations. */
class SessionReplayTest {
    private static final long MS = 1_000_000_000L;
    private static final long US = 1_000_000L;

    /** 1 ms per pass plus 10 us per new token: a prefill's time says how many tokens it computed. */
    private static ClosedFormStepModel machine(long kvTokens) {
        return new ClosedFormStepModel(MS, 10 * US, 0, 0, 0, kvTokens, 1);
    }

    /** Turn 1: 1,000 prompt tokens, 3 out; turn 2: those 1,003 + 50 new, 3 out, 2 s of think time. */
    private static RequestTrace session() {
        return RequestTrace.sessions(new long[] {0, 0}, new int[] {1000, 1053}, new int[] {3, 3}, new int[] {-1, 0},
                new long[] {0, 2000 * MS}, "a session");
    }

    @Test
    void followUp_noClientPath_isSentThinkTimeAfterThePreviousAnswer() {
        ServingResult r = ServingReplay.run(session(), new ExactStepTimes(machine(1_000_000)),
                ServingParams.defaultParams().withPrefixCaching(false));
        // Turn 1: a prefill of 1,000 tokens (1 ms + 10 ms), two decode steps (1.01 ms each).
        assertEquals(11 * MS + 2 * (MS + 10 * US), r.completionPs(0));
        assertEquals(r.completionPs(0) + 2000 * MS, r.sendPs(1));
        // Without a prefix cache turn 2 prefills its whole prompt: 1 ms + 1,053 x 10 us.
        assertEquals(MS + 1053 * 10 * US, r.ttftPs(1));
        assertEquals(1003, r.prefixSharedTokens());
        assertEquals(0, r.prefixHitTokens());
    }

    @Test
    void followUp_prefixCaching_prefillsOnlyWhatTheCacheDoesNotHold() {
        ServingResult r = ServingReplay.run(session(), new ExactStepTimes(machine(1_000_000)),
                ServingParams.defaultParams());
        // Turn 1 leaves K and V for 1,000 + 3 - 1 = 1,002 positions: 62 full blocks of 16 (992 tokens) stay cached.
        assertEquals(992, r.prefixHitTokens());
        // Turn 2 computes 1,053 - 992 = 61 tokens: 1 ms + 0.61 ms.
        assertEquals(MS + 61 * 10 * US, r.ttftPs(1));
        assertEquals(0, r.evictedBlocks());
        // Idle time between the turns is 2 s of the replay's ~2.03 s: about 62 blocks on average.
        assertTrue(r.meanCachedBlocks() > 55 && r.meanCachedBlocks() < 62, Double.toString(r.meanCachedBlocks()));
    }

    @Test
    void prefixCache_underPressure_evictsLeastRecentlyUsedBlocksAndTheyArePrefilledAgain() {
        // Two sessions, 140 KV blocks of 16 tokens (watermark 1 block). Step by step:
        // A1 (1,000 tokens, 63 blocks) ends holding K and V for 1,002 positions: 62 full blocks cached, 78 free.
        // B1 (1,500 tokens, 94 blocks) at 0.5 s: 16 of A's blocks are evicted (A keeps 46 = 736 tokens); B1 ends
        //   with 1,502 positions: 93 blocks cached, 1 free.
        // A2 (1,053 tokens, 66 blocks) at ~2.01 s: hits 736 tokens, needs 20 blocks: 19 of B's evicted (B keeps 74 =
        //   1,184 tokens); A2 ends with 1,055 positions: 65 cached, 1 free.
        // B2 (1,553 tokens, 98 blocks) at ~2.52 s: hits 1,184 tokens, needs 24 blocks: 23 of A2's evicted.
        RequestTrace t = RequestTrace.sessions(new long[] {0, 0, 500 * MS, 0},
                new int[] {1000, 1053, 1500, 1553}, new int[] {3, 3, 3, 3}, new int[] {-1, 0, -1, 2},
                new long[] {0, 2000 * MS, 0, 2000 * MS}, "two sessions");
        ServingResult r = ServingReplay.run(t, new ExactStepTimes(machine(140 * 16)), ServingParams.defaultParams());
        assertEquals(4, r.completedRequests());
        assertEquals(16 + 19 + 23, r.evictedBlocks());
        assertEquals(736 + 1184, r.prefixHitTokens());
        assertEquals(MS + (1053 - 736) * 10 * US, r.ttftPs(1));
        assertEquals(MS + (1553 - 1184) * 10 * US, r.ttftPs(3));
    }

    @Test
    void sessions_rejectedTurn_endsItsSession() {
        ServingParams p = ServingParams.defaultParams();
        RequestTrace t = RequestTrace.sessions(new long[] {0, 0, 0}, new int[] {1000, 1053, 1200},
                new int[] {3, 3, 3}, new int[] {-1, 0, 1}, new long[] {0, MS, MS}, "s");
        // 1,000 + 3 fits 1,100 tokens of KV; 1,053 + 3 would fit too, but serving.maxModelLenTokens=1,050 rejects turn 2.
        ServingParams small = new ServingParams(p.scheduler(), p.kvBlockTokens(), p.maxRunningSequences(),
                p.maxBatchedTokens(), p.admissionWatermark(), 1050, p.goodputAttainment(), p.goodputRelativeTolerance(),
                p.tableContextStepTokens(), p.tableStepsPerOctave(), true);
        ServingResult r = ServingReplay.run(t, new ExactStepTimes(machine(100_000)), small);
        assertEquals(1, r.completedRequests());
        assertEquals(ServingResult.REJECTED_MAX_MODEL_LEN, r.rejection(1));
        assertEquals(ServingResult.REJECTED_SESSION_ENDED, r.rejection(2));
        assertEquals(-1, r.sendPs(2));
    }

    @Test
    void sessions_promptNotExtendingThePreviousTurn_isRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> RequestTrace.sessions(new long[] {0, 0},
                new int[] {1000, 1003}, new int[] {3, 3}, new int[] {-1, 0}, new long[] {0, 0}, "bad"));
        assertTrue(e.getMessage().contains("request 1 has a prompt of 1003 tokens"), e.getMessage());
    }

    @Test
    void codingSession_trace_promptsGrowByAnswerAndEdit() {
        CodingSessionWorkload w = CodingSessionWorkload.parse("coding-session:sessions=3,turns=5,context=4000,edit=100,"
                + "output=50,sigma=0,think=2s", ArrivalProcess.parse("poisson"), 9);
        RequestTrace t = w.trace(0.5);
        assertEquals(15, t.size());
        assertEquals(3, t.openCount());
        for (int i = 0; i < t.size(); i++) {
            if (i % 5 == 0) {
                assertEquals(4000, t.promptTokens(i));
                assertTrue(t.isOpen(i));
            } else {
                // sigma=0: every length is its median, so each turn adds the 50-token answer and a 100-token edit.
                assertEquals(t.promptTokens(i - 1) + 50 + 100, t.promptTokens(i));
                assertEquals(i - 1, t.previous(i));
                assertEquals(100, t.newPromptTokens(i));
            }
            assertEquals(50, t.outputTokens(i));
        }
        // The same seed gives the same sessions at another rate, on a stretched clock.
        RequestTrace u = w.trace(1.0);
        for (int k = 0; k < 3; k++) {
            assertEquals(t.arrivalPs(t.open(k)) / 2.0, u.arrivalPs(u.open(k)), 1.0);
        }
    }

    @Test
    void codingSession_unknownKey_isRefusedWithSuggestion() {
        ConfigException e = assertThrows(ConfigException.class, () -> CodingSessionWorkload.parse(
                "coding-session:turn=5", ArrivalProcess.parse("poisson"), 1));
        assertTrue(e.getMessage().contains("unknown key 'turn'") && e.getMessage().contains("turns"), e.getMessage());
    }

    @Test
    void sessionsTrace_writeThenRead_givesTheSameSessions() {
        RequestTrace t = CodingSessionWorkload.parse("coding-session:sessions=4,turns=3", ArrivalProcess.parse("poisson"),
                5).trace(2);
        String text = TraceWriter.text(t, TraceFormat.WAFERSIM_SESSIONS);
        RequestTrace back = TraceReader.read(text, "s.csv");
        assertEquals(t.size(), back.size());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(t.previous(i), back.previous(i));
            assertEquals(t.promptTokens(i), back.promptTokens(i));
            assertEquals(t.outputTokens(i), back.outputTokens(i));
            assertEquals(t.thinkPs(i), back.thinkPs(i));
            assertEquals(t.arrivalPs(i), back.arrivalPs(i));
        }
    }

    @Test
    void sessionsTrace_laterTurnWithArrival_isRefusedNamingLineAndColumn() {
        String text = "session,arrival_s,think_s,prompt_tokens,output_tokens\nA,0,,100,10\nA,5,1,200,10\n";
        ConfigException e = assertThrows(ConfigException.class, () -> TraceReader.read(text, "s.csv"));
        assertTrue(e.getMessage().startsWith("s.csv: line 3, column arrival_s: value '5' is not allowed"), e.getMessage());
    }
}
