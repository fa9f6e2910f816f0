package dev.wafersim.memory.sram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class SramBankModelTest {
    /** WSE defaults: 48 KB, 8 banks of 2-byte interleave, 2 reads + 1 write, 64-bit ports, 4 KB reserve. */
    static final SramParams WSE = new SramParams(48 * 1024, 8, 2, 2, 1, 64, 4096);
    final SramBankModel m = new SramBankModel(WSE);

    @Test
    void elementsPerCycle_fp16Fma_portLimitsWideSimd() {
        // y = y + a * x: two fp16 read streams and one write; a 64-bit port moves 4 fp16, so an
        // 8-wide SIMD (WSE-3) runs at 4 per cycle and a 4-wide one (WSE-2) at 4.
        Stream y = new Stream(0, 1, 2);
        Stream a = new Stream(8, 1, 2);
        assertEquals(4, m.elementsPerCycle(8, new Stream[] {y, a}, y));
        assertEquals(4, m.elementsPerCycle(4, new Stream[] {y, a}, y));
        // With 128-bit ports the 8-wide SIMD is reached.
        SramBankModel wide = new SramBankModel(new SramParams(48 * 1024, 8, 2, 2, 1, 128, 4096));
        assertEquals(8, wide.elementsPerCycle(8, new Stream[] {y, a}, y));
    }

    @Test
    void cycles_twoStreamsInDisjointBanks_noStall() {
        // 4 fp16 per chunk cover 8 bytes = 4 banks. Stream y at byte 0 covers banks 0-3 in chunk 0 and
        // 4-7 in chunk 1; stream a at byte 8 covers 4-7 then 0-3: never the same bank.
        // 1024 elements / 4 per cycle = 256 cycles.
        Stream y = new Stream(0, 1, 2);
        Stream a = new Stream(8, 1, 2);
        assertEquals(256, m.cycles(1024, 8, new Stream[] {y, a}, y));
    }

    @Test
    void cycles_twoStreamsInSameBanks_everyChunkStalls() {
        // Both streams start at the same bank (byte 0 and byte 16): every chunk needs the same 4
        // banks twice, so each takes 2 cycles: 1024 / 4 x 2 = 512.
        Stream y = new Stream(0, 1, 2);
        Stream a = new Stream(16, 1, 2);
        assertEquals(512, m.cycles(1024, 8, new Stream[] {y, a}, y));
    }

    @Test
    void cycles_partialOverlap_stallsOnlyOverlappingChunks() {
        // Stream a starts 2 banks after y (byte 4): banks {0-3} vs {2-5}, then {4-7} vs {6,7,0,1}:
        // every chunk overlaps -> 2 cycles each. With a at byte 8 + 16k: no overlap. With 5 elements
        // (2 chunks: 4 + 1) and a at byte 6 (bank 3): chunk 0 {0-3} vs {3-6} overlap; chunk 1 y elem 4
        // (bank 4) vs a elem 4 (byte 14, bank 7): no overlap -> 2 + 1 = 3 cycles.
        Stream y = new Stream(0, 1, 2);
        assertEquals(2 * 256, m.cycles(1024, 8, new Stream[] {y, new Stream(4, 1, 2)}, y));
        assertEquals(3, m.cycles(5, 8, new Stream[] {y, new Stream(6, 1, 2)}, y));
    }

    @Test
    void cycles_strided_oneElementPerCycle() {
        // Stride 2 fp32 reads one element per access: 100 elements, 100 cycles (single stream).
        Stream s = new Stream(0, 2, 4);
        assertEquals(100, m.cycles(100, 4, new Stream[] {s}, null));
        // A stride-0 stream (scalar) does not limit the rate or use a port.
        Stream scalar = new Stream(40, 0, 4);
        Stream v = new Stream(0, 1, 4);
        assertEquals(50, m.cycles(100, 4, new Stream[] {v, scalar}, v));
    }

    @Test
    void cycles_moreStreamsThanPorts_throws() {
        Stream a = new Stream(0, 1, 2);
        assertThrows(IllegalArgumentException.class,
                () -> m.cycles(8, 8, new Stream[] {a, new Stream(8, 1, 2), new Stream(16, 1, 2)}, null));
    }

    @Test
    void layout_overCapacity_messageNamesOwnerBufferAndShortfall() {
        SramLayout l = new SramLayout(WSE, "PE (3,7)");
        assertEquals(0, l.place("weights", 40_000, 16));
        assertEquals(40_000, l.place("x", 100, 16));
        ConfigException ex = assertThrows(ConfigException.class, () -> l.place("kv", 5_000, 16));
        // Data capacity = 49,152 - 4,096 = 45,056; kv would end at 40,112 + 5,000 = 45,112: short by 56.
        assertTrue(ex.getMessage().startsWith("PE (3,7): placing kv (5,000 bytes)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("short by 56 bytes"), ex.getMessage());
        assertTrue(ex.getMessage().contains("weights 40,000 B"), ex.getMessage());
    }
}
