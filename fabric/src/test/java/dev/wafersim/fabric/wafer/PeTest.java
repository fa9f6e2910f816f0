package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeTest {

    /** Runs one memory-only operation on a lone PE and returns the cycle its result is written. */
    private static long runAlone(WseParams p, Op op) {
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        ProgramBuilder b = new ProgramBuilder("alone", p.sram(), "alone");
        f.load(0, 0, b.task(0, "t").activeAtStart().op(op).done().build());
        f.run(1_000_000);
        return f.lastWriteEndCycle();
    }

    /**
     * y = y + a * x over 1024 elements, y at byte 0 and a placed so that their 64-bit accesses never
     * share a bank. The task starts after taskActivationCycles (2), then the operation takes
     * chunks x (1 + conflict) cycles with chunk = min(SIMD lanes, port bytes / element bytes):
     * WSE-3 fp16, 64-bit ports: min(8, 4) = 4 per chunk, 256 cycles. WSE-2 fp16: min(4, 4), 256.
     * fp32 FMA (1 lane): 1024. WSE-3 fp16 with 128-bit ports: 8 per chunk, but a 16-byte access covers
     * all 8 banks (2-byte interleave), so the two read streams always collide: 128 chunks x 2 = 256.
     * So the 8-wide fp16 FMA cannot be fed from two SRAM streams at all with this bank structure.
     */
    @ParameterizedTest(name = "{0} port {1} bits, {2}")
    @CsvSource({"wse3,64,FP16,258", "wse3,128,FP16,258", "wse2,64,FP16,258", "wse3,64,FP32,1026"})
    void bulkFma_simdPortsAndBanks_setRate(String preset, int portBits, DType type, long expected) {
        WseParams p = preset.equals("wse3")
                ? FabricTestSupport.wse3(1, 1, "sram.portWidthBits", "" + portBits)
                : FabricTestSupport.wse2(1, 1, "sram.portWidthBits", "" + portBits);
        int bytes = type.sourceBytes();
        int a = 1024 * bytes + 8;
        Op fma = Op.vec(VecOpCode.FMA, type, 1024, Operand.mem(0), Operand.mem(0), Operand.mem(a),
                Operand.scalar(2f));
        assertEquals(expected, runAlone(p, fma));
    }

    /**
     * y = a * 2 over 1024 fp16 elements: one read stream, so the port width sets the rate:
     * WSE-3 (@fmulh 8 lanes) with 64-bit ports 4 per cycle -> 256 cycles, with 128-bit ports 8 ->
     * 128; WSE-2 (4 lanes) with 128-bit ports stays at 4 -> 256. Plus 2 cycles of task activation.
     */
    @ParameterizedTest(name = "{0} port {1} bits")
    @CsvSource({"wse3,64,258", "wse3,128,130", "wse2,128,258"})
    void bulkMul_oneStream_portWidthSetsRate(String preset, int portBits, long expected) {
        WseParams p = preset.equals("wse3")
                ? FabricTestSupport.wse3(1, 1, "sram.portWidthBits", "" + portBits)
                : FabricTestSupport.wse2(1, 1, "sram.portWidthBits", "" + portBits);
        Op mul = Op.vec(VecOpCode.MUL, DType.FP16, 1024, Operand.mem(4096), Operand.mem(0), Operand.scalar(2f));
        assertEquals(expected, runAlone(p, mul));
    }

    /** The same FMA with both streams starting in the same bank: every 4-element chunk takes 2 cycles. */
    @Test
    void bulkFma_bankConflict_doublesCycles() {
        WseParams p = FabricTestSupport.wse3(1, 1);
        Op fma = Op.vec(VecOpCode.FMA, DType.FP16, 1024, Operand.mem(0), Operand.mem(0), Operand.mem(2048),
                Operand.scalar(2f));
        assertEquals(2 + 512, runAlone(p, fma));
    }

    /**
     * The main thread runs a 2,000-cycle memory operation (4000 fp32 adds: 4 lanes on WSE-3, but a
     * 64-bit port reads 2 fp32 per cycle)
     * while microthread 1 receives 100 wavelets from a neighbour. With the shared datapath every
     * received wavelet takes a cycle from the memory operation, which ends 100 cycles later; with
     * the independent datapath (what-if) it is not delayed.
     */
    @ParameterizedTest(name = "datapath {0}")
    @CsvSource({"shared,100", "independent,0"})
    void microthreadSteps_sharedDatapath_delayMemoryOperation(String datapath, long delay) {
        WseParams p = FabricTestSupport.wse3(2, 1, WseParams.DATAPATH, datapath);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        f.setRoute(0, 0, 0, dirs(RAMP), dirs(E));
        f.setRoute(1, 0, 0, dirs(W), dirs(RAMP));
        f.load(0, 0, FabricRoutingTest.sender(p, "s", 0, 100));
        ProgramBuilder b = new ProgramBuilder("busy-receiver", p.sram(), "r").input(0, 0);
        int rx = b.buffer("rx", 400);
        int big = b.buffer("big", 16_000);
        Program prog = b.task(0, "t").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, 100, Operand.mem(rx), Operand.fabricIn(0)).async(1))
                .op(Op.vec(VecOpCode.ADD, DType.FP32, 4000, Operand.mem(big), Operand.mem(big), Operand.scalar(1f)))
                .done().build();
        f.load(1, 0, prog);
        f.run(100_000);
        // Activation 2 cycles, async issue 1 cycle, then the 2,000-cycle add: written at 3 + 2000.
        assertEquals(3 + 2000 + delay, f.lastWriteEndCycle());
    }

    /**
     * A data task runs once per arriving wavelet and adds it to the next element of a vector (the
     * memory operand advances one element per invocation). Each wavelet costs the task activation
     * (2 cycles) plus its one-cycle instruction, so 64 wavelets arrive through backpressure at one
     * per 3 cycles: the receiver's last write ends about 64 x 3 cycles after the first injection.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"wse3", "wse2"})
    void dataTask_perWavelet_valuesAndActivationCost(String preset) {
        WseParams p = preset.equals("wse3") ? FabricTestSupport.wse3(2, 1) : FabricTestSupport.wse2(2, 1);
        Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
        f.setRoute(0, 0, 4, dirs(RAMP), dirs(E));
        f.setRoute(1, 0, 4, dirs(W), dirs(RAMP));
        int n = 64;
        f.load(0, 0, FabricRoutingTest.sender(p, "s", 4, n));
        ProgramBuilder b = new ProgramBuilder("accumulate", p.sram(), "r").input(2, 4);
        int acc = b.buffer("acc", n * 4L);
        Program prog = b.dataTask(5, "on-wavelet", 2)
                .op(Op.vec(VecOpCode.ADD, DType.FP32, 1, Operand.memAdvancing(acc, 1), Operand.wavelet(),
                        Operand.memAdvancing(acc, 1)))
                .done().build();
        f.load(1, 0, prog);
        f.prepare();
        float[] in = new float[n];
        float[] base = new float[n];
        float[] sum = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = i;
            base[i] = 100;
            sum[i] = 100 + i;
        }
        f.writeMemory(0, 0, 0, in, DType.FP32);
        f.writeMemory(1, 0, acc, base, DType.FP32);
        f.run(100_000);
        assertArrayEquals(sum, f.readMemory(1, 0, acc, n, DType.FP32));
        long span = f.lastWriteEndCycle() - f.firstInjectionCycle();
        long perWavelet = p.taskActivationCycles() + 1L;
        assertTrue(Math.abs(span - n * perWavelet) <= 10, "span " + span + " vs " + n * perWavelet);
    }

    @Test
    void buffer_beyondSram_errorNamesOwnerBufferAndShortfall() {
        WseParams p = FabricTestSupport.wse3(1, 1);
        ProgramBuilder b = new ProgramBuilder("fat", p.sram(), "PE (0,0) [fat]");
        b.buffer("weights", 40_000);
        ConfigException ex = assertThrows(ConfigException.class, () -> b.buffer("kv", 6_000));
        // Data capacity 49,152 - 4,096 = 45,056; kv would end at 40,000 + 6,000 = 46,000: short by 944.
        assertTrue(ex.getMessage().startsWith("PE (0,0) [fat]: placing kv (6,000 bytes)"), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("short by 944 bytes"), ex.getMessage());
    }

    @Test
    void load_memoryOperandBeyondSram_errorNamesInstruction() {
        WseParams p = FabricTestSupport.wse3(1, 1);
        ProgramBuilder b = new ProgramBuilder("oob", p.sram(), "oob");
        b.task(0, "t").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, 100, Operand.mem(45_000), Operand.scalar(0))).done();
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        ConfigException ex = assertThrows(ConfigException.class, () -> f.load(0, 0, b.build()));
        assertTrue(ex.getMessage().startsWith("program oob: task t, instruction 0: memory operand at byte 45000"),
                ex.getMessage());
    }
}
