package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-computed ops and invariants of {@link DecodeStep}. */
class DecodeStepTest {
    static final ModelSpec LLAMA8B = ModelCatalog.get("llama-3.1-8b");
    static final ModelSpec LLAMA1B = ModelCatalog.get("llama-3.2-1b");
    static final ModelSpec MIXTRAL = ModelCatalog.get("mixtral-8x7b");
    static final ModelSpec GPT_OSS = ModelCatalog.get("gpt-oss-120b");

    private static Op op(DecodeStep s, int layer, OpKind kind) {
        return s.layer(layer).ops().stream().filter(o -> o.kind() == kind).findFirst().orElseThrow();
    }

    @Test
    void layerOps_denseLayer_orderAndNames() {
        DecodeStep s = DecodeStep.build(LLAMA8B, Precision.DEFAULT, 1, 10);
        List<String> names = s.layer(3).ops().stream().map(Op::name).toList();
        assertEquals(List.of("layers.3.attn_norm", "layers.3.qkv_proj", "layers.3.rotary", "layers.3.attention",
                "layers.3.o_proj", "layers.3.attn_residual", "layers.3.ffn_norm", "layers.3.gate_up_proj",
                "layers.3.act", "layers.3.down_proj", "layers.3.ffn_residual"), names);
        List<Op> all = s.ops();
        assertEquals(1 + 32 * 11 + 2, all.size());
        assertEquals(OpKind.EMBEDDING, all.get(0).kind());
        assertEquals("final_norm", all.get(all.size() - 2).name());
        assertEquals(OpKind.LM_HEAD, all.get(all.size() - 1).kind());
        assertEquals(Op.NO_LAYER, all.get(all.size() - 1).layer());
    }

    @Test
    void layerOps_moeLayer_orderAndNames() {
        DecodeStep s = DecodeStep.build(MIXTRAL, Precision.DEFAULT, 1, 10);
        List<OpKind> kinds = s.layer(0).ops().stream().map(Op::kind).toList();
        assertEquals(List.of(OpKind.RMS_NORM, OpKind.QKV_PROJ, OpKind.ROTARY, OpKind.ATTENTION, OpKind.OUT_PROJ,
                OpKind.RESIDUAL_ADD, OpKind.RMS_NORM, OpKind.ROUTER, OpKind.EXPERT_GATE_UP_PROJ, OpKind.FFN_ACTIVATION,
                OpKind.EXPERT_DOWN_PROJ, OpKind.MOE_COMBINE, OpKind.RESIDUAL_ADD), kinds);
    }

    @Test
    void qkvProj_llama8bBatch1_handComputed() {
        Op qkv = op(DecodeStep.build(LLAMA8B, Precision.DEFAULT, 1, 4096), 0, OpKind.QKV_PROJ);
        // in 4096, out 4096 + 2 * 1024 = 6144, one row.
        assertEquals(new MatmulShape(4096, 6144, 1, 1.0), qkv.matmul());
        assertEquals(4096.0 * 6144 * 2, qkv.weightBytes(), 0.0);
        assertEquals(2L * 4096 * 6144, qkv.flops());
        assertEquals(4096L * 2, qkv.activationBytesIn());
        assertEquals(6144L * 2, qkv.activationBytesOut());
        assertEquals(0, qkv.kvBytesRead());
    }

    @Test
    void qkvProj_qwenBias_addsBiasBytesAndFlops() {
        ModelSpec q = ModelCatalog.get("qwen2.5-32b");
        Op qkv = op(DecodeStep.build(q, Precision.DEFAULT, 2, 1), 0, OpKind.QKV_PROJ);
        // out 5120 + 2 * 1024 = 7168: weights 5120 * 7168 * 2 + bias 7168 * 2 bytes;
        // FLOPs 2 * 5120 * 7168 * 2 rows + 7168 * 2 rows bias adds.
        assertEquals(5120.0 * 7168 * 2 + 7168 * 2, qkv.weightBytes(), 0.0);
        assertEquals(2L * 5120 * 7168 * 2 + 7168L * 2, qkv.flops());
    }

    @Test
    void attention_llama8bContext4096_handComputed() {
        Op a = op(DecodeStep.build(LLAMA8B, Precision.DEFAULT, 1, 4096), 0, OpKind.ATTENTION);
        // 4096 cached tokens * 8 KV heads * 128 * 2 (K and V) * 2 bytes.
        assertEquals(4096L * 8 * 128 * 2 * 2, a.kvBytesRead());
        // The new token's K and V: 8 * 128 * 2 * 2 bytes.
        assertEquals(8L * 128 * 2 * 2, a.kvBytesWritten());
        AttentionDetail d = a.attention();
        assertEquals(4097, d.attendedTokens());
        assertEquals(4096, d.cachedTokensRead());
        assertEquals(0, d.windowTokens());
        // QK^T: 32 query heads * 4097 keys * 2 * 128; softmax 32 * 4097 * 6; PV as QK^T.
        assertEquals(32L * 4097 * 256, d.qkFlops());
        assertEquals(32L * 4097 * 6, d.softmaxFlops());
        assertEquals(32L * 4097 * 256, d.pvFlops());
        assertEquals(d.qkFlops() + d.softmaxFlops() + d.pvFlops(), a.flops());
        // Reads the 4096-wide query, writes the 4096-wide context vector, bf16.
        assertEquals(8192, a.activationBytesIn());
        assertEquals(8192, a.activationBytesOut());
        assertEquals(0.0, a.weightBytes(), 0.0);
        assertNull(a.matmul());
    }

    @Test
    void otherOps_llama8bBatch1_handComputed() {
        DecodeStep s = DecodeStep.build(LLAMA8B, Precision.DEFAULT, 1, 100);
        // o_proj 4096 x 4096; gate_up 4096 x 2*14336; down 14336 x 4096; all bf16.
        assertEquals(4096.0 * 4096 * 2, op(s, 0, OpKind.OUT_PROJ).weightBytes(), 0.0);
        Op gateUp = op(s, 0, OpKind.GATE_UP_PROJ);
        assertEquals(new MatmulShape(4096, 28672, 1, 1.0), gateUp.matmul());
        assertEquals(4096.0 * 28672 * 2, gateUp.weightBytes(), 0.0);
        assertEquals(2L * 4096 * 28672, gateUp.flops());
        assertEquals(2L * 14336 * 4096, op(s, 0, OpKind.DOWN_PROJ).flops());
        // SiLU-multiply: 5 FLOPs per element of 14336; reads gate and up, writes one.
        Op act = op(s, 0, OpKind.FFN_ACTIVATION);
        assertEquals(5L * 14336, act.flops());
        assertEquals(2L * 14336 * 2, act.activationBytesIn());
        // RMSNorm: 4 * 4096 + 3; reads its 4096-element bf16 weight.
        Op norm = op(s, 0, OpKind.RMS_NORM);
        assertEquals(4L * 4096 + 3, norm.flops());
        assertEquals(8192.0, norm.weightBytes(), 0.0);
        // Rotary: (32 + 8) heads * 128 * 3.
        assertEquals(40L * 128 * 3, op(s, 0, OpKind.ROTARY).flops());
        assertEquals(4096L, op(s, 0, OpKind.RESIDUAL_ADD).flops());
        // Embedding: one bf16 row of 4096 and one int32 id.
        assertEquals(8192.0, s.embedding().weightBytes(), 0.0);
        assertEquals(4, s.embedding().activationBytesIn());
        // LM head: 4096 x 128256 bf16; writes 128256 bf16 logits.
        assertEquals(4096.0 * 128256 * 2, s.lmHead().weightBytes(), 0.0);
        assertEquals(128256L * 2, s.lmHead().activationBytesOut());
    }

    @Test
    void totals_llama8bBatch1_flopsMatchClosedForm() {
        long c = 999; // cached tokens; the step attends over 1000.
        DecodeStep s = DecodeStep.build(LLAMA8B, Precision.DEFAULT, 1, c);
        long h = 4096;
        long f = 14336;
        long perLayer = 2 * (4 * h + 3)           // two RMSNorms
                + 2 * h * 6144                     // qkv
                + 3 * 40 * 128                     // rotary
                + 32 * 1000 * (256 + 6 + 256)      // attention
                + 2 * h * h                        // o_proj
                + 2 * h                            // two residual adds
                + 2 * h * 2 * f + 5 * f + 2 * f * h; // FFN
        long expected = 32 * perLayer + (4 * h + 3) + 2 * h * 128256;
        assertEquals(expected, s.totals().flops());
        // KV: 32 layers * 999 cached tokens * 4096 bytes read; 32 * 4096 written.
        assertEquals(32L * 999 * 4096, s.totals().kvBytesRead());
        assertEquals(32L * 4096, s.totals().kvBytesWritten());
    }

    @Test
    void weightBytes_denseUntiedStep_isParametersMinusEmbeddingPlusBatchRows() {
        for (int batch : new int[] {1, 7}) {
            DecodeStep s = DecodeStep.build(LLAMA8B, Precision.DEFAULT, batch, 123);
            // 2 bytes * (8,030,261,248 parameters - 128256 * 4096 table) + batch rows of 4096 * 2 bytes.
            long expected = 2L * (8_030_261_248L - 128_256L * 4096) + batch * 8192L;
            assertEquals((double) expected, s.totals().weightBytes(), 0.0);
        }
    }

    @Test
    void weightBytes_tiedStep_isAllParametersPlusBatchRows() {
        DecodeStep s = DecodeStep.build(LLAMA1B, Precision.DEFAULT, 4, 50);
        // The LM head reads the whole (tied) table, the lookup 4 rows: 2 * 1,235,814,400 + 4 * 2048 * 2.
        assertEquals(2.0 * 1_235_814_400L + 4 * 2048 * 2, s.totals().weightBytes(), 0.0);
    }

    @Test
    void weightBytes_moeBatch1_isActiveParametersMinusEmbedding() {
        // Mixtral: 2 * 12,748,853,248 (active without the input table: 12,879,925,248 - 32000 * 4096) + 4096 * 2.
        assertEquals(2.0 * 12_748_853_248L + 8192,
                DecodeStep.build(MIXTRAL, Precision.DEFAULT, 1, 10).totals().weightBytes(), 0.0);
        // gpt-oss-120b: 2 * 5,132,849,472 (model card's 5.13B active) + 2880 * 2.
        assertEquals(2.0 * 5_132_849_472L + 5760,
                DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 10).totals().weightBytes(), 0.0);
    }

    @Test
    void weightBytes_quantizedStep_equalsStoredBytesMinusTablePlusRows() {
        Precision p = Precision.parse("int4:all", "fp8");
        DecodeStep s = DecodeStep.build(LLAMA8B, p, 3, 10);
        // int4 g128 everywhere: table bytes = 128256 rows * (4096/2 + 32 groups * 2) = 128256 * 2112.
        long table = 128_256L * 2112;
        assertEquals(table, LLAMA8B.embeddingTableBytes(p));
        assertEquals((double) (LLAMA8B.weightBytes(p) - table + 3 * 2112), s.totals().weightBytes(), 0.0);
    }

    @Test
    void expertOps_mixtralBatch1_touchKExperts() {
        DecodeStep s = DecodeStep.build(MIXTRAL, Precision.DEFAULT, 1, 10);
        Op gateUp = op(s, 0, OpKind.EXPERT_GATE_UP_PROJ);
        // 1 token * 2 experts = 2 rows; 2 distinct experts read, each 4096 x 28672 bf16.
        assertEquals(new MatmulShape(4096, 28672, 2, 2.0), gateUp.matmul());
        assertEquals(2.0 * 4096 * 28672 * 2, gateUp.weightBytes(), 0.0);
        assertEquals(2L * 4096 * 28672 * 2, gateUp.flops());
        // Router: 4096 x 8 matmul + softmax over the 2 selected logits (6 FLOPs each).
        Op router = op(s, 0, OpKind.ROUTER);
        assertEquals(2L * 4096 * 8 + 2 * 6, router.flops());
        assertEquals(4096.0 * 8 * 2, router.weightBytes(), 0.0);
        // Combine: 2 * 2 pairs * 4096.
        assertEquals(2L * 2 * 4096, op(s, 0, OpKind.MOE_COMBINE).flops());
    }

    @Test
    void expertOps_batch2_readExpectedDistinctExperts() {
        DecodeStep s = DecodeStep.build(MIXTRAL, Precision.DEFAULT, 2, 10);
        Op down = op(s, 5, OpKind.EXPERT_DOWN_PROJ);
        // Expected distinct experts 8 * (1 - (6/8)^2) = 3.5; each down matrix 14336 x 4096 bf16. FLOPs count all
        // 4 token-expert rows.
        assertEquals(3.5, down.matmul().matrices(), 1e-12);
        assertEquals(3.5 * 14336 * 4096 * 2, down.weightBytes(), 1e-3);
        assertEquals(2L * 14336 * 4096 * 4, down.flops());
        DecodeStep worst = DecodeStep.build(MIXTRAL, Precision.DEFAULT, 2, 10, ExpertRouting.ALL_DISTINCT);
        assertEquals(4.0, op(worst, 5, OpKind.EXPERT_DOWN_PROJ).matmul().matrices(), 0.0);
    }

    @Test
    void expertOps_gptOssLargeBatch_approachAllExperts() {
        DecodeStep s = DecodeStep.build(GPT_OSS, Precision.DEFAULT, 4096, 10);
        double touched = op(s, 0, OpKind.EXPERT_GATE_UP_PROJ).matmul().matrices();
        // 128 * (1 - (124/128)^4096): (124/128)^4096 = exp(-130) ~ 0.
        assertEquals(128.0, touched, 1e-9);
    }

    @Test
    void attention_gptOssSlidingLayer_cappedAtWindow() {
        DecodeStep s = DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 1000);
        AttentionDetail sliding = op(s, 0, OpKind.ATTENTION).attention();
        AttentionDetail full = op(s, 1, OpKind.ATTENTION).attention();
        // 1001 positions: sliding layer sees 128 keys (127 cached + new); full layer all 1001.
        assertEquals(128, sliding.attendedTokens());
        assertEquals(127, sliding.cachedTokensRead());
        assertEquals(128, sliding.windowTokens());
        assertEquals(1001, full.attendedTokens());
        // KV bytes read: 127 * 8 * 64 * 2 * 2 on the sliding layer.
        assertEquals(127L * 2048, op(s, 0, OpKind.ATTENTION).kvBytesRead());
        // Sinks: one extra softmax logit per head; 64 heads * 129 logits * 6.
        assertEquals(129, sliding.softmaxLogits());
        assertEquals(64L * 129 * 6, sliding.softmaxFlops());
        // The sinks are 64 bf16 weights.
        assertEquals(128.0, op(s, 0, OpKind.ATTENTION).weightBytes(), 0.0);
    }

    @Test
    void attention_gptOssAtWindowBoundary_capStartsAfter128Positions() {
        // 127 cached + 1 = 128 positions: no cap yet; 128 cached: 129 positions, capped to 128.
        assertEquals(128, op(DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 127), 0, OpKind.ATTENTION)
                .attention().attendedTokens());
        assertEquals(127, op(DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 126), 0, OpKind.ATTENTION)
                .attention().attendedTokens());
        assertEquals(128, op(DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 128), 0, OpKind.ATTENTION)
                .attention().attendedTokens());
        assertEquals(129, op(DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 128), 1, OpKind.ATTENTION)
                .attention().attendedTokens());
    }

    @Test
    void layerShapes_denseOneShape_gptOssTwo() {
        Map<LayerShape, Integer> dense = DecodeStep.build(LLAMA8B, Precision.DEFAULT, 1, 1).layerShapeCounts();
        assertEquals(Map.of(new LayerShape(AttentionType.FULL, 0, false), 32), dense);
        DecodeStep g = DecodeStep.build(GPT_OSS, Precision.DEFAULT, 1, 1);
        assertEquals(List.of("moe/sliding128", "moe/full"),
                g.layersByShape().keySet().stream().map(LayerShape::key).toList());
        assertEquals(List.of(18, 18), List.copyOf(g.layerShapeCounts().values()));
    }

    @Test
    void layers_sameShape_identicalOpsExceptIndex() {
        DecodeStep g = DecodeStep.build(GPT_OSS, Precision.DEFAULT, 3, 500);
        List<LayerOps> layers = g.layers();
        assertSame(layers, g.layers(), "built once");
        for (LayerOps l : layers) {
            LayerOps first = layers.get(l.layer() % 2);
            assertEquals(first.shape(), l.shape());
            for (int i = 0; i < l.ops().size(); i++) {
                Op a = first.ops().get(i);
                Op b = l.ops().get(i);
                assertEquals(l.layer(), b.layer());
                assertTrue(b.name().startsWith("layers." + l.layer() + "."), b.name());
                assertEquals(a.name().substring(a.name().indexOf('.', 7)), b.name().substring(b.name().indexOf('.', 7)));
                assertEquals(a.flops(), b.flops());
                assertEquals(a.weightBytes(), b.weightBytes(), 0.0);
                assertEquals(a.kvBytesRead(), b.kvBytesRead());
            }
        }
        // Totals from shapes equal the sum over every op.
        assertEquals(OpTotals.of(g.ops()), g.totals());
    }
}
