package dev.wafersim.workloads.wafer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.workloads.model.AttentionPattern;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the cycles of one decode step of one layer to a derivation by hand from the mapping
 * ({@link LayerProgram}) and the WSE-3 preset's cycle rules, so that a change of the mapping or of
 * the PE, SRAM or fabric model that moves the layer's time shows up here with its phase.
 *
 * <p>The layer: hidden 256, 2 query heads sharing 1 KV head of 64 dimensions, FFN 256, on 8 x 2
 * PEs, 15 cached tokens + the new one. Per PE: hLen = 256 / 8 = 32 hidden elements; the one KV band
 * is both rows, 32 rotary pairs / 2 rows = 16 pairs, so d = 32 dimensions per row; QKV outputs per
 * row (2 + 2) x 32 = 128; attention-output inputs 2 x 32 = 64; FFN 128 per row (both rows carry the
 * same attention weights), gate/up outputs 256; tokens per column: 16 / 8 = 2.
 *
 * <p>Cycle rules (preset wse3, README "What is modelled"): ramp T_R = 2, 1 cycle per hop, task
 * activation 2 (the episode's clock starts after it), op latency 1. SRAM: 64-bit ports move 4 fp16
 * or 2 fp32 per access, so an fp16 operation over memory streams runs 4 elements per cycle whatever
 * its SIMD width; two read streams whose 64-bit chunks fall in the same banks (same 16-byte phase)
 * take 2 cycles per chunk; a strided stream moves 1 element per cycle; stride 0 (a register) costs
 * nothing. exp 8 passes, 1/sqrt 6, 1/x 4, SiLU 8 + 4 + 2 = 14. Collectives (Luczynski et al. HPDC
 * 2024, which the fabric tests hold to the cycle): chain reduce of B wavelets over P PEs
 * B + (2 T_R + 2)(P - 1) = B + 6 (P - 1); flooding broadcast B + P + 2 T_R = B + P + 4; a point-to-point
 * stream of B wavelets over h hops 1 + T_R + h + T_R + (B - 1) = B + h + 4.
 */
class LayerTimingTest {

    static final ModelSpec PIN = ModelSpec.builder("pin").layers(1).hidden(256).heads(2, 1).headDim(64).ffn(256)
            .vocab(64).attention(AttentionPattern.full(1)).build();
    static final int COLS = 8;
    static final int ROWS = 2;
    static final long POSITIONS = 16;

    /**
     * The layer's critical path, phase by phase (cycles; the row-0, column-0 PE unless said):
     * <pre>
     * RMSNorm 1          106  local: MOV 1 + FMA(mixed) of x by x, 32 elements, both reads in the same
     *                         banks: 8 chunks x 2 = 16  -> 17; chain of 1 fp32 wavelet over 8: 1 + 42 = 43;
     *                         scale at the root: MUL 1 + ADD 1 + RSQRT 6 = 8; broadcast 1 + 8 + 4 = 13;
     *                         apply (last PE of row 0): NARROW 1 + MUL by the scale 8 + MUL by gamma
     *                         (same phase as x: 16) = 25
     * column broadcast    22  32 fp16 = 16 wavelets down 2 rows: 16 + 2 + 4
     * QKV multiply-adds 1056  zero 128 accumulators (32) + 32 FMAs x 128 / 4 = 1024
     * row reduce         106  128 fp16 = 64 wavelets over 8 PEs: 64 + 42
     * rotary             160  per head (2 queries + key): 4 MULs of 16 pairs (4 each: the partial sums
     *                         sit 8 bytes off cos/sin) + SUB and ADD of two scratch rows in the same
     *                         banks (8 each) = 32, x 3 = 96; queries x 1/sqrt(64): 64 / 4 = 16; the next
     *                         position's cos/sin: 4 MULs + SUB + ADD, all same-bank pairs: 6 x 8 = 48
     * key/value append   108  new token 15 goes to column 15 mod 8 = 7: 64 fp16 = 32 wavelets over 7 hops
     *                         32 + 7 + 4 = 43; two strided stores of 32 into the cache 64; + 1
     * query broadcast     32  column 7 is the last to take the row broadcast: 32 wavelets drain at 1 per
     *                         cycle after its store
     * scores              67  zero 10 scores (3) + 2 heads x 32 dims FMAs over 2 tokens (1 each) = 64
     * scores up the band  11  10 fp16 = 5 wavelets over 2 rows: 5 + 6
     * softmax            142  max: MOV 1 + 2 MAX = 3; chain 1 + 42 = 43; broadcast 13; SUB, EXP (8), ADD
     *                         per head + MOV = 21; chain 43; 1/x at the root 4; broadcast 13; scale 2
     * probabilities down  11  5 wavelets over 2 rows: 5 + 2 + 4
     * values              80  zero 64 outputs (16) + 64 FMAs over 2 tokens (1 each)
     * row reduce          74  64 fp16 = 32 wavelets over 8: 32 + 42
     * row broadcast       44  32 wavelets over 8: 32 + 8 + 4
     * output proj.       520  zero 32 (8) + 64 FMAs x 32 / 4 = 512
     * column reduce       22  32 fp16 = 16 wavelets over 2 rows: 16 + 6
     * residual             8  ADD of 32 (input and partial sums 8 bytes apart)
     * residual send       16  the input edge streams 16 wavelets to the output edge before its norm
     * RMSNorm 2          106  as RMSNorm 1 (local 17 + 43 + 8 + 13 + 25)
     * column broadcast    22
     * gate/up           2112  zero 256 (64) + 32 FMAs x 256 / 4 = 2048
     * row reduce         170  256 fp16 = 128 wavelets: 128 + 42
     * SiLU x up (west)   544  SiLU 14 passes x 128 / 4 = 448; MUL gate x up (same banks) 64; MOV 32
     * row broadcast       76  128 fp16 = 64 wavelets: 64 + 8 + 4
     * down proj.        1032  zero 32 (8) + 128 FMAs x 32 / 4 = 1024
     * column reduce       22  16 wavelets over 2 rows: 16 + 6
     * residual             8
     * total             6677
     * </pre>
     */
    static final long HAND_DERIVED_CYCLES = 106 + 22 + 1056 + 106 + 160 + 108 + 32 + 67 + 11 + 142 + 11 + 80 + 74
            + 44 + 520 + 22 + 8 + 16 + 106 + 22 + 2112 + 170 + 544 + 76 + 1032 + 22 + 8;

    static WaferDecodeConfig wse3(String... sets) {
        ParamSet ps = WaferDecodeSimulator.load("wse3");
        for (int i = 0; i < sets.length; i += 2) {
            ps = ps.with(sets[i], sets[i + 1], "test");
        }
        return WaferDecodeConfig.from(ps);
    }

    static LayerPlan plan(WaferDecodeConfig cfg, int batch) {
        return new LayerPlan(PIN, 0, COLS, ROWS, batch, batch, 64, Precision.DEFAULT, DType.FP16, cfg.wse(), 8);
    }

    /** Cycles of each GEMV_COMPUTE phase: its end minus the end of everything traced before it. */
    static List<Long> gemvComputeCycles(WaferDecodeConfig cfg, int batch) {
        LayerPlan p = plan(cfg, batch);
        Fabric f = new Fabric(cfg.wse().withGrid(COLS, ROWS), Fabric.Options.TIMING);
        CodeMap code = new CodeMap("layer", cfg.wse().sram());
        List<Phase> trace = LayerProgram.build(p, new Region(0, 0, COLS, ROWS, false), new RouteBook(f), code, cfg,
                POSITIONS, 1);
        code.install(f);
        f.run(Episodes.MAX_CYCLES);
        List<Long> out = new ArrayList<>();
        long before = 0;
        for (int i = 0; i < trace.size(); i++) {
            // One KV band, one pass: every phase change is a step of its own; the last (the output
            // residual) carries the pass's tag.
            long end = f.tagEndCycle(i);
            if (trace.get(i) == Phase.GEMV_COMPUTE) {
                out.add(end - before);
            }
            before = Math.max(before, end);
        }
        return out;
    }

    @Test
    void layerStep_handDerivedCycles_matchWithin1Percent() {
        assertEquals(6677, HAND_DERIVED_CYCLES);
        long simulated = Episodes.layer(plan(wse3(), 1), wse3(), POSITIONS, 1).cycles();
        assertEquals(HAND_DERIVED_CYCLES, simulated, 0.01 * HAND_DERIVED_CYCLES,
                "simulated " + simulated + " cycles against " + HAND_DERIVED_CYCLES + " derived by hand");
    }

    /** The four projections' multiply-adds, to the cycle: QKV, output, gate/up, down (table above). */
    @Test
    void gemvCompute_batchOfOne_exactHandCounts() {
        assertEquals(List.of(1056L, 520L, 2112L, 1032L), gemvComputeCycles(wse3(), 1));
    }

    /**
     * Two sequences: every weight column is multiplied into both sequences' accumulators, and each
     * multiply-add streams a weight and an accumulator through the ports, so the multiply-adds take
     * exactly twice as long (2 x (zero + FMAs)): 2 x 1056, 2 x 520, 2 x 2112, 2 x 1032.
     */
    @Test
    void gemvCompute_batchOfTwo_twiceTheMultiplyAdds() {
        assertEquals(List.of(2112L, 1040L, 4224L, 2064L), gemvComputeCycles(wse3(), 2));
    }

    /**
     * The SIMD width does not set the multiply-add rate, the SRAM does: with 64-bit ports and 16-bit
     * banks an fp16 FMA moves 4 weights and 4 accumulators per cycle however many lanes the PE has
     * (4 = WSE-2, 8 = WSE-3, 16 = a what-if); 32-bit ports halve it (QKV: zero 128 at 2 per cycle = 64,
     * 32 FMAs x 128 / 2 = 2048, 2112 in all); 128-bit ports do not help, since two 16-byte reads
     * cover all 8 banks of 2 bytes and always collide (zero 128 / 8 = 16, 32 FMAs x 16 chunks x 2 = 1024).
     */
    @Test
    void gemvCompute_simdWidth_boundBySramNotLanes() {
        for (String lanes : new String[] {"4", "8", "16"}) {
            assertEquals(1056L, gemvComputeCycles(wse3("pe.simdFp16Fma", lanes), 1).get(0), "lanes " + lanes);
        }
        assertEquals(2112L, gemvComputeCycles(wse3("sram.portWidthBits", "32"), 1).get(0));
        assertEquals(1040L, gemvComputeCycles(wse3("sram.portWidthBits", "128"), 1).get(0));
    }
}
