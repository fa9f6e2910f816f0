package dev.wafersim.fabric.wafer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import dev.wafersim.memory.sram.SramBankModel;
import org.junit.jupiter.api.Test;

/** Functional values on their own: SRAM words, fp16 packing in wavelets, element-wise arithmetic. */
class FunctionalValuesTest {

    @Test
    void storeLoad_fp32AndFp16_roundTripAtByteAddresses() {
        WseParams p = FabricTestSupport.wse3(1, 1);
        FunctionalValues v = new FunctionalValues(2, p);
        v.store(1, 8, 4, -1.5e-3f);
        v.store(1, 12, 2, 0.333251953125f); // exactly representable in fp16
        v.store(1, 14, 2, 65504f); // largest fp16
        assertEquals(-1.5e-3f, v.load(1, 8, 4));
        assertEquals(0.333251953125f, v.load(1, 12, 2));
        assertEquals(65504f, v.load(1, 14, 2));
        assertEquals(0f, v.load(0, 8, 4)); // another PE's SRAM is untouched
    }

    /**
     * One fp16 step of out = in + mem on 32-bit wavelets handles two elements: element j comes from
     * payload bits 16 j.. 16 j + 15 and goes to the output payload at the same place.
     */
    @Test
    void step_fp16AddFromFabric_twoElementsPerWavelet() {
        WseParams p = FabricTestSupport.wse3(1, 1);
        ProgramBuilder b = new ProgramBuilder("add", p.sram(), "add").input(0, 1).output(0, 2);
        int mem = b.buffer("m", 8);
        Program prog = b.task(0, "t").activeAtStart()
                .op(Op.vec(VecOpCode.ADD, DType.FP16, 4, Operand.fabricOut(0), Operand.fabricIn(0), Operand.mem(mem)))
                .done().build();
        Role role = new Role(prog, 0, p, new SramBankModel(p.sram()));
        FunctionalValues v = new FunctionalValues(1, p);
        for (int i = 0; i < 4; i++) {
            v.store(0, mem + 2 * i, 2, 10f * (i + 1));
        }
        int in = Half.fromFloat(1.5f) | (Half.fromFloat(-2f) << 16);
        int out = v.step(0, role, 0, 2, 2, in, 0, 0, 0); // elements 2 and 3
        assertEquals(31.5f, Half.toFloat(out & 0xFFFF));
        assertEquals(38f, Half.toFloat(out >>> 16));
    }
}
