package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class PrecisionTest {

    @Test
    void parse_blank_isBf16Default() {
        assertEquals(Precision.DEFAULT, Precision.parse("", null));
        assertEquals(Precision.DEFAULT, Precision.parse("BF16", "bf16"));
        assertEquals("bf16/kv=bf16", Precision.DEFAULT.label());
    }

    @Test
    void parse_int4_defaultsToGroup128BlockLinear() {
        Precision p = Precision.parse("int4", null);
        assertEquals(NumberFormat.INT4, p.weights());
        assertEquals(128, p.weightGroupSize());
        assertEquals(QuantScope.BLOCK_LINEAR, p.scope());
        assertEquals("int4:g128:block/kv=bf16", p.label());
    }

    @Test
    void parse_optionsAndAliases_applied() {
        Precision p = Precision.parse("int4:g64:ffn", "fp8");
        assertEquals(64, p.weightGroupSize());
        assertEquals(QuantScope.FFN_ONLY, p.scope());
        assertEquals(1, p.kvBytesPerElement());
        assertEquals(Precision.PER_CHANNEL, Precision.parse("int8:per-channel:all", null).weightGroupSize());
        assertEquals(NumberFormat.FP16, Precision.parse("float16", null).weights());
        assertEquals(Precision.GPT_OSS_NATIVE, Precision.parse("mxfp4:ffn", null));
    }

    @Test
    void parse_unknownFormat_messageNamesKeyValueAndAllowed() {
        ConfigException ex = assertThrows(ConfigException.class, () -> Precision.parse("int3", null));
        assertTrue(ex.getMessage().startsWith("precision.weights=int3 is not allowed; expected a format bf16, fp16, fp8,"),
                ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> Precision.parse("int4:g0x", null));
        assertTrue(ex.getMessage().startsWith("precision.weights=int4:g0x is not allowed"), ex.getMessage());
    }

    @Test
    void parse_badKvFormat_messageNamesKvKey() {
        ConfigException ex = assertThrows(ConfigException.class, () -> Precision.parse("bf16", "int4"));
        assertEquals("precision.kvCache=int4 is not allowed; expected bf16, fp16 or fp8", ex.getMessage());
    }

    @Test
    void parse_groupOnUnscaledOrWrongMxfp4Block_rejected() {
        ConfigException ex = assertThrows(ConfigException.class, () -> Precision.parse("bf16:g128", null));
        assertTrue(ex.getMessage().contains("bf16 is not quantized"), ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> Precision.parse("mxfp4:g64", null));
        assertTrue(ex.getMessage().contains("MXFP4 blocks are 32 weights"), ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> Precision.parse("int4:g0", null));
        assertTrue(ex.getMessage().contains("group size of at least 1"), ex.getMessage());
    }

    @Test
    void matrixBytes_bf16_twoBytesPerWeight() {
        // Llama-3.1-8B q+k+v as one matrix: 4096 x 6144 x 2 bytes.
        assertEquals(50_331_648L, Precision.DEFAULT.matrixBytes(TensorRole.ATTENTION, 4096, 6144));
    }

    @Test
    void matrixBytes_int4Group128_dataPlusBf16Scales() {
        Precision p = Precision.parse("int4", null);
        // data 4096*6144/2 = 12,582,912; scales 6144 rows * 4096/128 = 32 groups * 2 bytes = 393,216.
        assertEquals(12_976_128L, p.matrixBytes(TensorRole.ATTENTION, 4096, 6144));
        // 4.125 bits per weight when in divides by 128.
        assertEquals(4.125, p.matrixBytes(TensorRole.FFN, 4096, 14336) * 8.0 / (4096.0 * 14336), 0.0);
    }

    @Test
    void matrixBytes_groupNotDividingInput_lastGroupPartial() {
        Precision p = Precision.parse("int4:g64", null);
        // 100 x 3: data 300 * 4 bits = 150 bytes; ceil(100/64) = 2 groups per row * 3 rows * 2 bytes = 12.
        assertEquals(162, p.matrixBytes(TensorRole.ATTENTION, 100, 3));
    }

    @Test
    void matrixBytes_int8PerChannel_oneScalePerOutput() {
        // 4096 x 1024 bytes + 1024 scales * 2 bytes.
        assertEquals(4_196_352L, Precision.parse("int8", null).matrixBytes(TensorRole.ATTENTION, 4096, 1024));
    }

    @Test
    void matrixBytes_mxfp4_is4point25Bits() {
        // gpt-oss expert gate_up: 2880 in x 5760 out: data 8,294,400 bytes; scales 5760 * 90 blocks * 1 byte.
        assertEquals(8_812_800L, Precision.GPT_OSS_NATIVE.matrixBytes(TensorRole.EXPERT, 2880, 5760));
    }

    @Test
    void matrixBytes_outsideScope_staysBf16() {
        Precision p = Precision.parse("int4", null);
        assertEquals(2L * 4096 * 128256, p.matrixBytes(TensorRole.EMBEDDING, 4096, 128256));
        assertEquals(2L * 4096 * 8, p.matrixBytes(TensorRole.ROUTER, 4096, 8));
        assertEquals(Precision.parse("int4:all", null).matrixBytes(TensorRole.ATTENTION, 4096, 128256),
                Precision.parse("int4:all", null).matrixBytes(TensorRole.LM_HEAD, 4096, 128256));
    }

    @Test
    void weightBytes_gptOssNative_matchesPublishedCheckpointSize() {
        ModelSpec m = ModelCatalog.get("gpt-oss-120b");
        // Experts: 36 layers * 128 experts * 3 * 2880 * 2880 = 114,661,785,600 weights at 4 bits = 57,330,892,800
        // bytes; E8M0 scales: (2 * 2880 + 2880) rows * 90 blocks = 777,600 bytes per expert * 4608 experts
        // = 3,583,180,800. Everything else bf16: (116,829,156,672 - 114,661,785,600) * 2 = 4,334,742,144.
        long expected = 57_330_892_800L + 3_583_180_800L + 4_334_742_144L;
        assertEquals(expected, m.weightBytes(Precision.GPT_OSS_NATIVE));
        // gpt-oss model card (arXiv:2508.10925), Table 1: checkpoint size 60.8 GiB.
        assertEquals(60.8, expected / (double) (1L << 30), 0.05);
    }

    @Test
    void kvCacheBytes_fp8_halvesBf16() {
        ModelSpec m = ModelCatalog.get("llama-3.1-8b");
        assertEquals(m.kvCacheBytes(Precision.DEFAULT, 4096, 8) / 2,
                m.kvCacheBytes(Precision.DEFAULT.withKvCache(NumberFormat.FP8), 4096, 8));
    }
}
