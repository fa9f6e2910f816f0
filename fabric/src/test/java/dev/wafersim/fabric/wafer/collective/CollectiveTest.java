package dev.wafersim.fabric.wafer.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.fabric.wafer.program.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class CollectiveTest {
    static final WseParams WSE2 = WsePresets.params("wse2");

    static Stream<Arguments> grid() {
        List<Arguments> a = new ArrayList<>();
        for (int pes : new int[] {4, 8, 16, 32, 64, 128, 256, 512}) {
            for (int b : new int[] {1, 4, 16, 64, 256, 1024}) {
                a.add(Arguments.of(pes, b));
            }
        }
        return a.stream();
    }

    /**
     * Chain reduce on the WSE-2 parameters (T_R = 2, one cycle per hop) against the closed form of
     * Luczynski et al. (HPDC 2024): B + (2 T_R + 2)(P - 1), within 2%.
     */
    @ParameterizedTest(name = "P={0} B={1}")
    @MethodSource("grid")
    void reduceChain_wse2_matchesClosedFormWithin2Percent(int pes, int b) {
        long expected = b + (2L * 2 + 2) * (pes - 1);
        CollectiveRun.Result r = CollectiveRun.run(WSE2,
                new CollectiveRun.Spec(Algorithm.REDUCE_CHAIN, 1, pes, b, DType.FP32, pes <= 64));
        assertEquals(expected, r.cycles(), 0.02 * expected);
        assertEquals((long) b * (pes - 1), r.waveletHops());
    }

    /** Flooding row broadcast on the WSE-2 parameters against B + P + 2 T_R, within 2%. */
    @ParameterizedTest(name = "P={0} B={1}")
    @MethodSource("grid")
    void broadcastRow_wse2_matchesClosedFormWithin2Percent(int pes, int b) {
        long expected = b + pes + 2L * 2;
        CollectiveRun.Result r = CollectiveRun.run(WSE2,
                new CollectiveRun.Spec(Algorithm.BROADCAST_ROW, 1, pes, b, DType.FP32, pes <= 64));
        assertEquals(expected, r.cycles(), 0.02 * expected);
        assertEquals((long) b * (pes - 1), r.waveletHops());
    }

    /**
     * Every algorithm computes the right values (checked against the element-wise sum or the root's
     * vector in every PE that should hold it) in fp32 and packed fp16, and conserves wavelets after
     * every simulated cycle.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Algorithm.class)
    void everyAlgorithm_functionalRun_correctValuesAndConservation(Algorithm alg) {
        for (DType type : new DType[] {DType.FP32, DType.FP16}) {
            int rows = alg.twoDimensional() ? 5 : 1;
            int cols = alg.twoDimensional() ? 6 : 13;
            int[] held = new int[1];
            CollectiveRun.Result r = CollectiveRun.run(WSE2, new CollectiveRun.Spec(alg, rows, cols, 26, type, true),
                    t -> held[0]++, 1_000_000);
            assertTrue(r.verified());
            assertTrue(r.cycles() > 0);
            assertTrue(held[0] > 0);
        }
    }

    /** The conservation check itself runs inside the cycle observer: a wrong count would throw there. */
    @Test
    void reduce2d_conservationCheckedEveryCycle() {
        WseParams p = WSE2.withGrid(8, 8);
        dev.wafersim.fabric.wafer.Fabric f = new dev.wafersim.fabric.wafer.Fabric(p, dev.wafersim.fabric.wafer.Fabric.Options.FUNCTIONAL);
        CodeMap code = new CodeMap("r2d", p.sram());
        int addr = code.buffer("v", 40 * 4);
        Collectives.reduce2d(new RouteBook(f), code, 0, 0, 8, 8, new int[] {0, 1, 2, 3}, addr, 40, DType.FP32);
        code.install(f);
        long[] checks = {0};
        f.setCycleObserver(t -> {
            f.checkConservation();
            checks[0]++;
        });
        f.run(1_000_000);
        assertEquals(f.activeCycles(), checks[0]);
        assertEquals(0, f.heldWavelets());
        assertEquals(f.injected() + f.multicastCopies(), f.consumed());
    }

    @Test
    void run_twice_identicalCyclesAndStats() {
        CollectiveRun.Spec spec = new CollectiveRun.Spec(Algorithm.REDUCE_2D, 12, 10, 64, DType.FP16, false);
        WseParams p = WsePresets.params("wse3");
        CollectiveRun.Result a = CollectiveRun.run(p, spec);
        CollectiveRun.Result b = CollectiveRun.run(p, spec);
        assertEquals(a.cycles(), b.cycles());
        assertEquals(a.waveletHops(), b.waveletHops());
        assertEquals(a.rampDeliveries(), b.rampDeliveries());
        assertEquals(a.programs(), b.programs());
    }

    @Test
    void run_tooFewColours_clearError() {
        WseParams p = WseParams.from(WsePresets.load("wse3").with(WseParams.COLOURS, "6", "--set"));
        ConfigException ex = assertThrows(ConfigException.class, () -> CollectiveRun.run(p,
                new CollectiveRun.Spec(Algorithm.REDUCE_TREE, 1, 512, 4, DType.FP32, false)));
        assertEquals("reduce-tree over 512 PEs needs 9 colour(s) but only 6 of the fabric's 6 are free"
                + " (fabric.colours=6)", ex.getMessage());
    }

    @Test
    void run_regionLargerThanWafer_clearError() {
        ConfigException ex = assertThrows(ConfigException.class, () -> CollectiveRun.run(WSE2,
                new CollectiveRun.Spec(Algorithm.REDUCE_CHAIN, 1, 800, 4, DType.FP32, false)));
        assertTrue(ex.getMessage().contains("does not fit the 757 x 996 grid"), ex.getMessage());
    }

    @Test
    void byName_unknown_listsNames() {
        ConfigException ex = assertThrows(ConfigException.class, () -> Algorithm.byName("reduce-ring"));
        assertTrue(ex.getMessage().startsWith("--algorithm=reduce-ring is not allowed; expected one of broadcast-row"),
                ex.getMessage());
    }
}
