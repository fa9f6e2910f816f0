package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.N;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.S;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.SimulationStalledException;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.fabric.wafer.program.Op;
import dev.wafersim.fabric.wafer.program.Operand;
import dev.wafersim.fabric.wafer.program.Program;
import dev.wafersim.fabric.wafer.program.ProgramBuilder;
import dev.wafersim.fabric.wafer.program.VecOpCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FabricRoutingTest {

    static Program sender(WseParams p, String name, int colour, int n) {
        ProgramBuilder b = new ProgramBuilder(name, p.sram(), name).output(0, colour);
        int addr = b.buffer("v", n * 4L);
        return b.task(0, "send").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(0), Operand.mem(addr))).done().build();
    }

    static Program receiver(WseParams p, String name, int colour, int n) {
        ProgramBuilder b = new ProgramBuilder(name, p.sram(), name).input(0, colour);
        int addr = b.buffer("v", n * 4L);
        return b.task(0, "recv").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(addr), Operand.fabricIn(0))).done().build();
    }

    /**
     * Zero-load latency of one wavelet from (0,0) to (dx, dy) along an L-shaped route: the
     * wavelet leaves the sender's pipeline opLat after its step, crosses the ramp up (T_R),
     * dx + dy hops of hopLatency each, and the ramp down (T_R); the receiver writes it opLat after
     * its step. So lastWriteEnd - firstInjection = (dx + dy) x hop + 2 T_R + 2 opLat.
     */
    @ParameterizedTest(name = "hop {0}, ramp {1}, to ({2},{3})")
    @CsvSource({"1,2,5,0", "1,2,3,4", "2,1,6,2", "3,5,0,7", "1,1,1,1"})
    void pointToPoint_zeroLoad_latencyIsHopsTimesHopPlusTwoRamps(int hop, int ramp, int dx, int dy) {
        WseParams p = FabricTestSupport.wse3(8, 8, WseParams.HOP_LATENCY, "" + hop, WseParams.RAMP_LATENCY, "" + ramp);
        Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
        // Route east along row 0, then south along column dx.
        int c = 3;
        for (int x = 0; x <= dx; x++) {
            int in = x == 0 ? RAMP : W;
            int out = x < dx ? E : (dy > 0 ? S : RAMP);
            f.setRoute(x, 0, c, dirs(in), dirs(out));
        }
        for (int y = 1; y <= dy; y++) {
            f.setRoute(dx, y, c, dirs(N), dirs(y < dy ? S : RAMP));
        }
        f.load(0, 0, sender(p, "s", c, 1));
        f.load(dx, dy, receiver(p, "r", c, 1));
        f.prepare();
        f.writeMemory(0, 0, 0, new float[] {42f}, DType.FP32);
        f.run(10_000);
        assertEquals((dx + dy) * (long) hop + 2L * ramp + 2L * p.opLatencyCycles(),
                f.lastWriteEndCycle() - f.firstInjectionCycle());
        assertEquals(dx + dy, f.waveletHops());
        assertEquals(42f, f.readMemory(dx, dy, 0, 1, DType.FP32)[0]);
    }

    @Test
    void setRoute_colourBeyondFabric_errorNamesPeColourAndRule() {
        WseParams p = FabricTestSupport.wse3(4, 4);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        ConfigException ex = assertThrows(ConfigException.class, () -> f.setRoute(1, 2, 24, dirs(RAMP), dirs(E)));
        assertEquals("PE (1,2): colour 24 does not exist; the fabric has 24 colours (0..23)", ex.getMessage());
    }

    @Test
    void setRoute_offTheEdge_errorNamesPeColourAndRule() {
        Fabric f = new Fabric(FabricTestSupport.wse3(4, 4), Fabric.Options.TIMING);
        ConfigException ex = assertThrows(ConfigException.class, () -> f.setRoute(3, 0, 5, dirs(W), dirs(E)));
        assertEquals("PE (3,0), colour 5, configuration 0: the route sends east, off the edge of the 4 x 4 grid",
                ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> f.setRoute(0, 0, 5, dirs(N), dirs(E)));
        assertTrue(ex.getMessage().contains("receives from the north, off the edge"), ex.getMessage());
    }

    @Test
    void setRoute_tooManyConfigurations_errorNamesLimit() {
        Fabric f = new Fabric(FabricTestSupport.wse3(4, 4), Fabric.Options.TIMING);
        int[] ins = {dirs(RAMP), dirs(W), dirs(W), dirs(W), dirs(W)};
        int[] outs = {dirs(E), dirs(E), dirs(E), dirs(E), dirs(E)};
        ConfigException ex = assertThrows(ConfigException.class, () -> f.setRoute(1, 1, 0, ins, outs));
        assertEquals("PE (1,1), colour 0: 5 route configurations, but a router holds 4 per colour"
                + " (fabric.routeConfigsPerColour)", ex.getMessage());
    }

    @Test
    void setRoute_sameColourTwice_error() {
        Fabric f = new Fabric(FabricTestSupport.wse3(4, 4), Fabric.Options.TIMING);
        f.setRoute(1, 1, 2, dirs(RAMP), dirs(E));
        ConfigException ex = assertThrows(ConfigException.class, () -> f.setRoute(1, 1, 2, dirs(W), dirs(RAMP)));
        assertTrue(ex.getMessage().startsWith("PE (1,1), colour 2: the colour already has a route"), ex.getMessage());
    }

    @Test
    void prepare_routeIntoRouterWithoutRoute_errorNamesBothPes() {
        WseParams p = FabricTestSupport.wse3(4, 4);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        f.setRoute(0, 0, 1, dirs(RAMP), dirs(E));
        f.load(0, 0, sender(p, "s", 1, 4));
        ConfigException ex = assertThrows(ConfigException.class, f::prepare);
        assertEquals("PE (0,0), colour 1: the route sends east to PE (1,0), which has no route for colour 1"
                + " receiving from the west", ex.getMessage());
    }

    @Test
    void prepare_deliveryWithoutInputQueue_errorNamesPeAndColour() {
        WseParams p = FabricTestSupport.wse3(4, 4);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        f.setRoute(0, 0, 1, dirs(RAMP), dirs(E));
        f.setRoute(1, 0, 1, dirs(W), dirs(RAMP));
        f.load(0, 0, sender(p, "s", 1, 4));
        f.load(1, 0, receiver(p, "r", 2, 4)); // binds colour 2, not 1
        ConfigException ex = assertThrows(ConfigException.class, f::prepare);
        assertTrue(ex.getMessage().startsWith("PE (1,0) [r] binds input queue 0 to colour 2, but its router has no"
                + " route for colour 2"), ex.getMessage());
    }

    @Test
    void load_tooManyQueuesOrColours_errorNamesProgram() {
        WseParams p = FabricTestSupport.wse3(4, 4);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        ProgramBuilder b = new ProgramBuilder("wide", p.sram(), "wide").input(9, 1);
        b.task(0, "t").activeAtStart().op(Op.vec(VecOpCode.MOV, DType.FP32, 1, Operand.mem(0), Operand.fabricIn(9)))
                .done();
        ConfigException ex = assertThrows(ConfigException.class, () -> f.load(0, 0, b.build()));
        assertEquals("program wide: binds input queue 9 but a PE has 8 input queues", ex.getMessage());
    }

    /**
     * A ring of four routers on one colour whose wavelets never leave (no ramp output): four
     * buffers of 4 hold 16 wavelets; the four PEs inject 6 each (24 > 16), so the ring fills and no
     * wavelet can move. The run ends with an error naming the stalled routers and the colour.
     */
    @Test
    void run_cyclicRouteFull_deadlockNamesRoutersAndColour() {
        WseParams p = FabricTestSupport.wse3(2, 2);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        int c = 7;
        // (0,0) -> E -> (1,0) -> S -> (1,1) -> W -> (0,1) -> N -> (0,0)
        f.setRoute(0, 0, c, dirs(RAMP, S), dirs(E));
        f.setRoute(1, 0, c, dirs(RAMP, W), dirs(S));
        f.setRoute(1, 1, c, dirs(RAMP, N), dirs(W));
        f.setRoute(0, 1, c, dirs(RAMP, E), dirs(N));
        for (int[] xy : new int[][] {{0, 0}, {1, 0}, {1, 1}, {0, 1}}) {
            f.load(xy[0], xy[1], sender(p, "ring-sender", c, 6));
        }
        SimulationStalledException ex = assertThrows(SimulationStalledException.class, () -> f.run(100_000));
        assertTrue(ex.getMessage().startsWith("deadlock"), ex.getMessage());
        assertTrue(ex.getMessage().contains("router of PE (0,0), colour 7: 4 wavelet(s) held; head waits for a credit"
                + " from PE (1,0) (east)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("waits for a credit to send on colour 7"), ex.getMessage());
        f.checkConservation();
    }

    /**
     * Two colours from two senders share the link (1,0) -> (2,0); each sends 200 wavelets. The link
     * carries one wavelet per cycle, so together they need 400 cycles on it; with round-robin
     * arbitration both finish within a few cycles of each other, rather than one after the other.
     */
    @Test
    void run_twoColoursShareLink_fairShareAndFullUse() {
        WseParams p = FabricTestSupport.wse3(4, 2);
        Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
        int n = 200;
        // colour 0 from (0,0) east to (3,0); colour 1 from (1,1) north then east to (3,0)... arrive
        // at (3,0) on different colours into different queues.
        f.setRoute(0, 0, 0, dirs(RAMP), dirs(E));
        f.setRoute(1, 0, 0, dirs(W), dirs(E));
        f.setRoute(2, 0, 0, dirs(W), dirs(E));
        f.setRoute(3, 0, 0, dirs(W), dirs(RAMP));
        f.setRoute(1, 1, 1, dirs(RAMP), dirs(N));
        f.setRoute(1, 0, 1, dirs(S), dirs(E));
        f.setRoute(2, 0, 1, dirs(W), dirs(E));
        f.setRoute(3, 0, 1, dirs(W), dirs(RAMP));
        f.load(0, 0, sender(p, "a", 0, n));
        f.load(1, 1, sender(p, "b", 1, n));
        ProgramBuilder rb = new ProgramBuilder("sink", p.sram(), "sink").input(0, 0).input(1, 1);
        int va = rb.buffer("a", n * 4L);
        int vb = rb.buffer("b", n * 4L);
        Program sink = rb.task(0, "recv").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(va), Operand.fabricIn(0)).async(1))
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(vb), Operand.fabricIn(1)).async(2))
                .done().build();
        f.load(3, 0, sink);
        f.prepare();
        float[] da = new float[n];
        float[] db = new float[n];
        for (int i = 0; i < n; i++) {
            da[i] = i;
            db[i] = -i;
        }
        f.writeMemory(0, 0, 0, da, DType.FP32);
        f.writeMemory(1, 1, 0, db, DType.FP32);
        f.setCycleObserver(t -> f.checkConservation());
        f.run(100_000);
        assertArrayEquals(da, f.readMemory(3, 0, va, n, DType.FP32));
        assertArrayEquals(db, f.readMemory(3, 0, vb, n, DType.FP32));
        long shared = f.linkWavelets(1, 0, E);
        assertEquals(2 * n, shared);
        // Both streams need 2n link cycles on the shared link; the whole transfer takes about 2n.
        long span = f.lastWriteEndCycle() - f.firstInjectionCycle();
        assertTrue(span >= 2 * n && span <= 2 * n + 20, "span " + span);
    }

    /**
     * A congested colour does not block another: PE (0,0) streams 50 wavelets on colour 0 and 50 on
     * colour 1 over the same links to PE (2,0), which never reads colour 0. Colour 0 fills its
     * buffers (PE queue 4 + router buffers 4 + 4 + 4 = 16 wavelets) and stalls; colour 1 must still
     * deliver all 50. The run then ends as a deadlock naming colour 0.
     */
    @Test
    void run_congestedColour_doesNotBlockOther() {
        WseParams p = FabricTestSupport.wse3(3, 1);
        Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
        for (int c = 0; c <= 1; c++) {
            f.setRoute(0, 0, c, dirs(RAMP), dirs(E));
            f.setRoute(1, 0, c, dirs(W), dirs(E));
            f.setRoute(2, 0, c, dirs(W), dirs(RAMP));
        }
        int n = 50;
        ProgramBuilder sb = new ProgramBuilder("two-colour-sender", p.sram(), "s").output(0, 0).output(1, 1);
        int v = sb.buffer("v", n * 4L);
        Program send = sb.task(0, "send").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(0), Operand.mem(v)).async(1))
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.fabricOut(1), Operand.mem(v)).async(2))
                .done().build();
        ProgramBuilder rb = new ProgramBuilder("reads-colour-1-only", p.sram(), "r").input(0, 0).input(1, 1);
        int w = rb.buffer("w", n * 4L);
        Program recv = rb.task(0, "recv").activeAtStart()
                .op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(w), Operand.fabricIn(1))).done().build();
        f.load(0, 0, send);
        f.load(2, 0, recv);
        f.prepare();
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i + 1;
        }
        f.writeMemory(0, 0, v, data, DType.FP32);
        SimulationStalledException ex = assertThrows(SimulationStalledException.class, () -> f.run(100_000));
        assertArrayEquals(data, f.readMemory(2, 0, w, n, DType.FP32));
        assertTrue(ex.getMessage().contains("colour 0"), ex.getMessage());
        assertEquals(16, f.heldWavelets());
        f.checkConservation();
    }
}
