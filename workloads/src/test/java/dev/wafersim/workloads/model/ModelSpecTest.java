package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Parameter counts, KV sizes and validation of {@link ModelSpec} over the catalog presets.
 *
 * <p>Two kinds of expected values: published sizes (rounded; the count must round to the published
 * figure, i.e. lie within half a unit of its last digit) and exact hand calculations from the
 * architecture (the arithmetic is written next to each number). The rounding test alone would not see
 * a missing norm vector (0.27 M parameters on 8 B), the exact test does.
 */
class ModelSpecTest {

    /**
     * Published sizes. Sources: Hugging Face model pages ("Model size", from the safetensors files):
     * Llama-3.2-1B 1.24B, Llama-3.2-3B 3.21B, Llama-3.1-8B 8.03B, Llama-3.1-70B 70.6B, Llama-3.1-405B
     * 406B (405.9 at one more digit), Llama-2-7b-hf 6.74B, Llama-2-70b-hf 69.0B, Qwen2.5-32B 32.8B
     * (Qwen's own card says 32.5B; the safetensors total and the architecture give 32.76B),
     * Mixtral-8x7B 46.7B (Mistral AI, "Mixtral of experts", Dec 2023: "46.7B total parameters"),
     * gpt-oss-120b 116.83B (OpenAI gpt-oss model card, arXiv:2508.10925, Table 1).
     */
    @ParameterizedTest(name = "{0} rounds to {1} B")
    @CsvSource({
            "llama-3.2-1b,   1.24,   0.01",
            "llama-3.2-3b,   3.21,   0.01",
            "llama-3.1-8b,   8.03,   0.01",
            "llama-3.1-70b,  70.6,   0.1",
            "llama-3.1-405b, 405.9,  0.1",
            "llama-2-7b,     6.74,   0.01",
            "llama-2-70b,    69.0,   0.1",
            "qwen2.5-32b,    32.8,   0.1",
            "mixtral-8x7b,   46.7,   0.1",
            "gpt-oss-120b,   116.83, 0.01"})
    void totalParameters_preset_roundsToPublishedSize(String name, double publishedBillions, double lastDigit) {
        double billions = ModelCatalog.get(name).totalParameters() / 1e9;
        assertTrue(Math.abs(billions - publishedBillions) <= lastDigit / 2,
                name + ": " + billions + " B does not round to " + publishedBillions + " B");
    }

    /**
     * Exact counts by hand. Per layer: 2h (norms) + h*qDim + 2*h*kvDim + qDim*h (attention) + 3*h*f (FFN);
     * total = layers * perLayer + V*h (embedding) + V*h if untied (LM head) + h (final norm).
     * <pre>
     * llama-3.2-1b : h 2048, q 2048, kv 512, f 8192:   2*2048 + 2048*2048*2 + 2*2048*512 + 3*2048*8192
     *                = 4096 + 8,388,608 + 2,097,152 + 50,331,648 = 60,821,504; *16 = 973,144,064;
     *                + 128256*2048 (tied) 262,668,288 + 2048 = 1,235,814,400
     * llama-3.2-3b : h 3072, q 3072, kv 1024, f 8192: 6144 + 18,874,368 + 6,291,456 + 75,497,472 = 100,669,440;
     *                *28 = 2,818,744,320; + 128256*3072 (tied) 394,002,432 + 3072 = 3,212,749,824
     * llama-3.1-8b : h 4096, q 4096, kv 1024, f 14336: 8192 + 33,554,432 + 8,388,608 + 176,160,768 = 218,112,000;
     *                *32 = 6,979,584,000; + 2*128256*4096 = 1,050,673,152; + 4096 = 8,030,261,248
     * llama-3.1-70b: h 8192, kv 1024, f 28672: 16384 + 134,217,728 + 16,777,216 + 704,643,072 = 855,654,400;
     *                *80 = 68,452,352,000; + 2*128256*8192 = 2,101,346,304; + 8192 = 70,553,706,496
     * llama-3.1-405b: h 16384, kv 1024, f 53248: 32768 + 536,870,912 + 33,554,432 + 2,617,245,696
     *                = 3,187,703,808; *126 = 401,650,679,808; + 2*128256*16384 = 4,202,692,608; + 16384
     *                = 405,853,388,800
     * llama-2-7b   : h 4096, kv 4096 (MHA), f 11008: 8192 + 4*16,777,216 + 135,266,304 = 202,383,360;
     *                *32 = 6,476,267,520; + 2*32000*4096 = 262,144,000; + 4096 = 6,738,415,616
     * llama-2-70b  : per layer as llama-3.1-70b 855,654,400; *80 = 68,452,352,000; + 2*32000*8192
     *                = 524,288,000; + 8192 = 68,976,648,192
     * qwen2.5-32b  : h 5120, q 5120, kv 1024, f 27648, q/k/v bias 5120+2*1024: 10240 + 52,428,800
     *                + 10,485,760 + 7168 + 424,673,280 = 487,605,248; *64 = 31,206,735,872;
     *                + 2*152064*5120 = 1,557,135,360; + 5120 = 32,763,876,352
     * </pre>
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "llama-3.2-1b,   1235814400",
            "llama-3.2-3b,   3212749824",
            "llama-3.1-8b,   8030261248",
            "llama-3.1-70b,  70553706496",
            "llama-3.1-405b, 405853388800",
            "llama-2-7b,     6738415616",
            "llama-2-70b,    68976648192",
            "qwen2.5-32b,    32763876352"})
    void totalParameters_densePreset_equalsHandCount(String name, long expected) {
        ModelSpec m = ModelCatalog.get(name);
        assertEquals(expected, m.totalParameters());
        assertEquals(expected, m.activeParameters(), "dense: every parameter is active");
    }

    @Test
    void parameters_mixtral_matchHandCountAndPublished() {
        ModelSpec m = ModelCatalog.get("mixtral-8x7b");
        // attention 4096*4096*2 + 2*4096*1024 = 41,943,040; norms 8192; expert 3*4096*14336 = 176,160,768;
        // router 4096*8 = 32,768. Layer = 41,943,040 + 8192 + 8*176,160,768 + 32,768 = 1,451,270,144.
        assertEquals(176_160_768L, m.parametersPerFfn());
        assertEquals(1_451_270_144L, m.parametersPerLayer());
        // total = 32 * 1,451,270,144 + 2*32000*4096 + 4096 = 46,440,644,608 + 262,144,000 + 4096
        assertEquals(46_702_792_704L, m.totalParameters());
        // active = total - 32 layers * 6 idle experts * 176,160,768 = 46,702,792,704 - 33,822,867,456
        assertEquals(12_879_925_248L, m.activeParameters());
        // Mistral AI: "only uses 12.9B parameters per token" (embedding and LM head included).
        assertEquals(12.9, m.activeParameters() / 1e9, 0.05);
    }

    @Test
    void parameters_gptOss120b_matchModelCardTable() {
        ModelSpec m = ModelCatalog.get("gpt-oss-120b");
        // Attention per layer: q 2880*4096 + k,v 2*2880*512 + o 4096*2880 = 26,542,080; biases 4096 + 2*512 + 2880
        // = 8000; sinks 64. Sum 26,550,144. Model card Table 1: attention 0.96B = 36 * 26,550,144 = 955,805,184.
        assertEquals(26_550_144L, m.attentionParametersPerLayer());
        assertEquals(0.96, 36 * m.attentionParametersPerLayer() / 1e9, 0.005);
        // Expert: 3*2880*2880 + biases 2*2880 + 2880 = 24,883,200 + 8640 = 24,891,840. Router 2880*128 + 128.
        assertEquals(24_891_840L, m.parametersPerFfn());
        assertEquals(368_768L, m.routerParametersPerLayer());
        // Model card: MLP 114.71B = 36 * (368,768 + 128 * 24,891,840) = 114,714,874,368.
        assertEquals(114.71, 36 * m.ffnParametersPerLayer() / 1e9, 0.005);
        // Model card: embed + unembed 1.16B = 2 * 201088 * 2880 = 1,158,266,880.
        assertEquals(1.16, (m.embeddingParameters() + m.lmHeadParameters()) / 1e9, 0.005);
        // Total: 36 * (26,550,144 + 5760 norms + 3,186,524,288 MLP) + 1,158,266,880 + 2880 = 116,829,156,672.
        assertEquals(116_829_156_672L, m.totalParameters());
        // Active (card: 5.13B, unembedding counted, embedding not): 36 * (26,550,144 + 5760 + 368,768
        // + 4 * 24,891,840) + 579,133,440 unembedding + 2880 = 4,553,713,152 + 579,133,440 + 2880.
        assertEquals(5_132_849_472L, m.activeParametersExcludingInputEmbedding());
        assertEquals(5.13, m.activeParametersExcludingInputEmbedding() / 1e9, 0.005);
    }

    @Test
    void activeParametersExcludingInputEmbedding_tiedModel_keepsTable() {
        ModelSpec m = ModelCatalog.get("llama-3.2-1b");
        // The tied table is the LM head's matrix: it stays in the count.
        assertEquals(m.totalParameters(), m.activeParametersExcludingInputEmbedding());
        assertEquals(0, m.lmHeadParameters());
    }

    @Test
    void kvBytesPerTokenPerLayer_llama31_8b_bf16_is4KiB() {
        ModelSpec m = ModelCatalog.get("llama-3.1-8b");
        // K and V: 2 * 8 heads * 128 * 2 bytes = 4096 bytes; * 32 layers = 128 KiB per token (the usual figure).
        assertEquals(4096, m.kvBytesPerTokenPerLayer(Precision.DEFAULT));
        assertEquals(131_072L, m.kvCacheBytes(Precision.DEFAULT, 1, 1));
        // Llama-3.1-70B: 2 * 8 * 128 * 2 * 80 = 327,680 bytes = 320 KiB per token.
        assertEquals(327_680L, ModelCatalog.get("llama-3.1-70b").kvCacheBytes(Precision.DEFAULT, 1, 1));
    }

    @Test
    void kvCacheBytes_gptOss_slidingLayersHoldOnlyTheirWindow() {
        ModelSpec m = ModelCatalog.get("gpt-oss-120b");
        // 18 full layers hold 1000 positions, 18 sliding layers min(1000, 128) = 128: 18,000 + 2,304 = 20,304
        // layer-positions; per layer-position 2 * 8 * 64 * 2 = 2048 bytes; 2 sequences: 20,304 * 2048 * 2.
        assertEquals(83_165_184L, m.kvCacheBytes(Precision.DEFAULT, 1000, 2));
        // Below the window both kinds hold everything: 36 * 100 * 2048.
        assertEquals(7_372_800L, m.kvCacheBytes(Precision.DEFAULT, 100, 1));
    }

    @Test
    void weightBytes_bf16_isTwoBytesPerParameter() {
        for (ModelSpec m : ModelCatalog.all()) {
            assertEquals(2 * m.totalParameters(), m.weightBytes(Precision.DEFAULT), m.name());
        }
    }

    @Test
    void layerShape_gptOss_alternatesSlidingFirst() {
        ModelSpec m = ModelCatalog.get("gpt-oss-120b");
        assertEquals("moe/sliding128", m.layerShape(0).key());
        assertEquals("moe/full", m.layerShape(1).key());
        assertEquals(18, m.attention().count(AttentionType.SLIDING));
        assertEquals("dense/full", ModelCatalog.get("llama-3.1-8b").layerShape(31).key());
    }

    @Test
    void constructor_kvHeadsNotDividingHeads_configExceptionNamesField() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelSpec.builder("toy").layers(2).hidden(64)
                .heads(8, 3).ffn(128).vocab(100).build());
        assertEquals("model toy: numKvHeads=3 is not allowed; expected a divisor of numHeads=8", ex.getMessage());
    }

    @Test
    void constructor_zeroLayers_configExceptionNamesField() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelSpec.builder("toy").layers(0).hidden(64)
                .heads(8, 8).ffn(128).vocab(100).build());
        assertTrue(ex.getMessage().startsWith("model toy: numLayers=0 is not allowed"), ex.getMessage());
    }

    @Test
    void constructor_topKAboveExperts_configExceptionNamesField() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelSpec.builder("toy").layers(2).hidden(64)
                .heads(8, 8).ffn(128).experts(4, 5).vocab(100).build());
        assertTrue(ex.getMessage().contains("expertsPerToken=5"), ex.getMessage());
    }

    @Test
    void constructor_oneExpert_normalizedToDense() {
        ModelSpec m = ModelSpec.builder("toy").layers(2).hidden(64).heads(8, 8).ffn(128).experts(1, 1).vocab(100).build();
        assertEquals(0, m.numExperts());
        assertEquals(0, m.expertsPerToken());
        assertEquals("dense/full", m.layerShape(0).key());
    }

    @Test
    void constructor_patternLengthDiffers_configException() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelSpec.builder("toy").layers(3).hidden(64)
                .heads(8, 8).ffn(128).vocab(100).attention(AttentionPattern.full(2)).build());
        assertTrue(ex.getMessage().contains("expected numLayers=3"), ex.getMessage());
    }

    @Test
    void constructor_absurdSize_configExceptionInsteadOfOverflow() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelSpec.builder("huge").layers(60000)
                .hidden(1 << 20).heads(1024, 8).headDim(1024).ffn(1 << 20).vocab(100).build());
        assertTrue(ex.getMessage().contains("parameters is not allowed"), ex.getMessage());
    }

    @Test
    void renamed_keepsArchitecture() {
        ModelSpec m = ModelCatalog.get("llama-3.1-8b");
        ModelSpec r = m.renamed("x", "y");
        assertEquals("x", r.name());
        assertEquals(m, r.renamed(m.name(), m.source()));
    }
}
