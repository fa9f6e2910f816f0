package dev.wafersim.fabric.wafer.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class CodeMapTest {
    private static final WseParams P = WsePresets.params("wse3");

    private static Op receive(int q) {
        return Op.vec(VecOpCode.MOV, DType.FP32, 4, Operand.mem(0), Operand.fabricIn(q));
    }

    @Test
    void at_samePeTwice_seesTheSameCode() {
        CodeMap code = new CodeMap("t", P.sram());
        code.at(1, 1).op(receive(0));
        code.at(1, 1).op(receive(0));
        assertEquals(2, code.at(1, 1).opCount());
        assertEquals(0, code.at(1, 2).opCount());
        assertEquals(2, code.size());
    }

    /**
     * Three PEs: two bind the same queues in a different order and append the same instruction (equal
     * code, different build steps), the third appends another instruction: 2 programs, 3 PEs loaded.
     */
    @Test
    void install_equalCodeBuiltInDifferentOrder_sharesOneProgram() {
        CodeMap code = new CodeMap("t", P.sram());
        CodeMap.PeCode a = code.at(0, 0);
        assertEquals(0, a.in(5));
        assertEquals(0, a.out(6));
        a.op(receive(0));
        CodeMap.PeCode b = code.at(1, 0);
        assertEquals(0, b.out(6));
        assertEquals(0, b.in(5));
        b.op(receive(0));
        CodeMap.PeCode c = code.at(2, 0);
        assertEquals(0, c.in(5));
        assertEquals(1, c.in(7));
        c.op(receive(1));
        code.at(3, 0).in(5); // bound queues but no instruction: not loaded
        Fabric f = new Fabric(P.withGrid(4, 1), Fabric.Options.TIMING);
        assertEquals(2, code.install(f));
        assertEquals(3, f.loadedPes());
    }

    @Test
    void in_moreQueuesThanTheLimit_errorNamesPeAndColours() {
        CodeMap code = new CodeMap("t", P.sram());
        CodeMap.PeCode pc = code.at(2, 3).queueLimits(2, 1);
        pc.in(4);
        pc.in(9);
        ConfigException e = assertThrows(ConfigException.class, () -> pc.in(11));
        assertEquals("PE (2,3) [t] needs more than 2 input queues: colour 11 on top of colours 4, 9 (a queue is"
                + " bound to one colour for the whole program)", e.getMessage());
        pc.out(1);
        assertThrows(ConfigException.class, () -> pc.out(2));
        assertEquals(1, code.at(2, 4).in(4) + code.at(2, 4).in(9)); // other PEs keep the default of 8
    }

    /**
     * Code for a 512 x 512 region where every PE runs one shared instruction allocates no object
     * that stays per PE. By hand, per PE: the index's rows, int arrays doubling from 16 to 512
     * entries (1,008 ints allocated a row of 512): 8 bytes; x, y and node arrays doubling from 64
     * to 262,144 ints each: 12 bytes final plus about as much in the copies left behind: 24 bytes;
     * the code (one trie node) is shared: 0; the view {@code at} returns, when the compiler does not
     * remove it: 24 bytes (12-byte header, the PE index, the enclosing map). 56 at most. The
     * previous representation (an object per PE of 48 bytes with its own list, 48 more, and a linked
     * hash-map entry of 20 bytes in a table grown by doubling, about 80 more) costs over 170.
     */
    @Test
    void at_regionRunningSharedCode_allocatesNoObjectPerPe() {
        int n = 512;
        CodeMap code = new CodeMap("t", P.sram());
        Op op = receive(0);
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = tm.getCurrentThreadAllocatedBytes();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                code.at(x, y).op(op);
            }
        }
        double perPe = (tm.getCurrentThreadAllocatedBytes() - before) / (double) (n * n);
        assertEquals(n * n, code.size());
        assertTrue(perPe < 60, "bytes allocated per PE: " + perPe);
    }
}
