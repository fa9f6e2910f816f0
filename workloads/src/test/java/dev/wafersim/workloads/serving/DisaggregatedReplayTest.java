package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.serving.DisaggregatedResult.Phase;
import org.junit.jupiter.api.Test;

/**
 * The disaggregated replay on closed-form machines, every expected time computed by hand in the comments.
 *
 * <p>Common set-up: the prefill machine's pass takes 1 ms + 1 us per new token; the decode machine's pass 5 ms,
 * whatever it holds. A prompt token's KV cache is 131,072 bytes (Llama-3.1-8B at bf16: 2 x 8 KV heads x 128 x
 * 2 bytes x 32 layers). The link is 100 Gb/s with 10 us latency unless said: 1,000 tokens = 131,072,000 bytes =
 * 1,048,576,000 bits take 10.48576 ms = 10,485,760,000 ps to serialize.
 */
class DisaggregatedReplayTest {
    private static final long MS = 1_000_000_000L;
    private static final long US = 1_000_000L;
    private static final long BYTES_PER_TOKEN = 131_072;
    private static final long SER_1000 = 10_485_760_000L;

    private static DisaggregatedResult replay(RequestTrace t, long decodeKvTokens, KvLinkParams link) {
        ClosedFormStepModel prefill = new ClosedFormStepModel(MS, US, 0, 0, 0, 100_000, 1);
        ClosedFormStepModel decode = ClosedFormStepModel.constant(5 * MS, decodeKvTokens);
        ServingParams params = ServingParams.defaultParams();
        return DisaggregatedReplay.run(t, new ExactStepTimes(prefill), params, new ExactStepTimes(decode), params, link,
                link.bandwidthGbps(), tokens -> tokens * BYTES_PER_TOKEN);
    }

    private static RequestTrace trace(long[] arrival, int[] prompt, int[] output) {
        return RequestTrace.of(arrival, prompt, output, "test");
    }

    @Test
    void oneRequest_timesAddUpByHand() {
        // Prefill: one pass of 1,000 tokens = 1 ms + 1,000 us = 2 ms: first token at 2 ms (TTFT).
        // Transfer: 2 ms + 10.48576 ms + 10 us = 12.49576 ms at the decode side.
        // Decode: passes 12.49576..17.49576 (token 2) and ..22.49576 ms (token 3, completion).
        DisaggregatedResult r = replay(trace(new long[] {0}, new int[] {1000}, new int[] {3}), 100_000,
                KvLinkParams.fixed(100, 10 * US, 0));
        ServingResult c = r.combined();
        assertEquals(2 * MS, c.ttftPs(0));
        long kvEnd = 2 * MS + SER_1000 + 10 * US;
        assertEquals(12_495_760_000L, kvEnd);
        assertEquals(2 * MS, r.kvStartPs(0));
        assertEquals(kvEnd, r.kvEndPs(0));
        assertEquals(kvEnd, r.decodeStartPs(0));
        assertEquals(kvEnd + 10 * MS, c.completionPs(0));
        assertEquals(kvEnd + 10 * MS, c.e2ePs(0));
        // TPOT = (22.49576 - 2) / 2 ms; the first gap (token 1 to 2) holds the transfer: 17.49576 - 2 ms.
        assertEquals((kvEnd + 10 * MS - 2 * MS) / 2.0, c.tpotPs(0), 0);
        assertEquals(kvEnd + 5 * MS - 2 * MS, c.maxGapPs(0));
        assertEquals(0, r.phasePs(Phase.PREFILL_QUEUE, 0));
        assertEquals(2 * MS, r.phasePs(Phase.PREFILL, 0));
        assertEquals(SER_1000 + 10 * US, r.phasePs(Phase.KV_TRANSFER, 0));
        assertEquals(0, r.phasePs(Phase.DECODE_QUEUE, 0));
        assertEquals(10 * MS, r.phasePs(Phase.DECODE, 0));
        assertEquals(131_072_000L, r.kvBytes(0));
        assertEquals(1, r.transfers());
        assertEquals(SER_1000, r.linkBusyPs());
        assertEquals(1, r.prefill().passes());
        assertEquals(2, r.decode().passes());
        assertEquals(3, c.emittedTokens());
    }

    @Test
    void twoRequests_secondTransferWaitsForTheFirst() {
        // Both prompts (1,000 tokens each) fit one prefill pass (2,000 <= serving.maxBatchedTokens 2,048):
        // 1 ms + 2,000 us = 3 ms; both first tokens at 3 ms. The link is FIFO: request 0 holds it 3 ms ..
        // 13.48576 ms and arrives at 13.49576 ms; request 1 starts when it is free, 13.48576 ms, holds it to
        // 23.97152 ms and arrives at 23.98152 ms. One decode pass each (2 output tokens): 18.49576 and 28.98152 ms.
        DisaggregatedResult r = replay(trace(new long[] {0, 0}, new int[] {1000, 1000}, new int[] {2, 2}), 100_000,
                KvLinkParams.fixed(100, 10 * US, 0));
        ServingResult c = r.combined();
        assertEquals(3 * MS, c.ttftPs(0));
        assertEquals(3 * MS, c.ttftPs(1));
        assertEquals(3 * MS, r.kvStartPs(0));
        assertEquals(3 * MS + SER_1000, r.kvStartPs(1));
        assertEquals(13_495_760_000L, r.kvEndPs(0));
        assertEquals(3 * MS + 2 * SER_1000 + 10 * US, r.kvEndPs(1));
        assertEquals(23_981_520_000L, r.kvEndPs(1));
        assertEquals(18_495_760_000L, c.completionPs(0));
        assertEquals(28_981_520_000L, c.completionPs(1));
        assertEquals(2 * SER_1000 + 10 * US, r.phasePs(Phase.KV_TRANSFER, 1));
        assertEquals(2 * SER_1000, r.linkBusyPs());
        assertEquals(2, r.maxTransfersInFlight());
    }

    @Test
    void overlap_startsTheTransferBeforeThePrefillEnds() {
        // Overlap 0.1 hides floor(0.1 x 10,485,760,000) = 1,048,576,000 ps: the transfer starts at
        // 2 ms - 1.048576 ms = 0.951424 ms (after the prefill's start at 0) and arrives at
        // 0.951424 + 10.48576 + 0.01 = 11.447184 ms; the request waits 9.447184 ms for it after its first token.
        DisaggregatedResult r = replay(trace(new long[] {0}, new int[] {1000}, new int[] {2}), 100_000,
                KvLinkParams.fixed(100, 10 * US, 0.1));
        assertEquals(951_424_000L, r.kvStartPs(0));
        assertEquals(11_447_184_000L, r.kvEndPs(0));
        assertEquals(9_447_184_000L, r.phasePs(Phase.KV_TRANSFER, 0));
        // Overlap 1 would start 10.48576 ms before the prefill's end, but not before its start (0): arrival at
        // 10.48576 + 0.01 = 10.49576 ms.
        DisaggregatedResult full = replay(trace(new long[] {0}, new int[] {1000}, new int[] {2}), 100_000,
                KvLinkParams.fixed(100, 10 * US, 1));
        assertEquals(0, full.kvStartPs(0));
        assertEquals(SER_1000 + 10 * US, full.kvEndPs(0));
    }

    @Test
    void decodeAdmission_waitsForKvCapacity() {
        // Decode cache 2,048 tokens = 128 blocks of 16, watermark floor(0.01 x 128) = 1 block. Link 1e6 Gb/s,
        // no latency: 1,500 tokens serialize in 1,500 x 131,072 x 8,000 / 1e6 = 1,572,864 ps.
        // Prefill (budget 2,048): pass 1 = request 0's 1,500 tokens + request 1's first 548 = 1 + 2.048 ms =
        // 3.048 ms; pass 2 = request 1's last 952 tokens: 1 + 0.952 = 1.952 ms, ends at 5 ms.
        // Request 0 (3 tokens out, footprint 1,502 positions = 94 blocks) arrives at 3.048 ms + 1,572,864 ps and
        // decodes in passes ending 5 and 10 ms later. Request 1 (2 out, 1,501 positions = 94 blocks) arrives at
        // 5 ms + 1,572,864 ps but 128 - 94 - 94 < 1: it waits until request 0 completes, then one pass of 5 ms.
        long ser = 1_572_864;
        DisaggregatedResult r = replay(trace(new long[] {0, 0}, new int[] {1500, 1500}, new int[] {3, 2}), 2048,
                KvLinkParams.fixed(1e6, 0, 0));
        ServingResult c = r.combined();
        long arrive0 = 3_048 * US + ser;
        assertEquals(arrive0, r.kvEndPs(0));
        assertEquals(arrive0 + 10 * MS, c.completionPs(0));
        assertEquals(5 * MS, c.ttftPs(1));
        assertEquals(5 * MS + ser, r.kvEndPs(1));
        assertEquals(arrive0 + 10 * MS, r.decodeStartPs(1));
        assertEquals(arrive0 + 15 * MS, c.completionPs(1));
        assertEquals(arrive0 + 10 * MS - (5 * MS + ser), r.phasePs(Phase.DECODE_QUEUE, 1));
    }

    @Test
    void prefillFirst_wholePromptsWithinTheBudget() {
        // prefill-first: request 0's 1,000 tokens are admitted whole; request 1's 1,500 exceed the 1,048 left of the
        // 2,048 budget, so it waits for the next pass. Pass 1: 1 ms + 1,000 us = 2 ms; pass 2: 1 + 1.5 = 2.5 ms,
        // 2 .. 4.5 ms. Request 1's prefill queue is 2 ms, its prefill 2.5 ms, its TTFT 4.5 ms.
        ClosedFormStepModel prefill = new ClosedFormStepModel(MS, US, 0, 0, 0, 100_000, 1);
        ClosedFormStepModel decode = ClosedFormStepModel.constant(5 * MS, 100_000);
        ServingParams params = ServingParams.defaultParams().withScheduler(PrefillFirstPolicy.NAME);
        KvLinkParams link = KvLinkParams.fixed(100, 10 * US, 0);
        DisaggregatedResult r = DisaggregatedReplay.run(trace(new long[] {0, 0}, new int[] {1000, 1500},
                new int[] {2, 2}), new ExactStepTimes(prefill), params, new ExactStepTimes(decode), params, link, 100,
                tokens -> tokens * BYTES_PER_TOKEN);
        assertEquals(2 * MS, r.combined().ttftPs(0));
        assertEquals(2 * MS, r.phasePs(Phase.PREFILL_QUEUE, 1));
        assertEquals(2_500 * US, r.phasePs(Phase.PREFILL, 1));
        assertEquals(4_500 * US, r.combined().ttftPs(1));
        assertEquals(2, r.prefill().passes());
    }

    @Test
    void sameTraceTwice_identicalTimestamps() {
        long[] arrival = new long[40];
        int[] prompt = new int[40];
        int[] output = new int[40];
        for (int i = 0; i < 40; i++) {
            arrival[i] = i * 3 * MS;
            prompt[i] = 200 + 97 * i;
            output[i] = 1 + i % 7;
        }
        DisaggregatedResult a = replay(trace(arrival, prompt, output), 20_000, KvLinkParams.fixed(100, 10 * US, 0.5));
        DisaggregatedResult b = replay(trace(arrival, prompt, output), 20_000, KvLinkParams.fixed(100, 10 * US, 0.5));
        for (int i = 0; i < 40; i++) {
            assertEquals(a.combined().completionPs(i), b.combined().completionPs(i));
            assertEquals(a.kvEndPs(i), b.kvEndPs(i));
            // The phases add up to the end-to-end latency for a request that crossed the link.
            if (output[i] > 1) {
                long sum = 0;
                for (Phase p : Phase.values()) {
                    sum += a.phasePs(p, i);
                }
                assertEquals(a.combined().e2ePs(i), sum, "request " + i);
            } else {
                assertEquals(-1, a.kvStartPs(i));
            }
        }
        assertEquals(40, a.combined().completedRequests());
    }

    @Test
    void pipelinedDecode_requestsInMicroBatchesAnIntervalApart() {
        // Decode machine: 5 ms a pass, 2 stages: interval ceil(5 / 2) = 2.5 ms. Link 1e6 Gb/s, no latency: 1,000
        // tokens serialize in 1,000 x 131,072 x 8,000 / 1e6 = 1,048,576 ps. Both prompts prefill in one 3 ms pass;
        // request 0's KV arrives at 3 ms + 1,048,576 ps and starts a pass alone (micro-batch ceil(1 / 2) = 1); request
        // 1's arrives at 3 ms + 2,097,152 ps and waits for the next start, one interval after request 0's pass
        // started: 3 ms + 1,048,576 ps + 2.5 ms. Completions (2 output tokens, one decode pass each): request 0 at
        // 3 ms + 1,048,576 ps + 5 ms, request 1 at 3 ms + 1,048,576 ps + 7.5 ms.
        ClosedFormStepModel prefill = new ClosedFormStepModel(MS, US, 0, 0, 0, 100_000, 1);
        ClosedFormStepModel decode = new ClosedFormStepModel(5 * MS, 0, 0, 0, 0, 100_000, 2);
        ServingParams params = ServingParams.defaultParams();
        DisaggregatedResult r = DisaggregatedReplay.run(trace(new long[] {0, 0}, new int[] {1000, 1000},
                new int[] {2, 2}), new ExactStepTimes(prefill), params, new ExactStepTimes(decode), params,
                KvLinkParams.fixed(1e6, 0, 0), 1e6, tokens -> tokens * BYTES_PER_TOKEN);
        long t0 = 3 * MS + 1_048_576;
        assertEquals(t0, r.decodeStartPs(0));
        assertEquals(3 * MS + 2_097_152, r.kvEndPs(1));
        assertEquals(t0 + 2_500 * US, r.decodeStartPs(1));
        assertEquals(t0 + 5 * MS, r.combined().completionPs(0));
        assertEquals(t0 + 7_500 * US, r.combined().completionPs(1));
    }

    @Test
    void pipelinedPrefill_nextChunkTrailsThePreviousOne() {
        // Prefill machine with 2 stages. A 3,000-token prompt: chunk 1 = 2,048 tokens, 1 + 2.048 = 3.048 ms,
        // interval 1.524 ms; chunk 2 = 952 tokens starts at 1.524 ms and takes 1 + 0.952 = 1.952 ms: the first token
        // at 3.476 ms (one stage alone would give 3.048 + 1.952 = 5 ms).
        ClosedFormStepModel prefill = new ClosedFormStepModel(MS, US, 0, 0, 0, 100_000, 2);
        ClosedFormStepModel decode = ClosedFormStepModel.constant(5 * MS, 100_000);
        ServingParams params = ServingParams.defaultParams();
        DisaggregatedResult r = DisaggregatedReplay.run(trace(new long[] {0}, new int[] {3000}, new int[] {2}),
                new ExactStepTimes(prefill), params, new ExactStepTimes(decode), params, KvLinkParams.fixed(100, 0, 0),
                100, tokens -> tokens * BYTES_PER_TOKEN);
        assertEquals(3_476 * US, r.combined().ttftPs(0));
        assertEquals(2, r.prefill().passes());
    }

    @Test
    void request_decodeCacheNeverHoldsIt_rejected() {
        // 3,000 + 100 - 1 positions = 194 blocks > 128 blocks of a 2,048-token decode cache.
        DisaggregatedResult r = replay(trace(new long[] {0, 0}, new int[] {3000, 100}, new int[] {100, 2}), 2048,
                KvLinkParams.fixed(100, 10 * US, 0));
        assertEquals(ServingResult.REJECTED_KV_CAPACITY, r.combined().rejection(0));
        assertEquals(1, r.combined().completedRequests());
    }

    @Test
    void bandwidth_zeroOrNotANumber_refusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> KvLinkParams.from(KvLinkParams.defaults()
                .with(KvLinkParams.BANDWIDTH, "0", "--set")));
        assertEquals("kvlink.bandwidthGbps=0 is not allowed; expected auto (the slower side's NIC bandwidth) or a"
                + " number of Gb/s in (0, 1e+07]", e.getMessage());
        assertThrows(ConfigException.class, () -> KvLinkParams.from(KvLinkParams.defaults()
                .with(KvLinkParams.BANDWIDTH, "fast", "--set")));
    }

    @Test
    void automaticBandwidth_isTheSlowerSidesNics() {
        // 8 GPUs x 400 Gb/s = 3,200 Gb/s against 1 wafer x 1,200 Gb/s: the wafer's 1,200 Gb/s; 1 GPU: 400 Gb/s.
        KvLinkParams p = KvLinkParams.defaultParams();
        assertEquals(1200, p.bandwidthGbps(8, false, 1, true), 0);
        assertEquals(400, p.bandwidthGbps(8, false, 1, false), 0);
        assertEquals(50, KvLinkParams.fixed(50, 0, 0).bandwidthGbps(8, false, 8, false), 0);
    }
}
