package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed ops of {@link ForwardStep} and its agreement with {@link DecodeStep} on decode passes. */
class ForwardStepTest {
    static final ModelSpec LLAMA8B = ModelCatalog.get("llama-3.1-8b");
    static final ModelSpec GPT_OSS = ModelCatalog.get("gpt-oss-120b");

    static ForwardStep decodeRows(ModelSpec m, int rows, long cached) {
        long[] c = new long[rows];
        int[] n = new int[rows];
        Arrays.fill(c, cached);
        Arrays.fill(n, 1);
        return ForwardStep.build(m, Precision.DEFAULT, c, n, n.clone(), ExpertRouting.UNIFORM_EXPECTED);
    }

    /** Every field of two ops but the attention detail (summed over rows in ForwardStep, per sequence in DecodeStep). */
    static void assertSameOp(Op a, Op b) {
        assertEquals(a.kind(), b.kind(), a.name());
        assertEquals(a.name(), b.name());
        assertEquals(a.layer(), b.layer(), a.name());
        assertEquals(a.matmul(), b.matmul(), a.name());
        assertEquals(a.weightBytes(), b.weightBytes(), 0.0, a.name());
        assertEquals(a.activationBytesIn(), b.activationBytesIn(), a.name());
        assertEquals(a.activationBytesOut(), b.activationBytesOut(), a.name());
        assertEquals(a.kvBytesRead(), b.kvBytesRead(), a.name());
        assertEquals(a.kvBytesWritten(), b.kvBytesWritten(), a.name());
        assertEquals(a.flops(), b.flops(), a.name());
    }

    @Test
    void build_uniformDecodeRows_sameOpsAsDecodeStep() {
        // Dense, MoE, sliding window with sinks (gpt-oss), contexts below and above its 128-token window.
        for (ModelSpec m : List.of(LLAMA8B, ModelCatalog.get("mixtral-8x7b"), GPT_OSS, ModelCatalog.get("llama-3.2-1b"))) {
            for (long cached : new long[] {0, 50, 1000}) {
                DecodeStep d = DecodeStep.build(m, Precision.DEFAULT, 3, cached);
                ForwardStep f = decodeRows(m, 3, cached);
                assertSameOp(d.embedding(), f.embedding());
                assertEquals(d.layers().size(), f.layers().size());
                for (int l = 0; l < d.layers().size(); l++) {
                    List<Op> a = d.layer(l).ops();
                    List<Op> b = f.layers().get(l).ops();
                    assertEquals(a.size(), b.size(), m.name());
                    for (int i = 0; i < a.size(); i++) {
                        assertSameOp(a.get(i), b.get(i));
                    }
                }
                assertSameOp(d.finalNorm(), f.finalNorm());
                assertSameOp(d.lmHead(), f.lmHead());
                assertEquals(3, f.newTokens());
                assertEquals(3, f.logitTokens());
            }
        }
    }

    @Test
    void attention_prefillChunk_pairsQuadraticInTheChunk() {
        // One row: 100 cached, 50 new. Token j attends 101 + j keys: 50 x 100 + 50 x 51 / 2 = 6,275 pairs.
        ForwardStep f = ForwardStep.build(LLAMA8B, Precision.DEFAULT, new long[] {100}, new int[] {50}, new int[] {1},
                ExpertRouting.UNIFORM_EXPECTED);
        Op a = f.layers().get(0).ops().get(3);
        assertEquals(OpKind.ATTENTION, a.kind());
        assertEquals(6_275, a.attention().attendedTokens());
        // QK^T and PV: 32 heads x pairs x 2 x 128 each; softmax 32 x pairs x 6.
        assertEquals(32L * 6_275 * 2 * 128, a.attention().qkFlops());
        assertEquals(32L * 6_275 * 6, a.attention().softmaxFlops());
        // The cached 100 tokens are read once; the 50 new ones written: 8 KV heads x 128 x 2 (K, V) x 2 bytes.
        long perToken = 8L * 128 * 2 * 2;
        assertEquals(100 * perToken, a.kvBytesRead());
        assertEquals(50 * perToken, a.kvBytesWritten());
        // Every matmul has the 50 new tokens as rows; the LM head only the one logit row.
        assertEquals(50, f.layers().get(0).ops().get(1).matmul().tokens());
        assertEquals(1, f.lmHead().matmul().tokens());
    }

    @Test
    void attendedSum_slidingWindow_capsEveryQuery() {
        // Keys 101, 102, ... capped at 128: 101..128 (28 queries, (101 + 128) x 28 / 2 = 3,206), then 22 x 128.
        assertEquals(3_206 + 22 * 128, ForwardStep.attendedSum(101, 50, 128));
        assertEquals(50 * 128, ForwardStep.attendedSum(200, 50, 128));
        assertEquals(50 * 101 + 50 * 49 / 2, ForwardStep.attendedSum(101, 50, 0));
        // gpt-oss layer 0 slides over 128 tokens: 100 cached (all inside the window) are read once.
        ForwardStep f = ForwardStep.build(GPT_OSS, Precision.DEFAULT, new long[] {100}, new int[] {50}, new int[] {0},
                ExpertRouting.UNIFORM_EXPECTED);
        AttentionDetail d = f.layers().get(0).ops().get(3).attention();
        assertEquals(3_206 + 22 * 128, d.attendedTokens());
        assertEquals(100, d.cachedTokensRead());
        // With sinks, one more logit per query.
        assertEquals(3_206 + 22 * 128 + 50, d.softmaxLogits());
    }

    @Test
    void lmHead_chunkMidPrompt_absent() {
        ForwardStep f = ForwardStep.build(LLAMA8B, Precision.DEFAULT, new long[] {0}, new int[] {512}, new int[] {0},
                ExpertRouting.UNIFORM_EXPECTED);
        assertNull(f.lmHead());
        assertEquals(0, f.logitTokens());
        assertEquals(512, f.newTokens());
    }

    @Test
    void build_mixedBatch_rowsOfEveryKind() {
        // Two decode rows and a verify step of 4 tokens (3 drafts + 1) with 4 logits, and a prefill chunk of 30.
        ForwardStep f = ForwardStep.build(LLAMA8B, Precision.DEFAULT, new long[] {10, 20, 500, 0},
                new int[] {1, 1, 4, 30}, new int[] {1, 1, 4, 0}, ExpertRouting.UNIFORM_EXPECTED);
        assertEquals(36, f.newTokens());
        assertEquals(6, f.logitTokens());
        assertEquals(4, f.rows());
        // Pairs: 11 + 21 + (4 x 500 + 10) + 30 x 31 / 2 = 11 + 21 + 2,010 + 465.
        assertEquals(11 + 21 + 2_010 + 465, f.layers().get(5).ops().get(3).attention().attendedTokens());
        assertEquals(6, f.lmHead().matmul().tokens());
    }
}
