package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.workloads.step.ForwardBatch;
import org.junit.jupiter.api.Test;

/** The serving engine against closed-form machines: every expected value is computed next to its test. */
class ServingReplayTest {
    private static final long MS = 1_000_000_000L;

    /** Latency = 1 us + 10 ns per new token + 100 ps per cached token + 1 ps per attention pair + 5 ns per logit. */
    private static ClosedFormStepModel linear(long kvCapacityTokens, int stages) {
        return new ClosedFormStepModel(1_000_000, 10_000, 100, 1, 5_000, kvCapacityTokens, stages);
    }

    /**
     * A machine of roughly an 8B model's scale: 5 ms per pass, 10 us per new token, 2 ns per cached token
     * read, 10 ps per attention pair, 20 us per logit row.
     */
    private static ClosedFormStepModel server(long kvCapacityTokens) {
        return new ClosedFormStepModel(5 * MS, 10_000_000, 2_000, 10, 20_000_000, kvCapacityTokens, 1);
    }

    private static ServingParams params(int maxRunning, int maxBatched) {
        return ServingParams.defaultParams().withLimits(maxRunning, maxBatched);
    }

    private static RequestTrace one(int prompt, int output) {
        return RequestTrace.of(new long[] {0}, new int[] {prompt}, new int[] {output}, "one request");
    }

    private static ServingResult exact(RequestTrace t, ClosedFormStepModel m, ServingParams p) {
        return ServingReplay.run(t, new ExactStepTimes(m), p);
    }

    private static ServingResult table(RequestTrace t, ClosedFormStepModel m, ServingParams p) {
        return ServingReplay.run(t, new StepTimeTable(m, p), p);
    }

    @Test
    void run_oneRequestOnIdleMachine_ttftIsThePrefillPassAndTokensFollowDecodeSteps() {
        ClosedFormStepModel m = linear(1_000_000, 1);
        // Prefill of 1,000 tokens in one pass (budget 2,048), its last row computing the first token:
        // 1e6 + 10,000 x 1,000 + 1 x (1,000 x 1,001 / 2) + 5,000 = 11,505,500 ps.
        long prefill = 1_000_000 + 10_000L * 1000 + 1000L * 1001 / 2 + 5_000;
        assertEquals(prefill, m.latencyPs(ForwardBatch.prefill(0, 1000, true)));
        // Decode at context c: 1e6 + 10,000 + 100 c + (c + 1) + 5,000 ps; the 4 decodes of a 5-token output
        // read 1,000 to 1,003 cached tokens.
        long[] decode = new long[4];
        for (int j = 0; j < 4; j++) {
            long c = 1000 + j;
            decode[j] = 1_000_000 + 10_000 + 100 * c + (c + 1) + 5_000;
        }
        ServingResult r = exact(one(1000, 5), m, params(256, 2048));
        assertEquals(prefill, r.ttftPs(0));
        assertEquals(0, r.schedulingDelayPs(0));
        // The second token: the prefill pass, then the first decode step.
        assertEquals(prefill + decode[0], r.ttftPs(0) + r.maxGapPs(0) - (decode[3] - decode[0]));
        long e2e = prefill + decode[0] + decode[1] + decode[2] + decode[3];
        assertEquals(e2e, r.e2ePs(0));
        // TPOT = (E2E - TTFT) / 4 = the decode step at the mean context 1,001.5 (the model is linear in it).
        assertEquals(1_000_000 + 10_000 + 100 * 1001.5 + 1002.5 + 5_000, r.tpotPs(0), 1e-9);
        assertEquals(decode[3], r.maxGapPs(0));

        // The table interpolates the prefill between 960 and 1,024 tokens: the quadratic pair term is off by
        // 0.625 x 63,520 + 461,280 - 500,500 = 480 ps (0.004%); decode is linear in the context, so exact to
        // rounding.
        ServingResult t = table(one(1000, 5), m, params(256, 2048));
        assertTrue(Math.abs(prefill - t.ttftPs(0)) <= 481, Long.toString(t.ttftPs(0)));
        assertEquals(r.tpotPs(0), t.tpotPs(0), 1.0);
    }

    @Test
    void run_secondTokenOfOneRequest_isPrefillPlusFirstDecodeStep() {
        ClosedFormStepModel m = linear(1_000_000, 1);
        ServingResult r = exact(one(300, 2), m, params(256, 2048));
        long prefill = m.latencyPs(ForwardBatch.prefill(0, 300, true));
        long firstDecode = m.latencyPs(ForwardBatch.decode(1, 300));
        assertEquals(prefill, r.ttftPs(0));
        assertEquals(prefill + firstDecode, r.e2ePs(0));
        assertEquals(firstDecode, r.tpotPs(0), 0);
    }

    @Test
    void run_longPromptOverTokenBudget_isPrefilledInChunks() {
        ClosedFormStepModel m = linear(1_000_000, 1);
        // 5,000 tokens with a budget of 2,048: chunks of 2,048, 2,048 and 904 after 0, 2,048 and 4,096 cached.
        ServingResult r = exact(one(5000, 1), m, params(256, 2048));
        long expected = m.latencyPs(ForwardBatch.prefill(0, 2048, false))
                + m.latencyPs(ForwardBatch.prefill(2048, 2048, false))
                + m.latencyPs(ForwardBatch.prefill(4096, 904, true));
        assertEquals(expected, r.ttftPs(0));
        assertEquals(3, r.passes());
    }

    @Test
    void run_manyRequests_everyRequestCompletesWithExactlyItsOutputTokens() {
        SyntheticWorkload w = new SyntheticWorkload(400, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("uniform:50..1500", "p"), LengthDistribution.parse("uniform:1..300", "o"), 7);
        RequestTrace t = w.trace(20);
        ServingResult r = table(t, server(10_000_000), params(64, 2048));
        assertConserved(t, r);
        assertEquals(0, r.totalPreemptions());
    }

    @Test
    void run_kvCacheOverflows_preemptsAndStillConservesTokens() {
        SyntheticWorkload w = new SyntheticWorkload(300, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("uniform:100..600", "p"), LengthDistribution.parse("uniform:50..400", "o"), 11);
        RequestTrace t = w.trace(20);
        // 4,096 tokens of KV (256 blocks of 16): a handful of requests fill it, so decodes run out of blocks.
        ServingResult r = table(t, server(4096), params(64, 2048));
        assertTrue(r.totalPreemptions() > 10, "preemptions: " + r.totalPreemptions());
        assertConserved(t, r);
        long preempted = 0;
        for (int i = 0; i < t.size(); i++) {
            preempted += r.preemptions(i);
        }
        assertEquals(r.totalPreemptions(), preempted);
        // Recompute: prefill tokens exceed the prompts by what preempted requests prefilled again.
        long prompts = 0;
        for (int i = 0; i < t.size(); i++) {
            prompts += t.promptTokens(i);
        }
        assertTrue(r.prefillTokens() > prompts);
    }

    private static void assertConserved(RequestTrace t, ServingResult r) {
        long gaps = 0;
        for (int i = 0; i < t.size(); i++) {
            assertTrue(r.completed(i), "request " + i + " did not complete");
            assertEquals(t.outputTokens(i), r.tokensEmitted(i), "request " + i);
            assertTrue(r.firstTokenPs(i) >= r.firstScheduledPs(i) && r.firstScheduledPs(i) >= r.queuedPs(i));
            assertTrue(r.completionPs(i) >= r.firstTokenPs(i));
            gaps += t.outputTokens(i) - 1;
        }
        assertEquals(t.totalOutputTokens(), r.emittedTokens());
        assertEquals(gaps, r.tbtCount());
        assertEquals(t.size(), r.completedRequests());
    }

    @Test
    void run_noBatchingAndFixedServiceTime_meanWaitMatchesPollaczekKhinchineForMD1() {
        // M/D/1: one request at a time (max running sequences 1), every request one pass of D = 10 ms.
        // Pollaczek-Khinchine: Wq = rho D / (2 (1 - rho)); rho = lambda D.
        long d = 10 * MS;
        for (double rho : new double[] {0.5, 0.8}) {
            double lambda = rho / (d / 1e12);
            SyntheticWorkload w = new SyntheticWorkload(200_000, ArrivalProcess.parse("poisson"),
                    LengthDistribution.parse("fixed:16", "p"), LengthDistribution.parse("fixed:1", "o"), 3);
            RequestTrace t = w.trace(lambda);
            ServingResult r = exact(t, ClosedFormStepModel.constant(d, 1_000_000), params(1, 2048));
            double waitPs = 0;
            for (int i = 0; i < t.size(); i++) {
                waitPs += r.schedulingDelayPs(i);
            }
            waitPs /= t.size();
            double expected = rho * d / (2 * (1 - rho));
            assertEquals(expected, waitPs, 0.05 * expected, "rho " + rho);
        }
    }

    @Test
    void run_steadyLoad_littlesLawHolds() {
        double lambda = 40;
        SyntheticWorkload w = new SyntheticWorkload(20_000, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("uniform:100..2000", "p"), LengthDistribution.parse("uniform:20..200", "o"), 5);
        RequestTrace t = w.trace(lambda);
        ServingResult r = table(t, server(10_000_000), params(256, 2048));
        double meanE2eS = 0;
        for (int i = 0; i < t.size(); i++) {
            meanE2eS += r.e2ePs(i) / 1e12;
        }
        meanE2eS /= t.size();
        double l = r.meanRequestsInSystem();
        assertTrue(l > 1, "load too light to test: L = " + l);
        assertEquals(lambda * meanE2eS, l, 0.05 * l);
    }

    @Test
    void run_sameTraceTwice_identicalRecords() {
        SyntheticWorkload w = new SyntheticWorkload(500, ArrivalProcess.parse("gamma:cv=3"),
                LengthDistribution.parse("lognormal:median=800,sigma=1", "p"),
                LengthDistribution.parse("zipf:s=1.1,max=500", "o"), 99);
        ServingResult a = table(w.trace(80), linear(200_000, 1), params(32, 1024));
        ServingResult b = table(w.trace(80), linear(200_000, 1), params(32, 1024));
        for (int i = 0; i < a.requests(); i++) {
            assertEquals(a.firstScheduledPs(i), b.firstScheduledPs(i));
            assertEquals(a.firstTokenPs(i), b.firstTokenPs(i));
            assertEquals(a.completionPs(i), b.completionPs(i));
            assertEquals(a.preemptions(i), b.preemptions(i));
        }
        assertEquals(a.passes(), b.passes());
    }

    @Test
    void run_pipelinedMachine_chunksTrailOneIntervalApartAndDecodeWaitsForItsPass() {
        ClosedFormStepModel m = linear(1_000_000, 4);
        // 2,048 tokens with a budget of 512: four chunks; chunk j starts when chunk j-1's interval has passed.
        ServingResult r = exact(one(2048, 3), m, params(256, 512));
        long start = 0;
        long lastLatency = 0;
        for (int j = 0; j < 4; j++) {
            ForwardBatch chunk = ForwardBatch.prefill(512L * j, 512, j == 3);
            long lat = m.latencyPs(chunk);
            if (j == 3) {
                lastLatency = lat;
            } else {
                start += (lat + 3) / 4;
            }
        }
        long ttft = start + lastLatency;
        assertEquals(ttft, r.ttftPs(0));
        // Each decode waits for the previous token: a full latency per token, not an interval.
        long d0 = m.latencyPs(ForwardBatch.decode(1, 2048));
        long d1 = m.latencyPs(ForwardBatch.decode(1, 2049));
        assertEquals(ttft + d0 + d1, r.e2ePs(0));
    }

    @Test
    void run_pipelinedMachineWithManySequences_runsDisjointMicroBatchesOneIntervalApart() {
        // 8 requests at once on 4 stages: passes take ceil(8 / 4) = 2 sequences each. Every pass takes 4 ms
        // whatever it holds, with a 1 ms interval, so micro-batch g (requests 2g, 2g + 1) starts at g ms and
        // gets a token every 4 ms: TTFT = (4 + g) ms, E2E = (4 + g + 99 x 4) ms, 4 passes in flight.
        int n = 8;
        int[] p = new int[n];
        int[] o = new int[n];
        java.util.Arrays.fill(p, 16);
        java.util.Arrays.fill(o, 100);
        RequestTrace t = RequestTrace.of(new long[n], p, o, "8 at once");
        ClosedFormStepModel piped = new ClosedFormStepModel(4 * MS, 0, 0, 0, 0, 1_000_000, 4);
        ServingResult r = exact(t, piped, params(256, 2048));
        for (int i = 0; i < n; i++) {
            long g = i / 2;
            assertEquals((4 + g) * MS, r.ttftPs(i), "request " + i);
            assertEquals((4 + g + 99 * 4) * MS, r.e2ePs(i), "request " + i);
        }
        assertEquals(4 * 100, r.passes());
    }

    @Test
    void run_requestsBeyondModelLengthOrKvCapacity_areRejectedAndCounted() {
        ServingParams p = ServingParams.defaultParams();
        long cap = 10_000;
        int[] prompts = {100, (int) p.maxModelLenTokens(), 12_000, 200};
        int[] outputs = {10, 1, 5, 10};
        RequestTrace t = RequestTrace.of(new long[] {0, 1, 2, 3}, prompts, outputs, "mixed");
        ServingResult r = exact(t, linear(cap, 1), p);
        assertEquals(ServingResult.NOT_REJECTED, r.rejection(0));
        assertEquals(ServingResult.REJECTED_MAX_MODEL_LEN, r.rejection(1));
        assertEquals(ServingResult.REJECTED_KV_CAPACITY, r.rejection(2));
        assertEquals(2, r.completedRequests());
        assertTrue(r.completed(3));
        assertEquals(-1, r.ttftPs(1));
    }

    @Test
    void run_prefillFirst_stallsRunningDecodesForAWholePrompt() {
        ClosedFormStepModel m = linear(1_000_000, 1);
        // Request 0 decodes; request 1 (4,000 tokens) arrives during its first decode. Prefill-first runs
        // request 1's whole prompt as its own pass, so request 0 waits that long between two tokens; chunked
        // prefill mixes 2,047 prompt tokens with request 0's decode and never runs a prompt-only pass.
        RequestTrace t = RequestTrace.of(new long[] {0, 12 * MS / 1000}, new int[] {1000, 4000}, new int[] {50, 5}, "two");
        long wholePrompt = m.latencyPs(ForwardBatch.prefill(0, 4000, true));
        ServingResult first = exact(t, m, params(256, 8192).withScheduler("prefill-first"));
        assertTrue(first.maxGapPs(0) >= wholePrompt, first.maxGapPs(0) + " < " + wholePrompt);
        // Chunked: the longest pass is the second chunk (1,953 tokens after 2,047) with one decode row:
        // about 1 + 19.54 + 0.31 + 5.90 + 0.01 = 26.8 us, against 49.0 us for the whole prompt.
        ServingResult chunked = exact(t, m, params(256, 2048));
        assertTrue(chunked.maxGapPs(0) < 0.6 * wholePrompt, chunked.maxGapPs(0) + " vs " + wholePrompt);
    }

    @Test
    void table_nonlinearMachine_staysWithinAPercentOfExactOnATrace() {
        // Quadratic attention and a per-row cost make the pass time non-linear in every table axis.
        ClosedFormStepModel m = new ClosedFormStepModel(2_000_000, 20_000, 300, 3, 40_000, 3_000_000, 1);
        SyntheticWorkload w = new SyntheticWorkload(600, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("lognormal:median=1500,sigma=0.8", "p"),
                LengthDistribution.parse("uniform:10..300", "o"), 21);
        RequestTrace t = w.trace(30);
        ServingParams p = params(128, 2048);
        ServingResult x = exact(t, m, p);
        ServingResult tb = table(t, m, p);
        double ttftX = 0;
        double ttftT = 0;
        double e2eX = 0;
        double e2eT = 0;
        for (int i = 0; i < t.size(); i++) {
            ttftX += x.ttftPs(i);
            ttftT += tb.ttftPs(i);
            e2eX += x.e2ePs(i);
            e2eT += tb.e2ePs(i);
        }
        assertEquals(ttftX, ttftT, 0.01 * ttftX);
        assertEquals(e2eX, e2eT, 0.01 * e2eX);
        assertTrue(tb.simulatedPasses() < tb.timedPasses() / 2, tb.stepTimes());
    }

    @Test
    void canonical_oneRowOnGrid_isTheBatchItself() {
        ForwardBatch b = StepTimeTable.canonical(3, 256, 1, 1, 512, 1024, 1);
        assertArrayEquals(new long[] {256, 256, 256, 1024}, new long[] {b.cachedTokens(0), b.cachedTokens(1),
            b.cachedTokens(2), b.cachedTokens(3)});
        assertEquals(3 + 512, b.totalNewTokens());
        assertEquals(4, b.totalLogitTokens());
    }

    @Test
    void table_cornerBeyondTheMachinesLimit_timesThePassExactly() {
        // A machine that refuses passes of more than 1,000 new tokens: a 990-token prompt fits, but its upper grid
        // corner (1,024 tokens) does not, so the table times that pass as it is.
        ClosedFormStepModel base = linear(1_000_000, 1);
        dev.wafersim.workloads.step.StepModel limited = new dev.wafersim.workloads.step.StepModel() {
            @Override
            public dev.wafersim.workloads.step.StepTime time(ForwardBatch b) {
                if (b.totalNewTokens() > 1000) {
                    throw new dev.wafersim.core.config.ConfigException("pass of " + b.totalNewTokens() + " tokens");
                }
                return base.time(b);
            }

            @Override
            public long kvCapacityTokens() {
                return base.kvCapacityTokens();
            }

            @Override
            public int maxPassesInFlight() {
                return 1;
            }

            @Override
            public int devices() {
                return 1;
            }

            @Override
            public String machine() {
                return "limited";
            }
        };
        ServingParams p = params(256, 2048);
        ServingResult r = ServingReplay.run(one(990, 2), new StepTimeTable(limited, p), p);
        assertEquals(base.latencyPs(ForwardBatch.prefill(0, 990, true)), r.ttftPs(0));
        assertTrue(r.stepTimes().contains("1 timed exactly"), r.stepTimes());
        // A pass that does not fit itself is still an error.
        org.junit.jupiter.api.Assertions.assertThrows(dev.wafersim.core.config.ConfigException.class,
                () -> ServingReplay.run(one(1500, 2), new StepTimeTable(limited, p), p));
    }
}
