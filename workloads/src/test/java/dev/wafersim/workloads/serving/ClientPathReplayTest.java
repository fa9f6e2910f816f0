package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.workloads.client.ClientParams;
import org.junit.jupiter.api.Test;

/**
 * The client path in a replay, against hand calculations from the presets' values (presets/client/*.yaml):
 * RTT 30 ms, 100 Mbit/s (a byte takes 80,000 ps on the link), 4 bytes per token, tokenization 1 us per token,
 * detokenization 2 us per token, 20 us of front-end work per event of one token, gateway 10 ms per connection
 * and 3 ms per request; http-sse: 2 RTTs of set-up per request, the whole prompt sent, 283-byte events;
 * persistent-websocket: 3 RTTs once per session, new tokens only, 169-byte events.
 */
class ClientPathReplayTest {
    private static final long MS = 1_000_000_000L;
    private static final long US = 1_000_000L;

    private static ReplayOptions path(String preset) {
        return new ReplayOptions(ClientParams.from(ClientParams.preset(preset)), null);
    }

    private static ServingResult replay(RequestTrace t, ClosedFormStepModel m, ReplayOptions o) {
        ServingParams p = ServingParams.defaultParams();
        return ServingReplay.run(t, new ExactStepTimes(m), p, o);
    }

    @Test
    void clientTtft_httpSseOneRequest_isEveryStageOfThePathPlusTheServer() {
        // Every pass takes 10 ms: the prefill of 1,000 tokens, then two decode steps.
        ClosedFormStepModel m = ClosedFormStepModel.constant(10 * MS, 1_000_000);
        RequestTrace t = RequestTrace.of(new long[] {0}, new int[] {1000}, new int[] {3}, "one");
        ServingResult r = replay(t, m, path("http-sse"));
        // To the queue: set-up 2 x 30 ms + gateway 10 ms, half an RTT 15 ms, 4,000 bytes at 80,000 ps each
        // (0.32 ms), gateway 3 ms, then 1,000 tokens tokenized at 1 us: 89.32 ms.
        long queued = 60 * MS + 10 * MS + 15 * MS + 4000 * 80_000L + 3 * MS + 1000 * US;
        assertEquals(queued, r.queuedPs(0));
        assertEquals(10 * MS, r.ttftPs(0));
        // The first token leaves the server at queued + 10 ms, takes 20 us + 2 us of front-end work, its 287 bytes
        // (283 of envelope + 4 of text) 22.96 us on the link, and 15 ms to reach the client.
        long perToken = 22 * US + 287 * 80_000L + 15 * MS;
        assertEquals(queued + 10 * MS + perToken, r.clientFirstTokenPs(0));
        assertEquals(queued + 10 * MS + perToken, r.clientTtftPs(0));
        assertEquals(queued + perToken, r.roundTripOverheadPs(0));
        // Every token is delayed the same; tokens 10 ms apart at the server stay 10 ms apart at the client.
        assertEquals(perToken, r.meanTokenDelayPs(), 1e-6);
        assertEquals(perToken - 15 * MS, r.perTokenOverheadPs(), 1e-6);
        assertEquals(10 * MS, r.clientMaxGapPs(0));
        assertEquals(queued + 30 * MS + perToken, r.clientE2ePs(0));
    }

    @Test
    void replay_noClientPath_clientTimesEqualServerTimes() {
        ClosedFormStepModel m = new ClosedFormStepModel(2 * MS, 20 * US, 1_000, 5, 0, 200_000, 1);
        RequestTrace t = new SyntheticWorkload(40, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("uniform:100..2000", "p"), LengthDistribution.parse("uniform:1..50", "o"), 3)
                .trace(20);
        ServingResult r = replay(t, m, ReplayOptions.NONE);
        ServingResult plain = ServingReplay.run(t, new ExactStepTimes(m), ServingParams.defaultParams());
        assertFalse(r.hasClientPath());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(t.arrivalPs(i), r.sendPs(i));
            assertEquals(r.ttftPs(i), r.clientTtftPs(i));
            assertEquals(r.e2ePs(i), r.clientE2ePs(i));
            assertEquals(plain.e2ePs(i), r.e2ePs(i));
            assertEquals(0, r.roundTripOverheadPs(i));
        }
        assertEquals(r.tbtSumPs(), r.clientTbtSumPs());
        assertEquals(0, r.meanTokenDelayPs(), 0);
    }

    @Test
    void tokenize_oneWorkerTwoRequestsAtOnce_secondWaitsForTheFirst() {
        ClosedFormStepModel m = ClosedFormStepModel.constant(10 * MS, 1_000_000);
        RequestTrace t = RequestTrace.of(new long[] {0, 0}, new int[] {2000, 1000}, new int[] {1, 1}, "two");
        ClientParams one = ClientParams.from(ClientParams.preset("http-sse").with(ClientParams.WORKERS, "1", "test"));
        ServingResult r = replay(t, m, new ReplayOptions(one, null));
        long toFrontend0 = 60 * MS + 10 * MS + 15 * MS + 8000 * 80_000L + 3 * MS;
        long toFrontend1 = 60 * MS + 10 * MS + 15 * MS + 4000 * 80_000L + 3 * MS;
        // Request 1 reaches the front-end first (a shorter upload) and is tokenized at once (1 ms); request 0
        // arrives 0.32 ms later, while the worker is busy until toFrontend1 + 1 ms, and waits for it.
        assertEquals(toFrontend1 + 1000 * US, r.queuedPs(1));
        assertEquals(toFrontend1 + 1000 * US + 2000 * US, r.queuedPs(0));
        assertTrue(toFrontend0 < toFrontend1 + 1000 * US);
    }

    @Test
    void sessions_persistentWebsocket_laterTurnsSkipSetUpAndSendOnlyNewTokens() {
        ClosedFormStepModel m = ClosedFormStepModel.constant(10 * MS, 1_000_000);
        // One session: turn 1 of 1,000 tokens; turn 2 = 1,000 + 3 of answer + 50 new, sent 1 s after the answer.
        RequestTrace t = RequestTrace.sessions(new long[] {0, 0}, new int[] {1000, 1053}, new int[] {3, 3},
                new int[] {-1, 0}, new long[] {0, 1000 * MS}, "a session");
        ServingResult ws = replay(t, m, path("persistent-websocket"));
        // Turn 1 opens the connection: 3 RTTs + 10 ms of gateway, then the way in as http-sse.
        long first = 90 * MS + 10 * MS + 15 * MS + 4000 * 80_000L + 3 * MS + 1000 * US;
        assertEquals(first, ws.queuedPs(0));
        // Turn 2 is sent 1 s after turn 1's last token reached the client, carries 50 new tokens (200 bytes).
        assertEquals(ws.clientCompletionPs(0) + 1000 * MS, ws.sendPs(1));
        long second = 15 * MS + 200 * 80_000L + 3 * MS + 50 * US;
        assertEquals(ws.sendPs(1) + second, ws.queuedPs(1));
        // Events: 20 + 2 us of work, 169 + 4 bytes on the link, half an RTT.
        long perToken = 22 * US + 173 * 80_000L + 15 * MS;
        assertEquals(perToken, ws.meanTokenDelayPs(), 1e-6);

        ServingResult http = replay(t, m, path("http-sse"));
        // http-sse pays set-up and the whole 1,053-token prompt on turn 2 as well.
        long second2 = 60 * MS + 10 * MS + 15 * MS + 1053 * 4 * 80_000L + 3 * MS + 1053 * US;
        assertEquals(http.sendPs(1) + second2, http.queuedPs(1));
    }
}
