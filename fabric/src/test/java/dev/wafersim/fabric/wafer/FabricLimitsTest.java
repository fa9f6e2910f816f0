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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The model's limits on router buffer depth, PE queue depth, route configurations per colour and
 * colours: each works at its maximum (with results from a closed form or a hand count) and is a
 * clear configuration error one above it.
 */
class FabricLimitsTest {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "fabric.routerBufferDepthWavelets, 1025, 1024, wavelets",
        "pe.inputQueueDepthWavelets, 1025, 1024, wavelets",
        "fabric.routeConfigsPerColour, 65, 64, configs",
        "fabric.colours, 65, 64, colours"})
    void set_aboveLimit_errorNamesKeyValueAndRange(String key, String value, int max, String unit) {
        ConfigException ex = assertThrows(ConfigException.class,
                () -> WsePresets.load("wse3").with(key, value, "--set"));
        assertTrue(ex.getMessage().contains(key + "=" + value + " is not allowed; expected an integer in [1, " + max
                + "] (" + unit + ")"), ex.getMessage());
    }

    @Test
    void constructor_recordBeyondLimit_errorNamesKeyValueAndRange() {
        WseParams p = FabricTestSupport.wse3(4, 4);
        WseParams tooMany = new WseParams(p.gridWidthPes(), p.gridHeightPes(), p.clock(), 65,
                p.routeConfigsPerColour(), p.hopLatencyCycles(), p.rampLatencyCycles(), p.routerBufferDepthWavelets(),
                p.waveletPayloadBits(), p.peInputQueues(), p.peOutputQueues(), p.peInputQueueDepthWavelets(),
                p.microthreads(), p.taskActivationCycles(), p.opLatencyCycles(), p.dataTaskBinding(),
                p.datapathShared(), p.simdFp16Fma(), p.simdFp16MixedFma(), p.simdFp32AddMove(), p.simdFp16AddMul(),
                p.simdFp16Max(), p.simdFp32Fma(), p.expPasses(), p.rsqrtPasses(), p.recipPasses(), p.waferLinkGbps(),
                p.waferLinkLatencyPs(), p.ioEntryPointsPerEdge(), p.sram());
        ConfigException ex = assertThrows(ConfigException.class, () -> new Fabric(tooMany, Fabric.Options.TIMING));
        assertEquals("fabric.colours=65 is not allowed; expected an integer in [1, 64] (colours)", ex.getMessage());
    }

    /**
     * A colour that is never read fills every buffer on its path and stalls: PE (0,0) sends n
     * wavelets on colour 0 through the routers of (0,0), (1,0) and (2,0) to PE (2,0), which never
     * reads colour 0. What stays held is exactly the PE queue plus the three router buffers:
     * Q + 3 D wavelets (with n above that). At the limits D = Q = 1024: 4,096.
     */
    @ParameterizedTest(name = "router buffer {0}, queue {1}")
    @CsvSource({"4, 4", "64, 64", "1024, 1024", "1024, 1"})
    void deepBuffers_unreadColour_holdQueuePlusThreeBuffers(int depth, int queue) {
        WseParams p = FabricTestSupport.wse3(3, 1, WseParams.ROUTER_BUFFER, "" + depth, WseParams.INPUT_QUEUE_DEPTH,
                "" + queue);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        f.setRoute(0, 0, 0, dirs(RAMP), dirs(E));
        f.setRoute(1, 0, 0, dirs(W), dirs(E));
        f.setRoute(2, 0, 0, dirs(W), dirs(RAMP));
        int n = 5000;
        f.load(0, 0, FabricRoutingTest.sender(p, "s", 0, n));
        ProgramBuilder rb = new ProgramBuilder("never-reads", p.sram(), "r").input(0, 0);
        Program idle = rb.task(0, "t").activeAtStart()
                .op(Op.vec(VecOpCode.ADD, DType.FP32, 1, Operand.mem(0), Operand.mem(0), Operand.scalar(1f)))
                .done().build();
        f.load(2, 0, idle);
        SimulationStalledException ex = assertThrows(SimulationStalledException.class, () -> f.run(1_000_000));
        assertEquals(queue + 3L * depth, f.heldWavelets());
        assertTrue(ex.getMessage().contains("router of PE (2,0), colour 0: " + depth + " wavelet(s) held; head waits for"
                + " a place in the PE's input queue"), ex.getMessage());
        f.checkConservation();
    }

    /**
     * Colours above 31 (the router's colour set is 64 bits): three streams of n wavelets on colours
     * 31, 32 and 63 meet at PE (1,1) and share its east link to a sink. The link moves one wavelet a
     * cycle, so the three need 3n cycles on it; round robin interleaves them, so the whole transfer
     * takes 3n plus the pipeline's few cycles.
     */
    @Test
    void colours_64_streamsOnHighColoursShareLinkRoundRobin() {
        WseParams p = FabricTestSupport.wse3(4, 3, WseParams.COLOURS, "64");
        Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
        int n = 100;
        int[] cs = {31, 32, 63};
        f.setRoute(0, 1, cs[0], dirs(RAMP), dirs(E));
        f.setRoute(1, 0, cs[1], dirs(RAMP), dirs(S));
        f.setRoute(1, 2, cs[2], dirs(RAMP), dirs(N));
        f.setRoute(1, 1, cs[0], dirs(W), dirs(E));
        f.setRoute(1, 1, cs[1], dirs(N), dirs(E));
        f.setRoute(1, 1, cs[2], dirs(S), dirs(E));
        for (int c : cs) {
            f.setRoute(2, 1, c, dirs(W), dirs(E));
            f.setRoute(3, 1, c, dirs(W), dirs(RAMP));
        }
        f.load(0, 1, FabricRoutingTest.sender(p, "a", cs[0], n));
        f.load(1, 0, FabricRoutingTest.sender(p, "b", cs[1], n));
        f.load(1, 2, FabricRoutingTest.sender(p, "c", cs[2], n));
        ProgramBuilder rb = new ProgramBuilder("sink", p.sram(), "sink").input(0, cs[0]).input(1, cs[1]).input(2, cs[2]);
        int[] at = {rb.buffer("a", n * 4L), rb.buffer("b", n * 4L), rb.buffer("c", n * 4L)};
        ProgramBuilder.TaskBuilder t = rb.task(0, "recv").activeAtStart();
        for (int q = 0; q < 3; q++) {
            t.op(Op.vec(VecOpCode.MOV, DType.FP32, n, Operand.mem(at[q]), Operand.fabricIn(q)).async(q + 1));
        }
        f.load(3, 1, t.done().build());
        f.prepare();
        float[][] data = new float[3][n];
        int[][] from = {{0, 1}, {1, 0}, {1, 2}};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < n; i++) {
                data[k][i] = 1000 * k + i;
            }
            f.writeMemory(from[k][0], from[k][1], 0, data[k], DType.FP32);
        }
        f.setCycleObserver(c -> f.checkConservation());
        f.run(100_000);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(data[k], f.readMemory(3, 1, at[k], n, DType.FP32));
        }
        assertEquals(3L * n, f.linkWavelets(1, 1, E));
        long span = f.lastWriteEndCycle() - f.firstInjectionCycle();
        assertTrue(span >= 3L * n && span <= 3L * n + 20, "span " + span);
    }

    /**
     * 64 route configurations: the router of PE (1,0) sends east in its even configurations and
     * south in its odd ones. PE (0,0) sends 64 single wavelets, each but the last followed by a
     * control wavelet, which advances the router to its next configuration after being forwarded.
     * So wavelet k leaves in configuration k: the 32 even ones reach PE (2,0), the 32 odd ones PE
     * (1,1); the 63 control wavelets end at those ramps (32 east, 31 south).
     */
    @Test
    void routeConfigs_64_controlWaveletsStepThroughEveryConfiguration() {
        int k = 64;
        WseParams p = FabricTestSupport.wse3(3, 2, WseParams.ROUTE_CONFIGS, "" + k);
        Fabric f = new Fabric(p, Fabric.Options.FUNCTIONAL);
        int c = 5;
        int[] ins = new int[k];
        int[] outs = new int[k];
        for (int i = 0; i < k; i++) {
            ins[i] = dirs(W);
            outs[i] = dirs(i % 2 == 0 ? E : S);
        }
        f.setRoute(0, 0, c, dirs(RAMP), dirs(E));
        f.setRoute(1, 0, c, ins, outs);
        f.setRoute(2, 0, c, dirs(W), dirs(RAMP));
        f.setRoute(1, 1, c, dirs(N), dirs(RAMP));
        ProgramBuilder sb = new ProgramBuilder("switcher", p.sram(), "s").output(0, c);
        int v = sb.buffer("v", k * 4L);
        ProgramBuilder.TaskBuilder t = sb.task(0, "send").activeAtStart();
        for (int i = 0; i < k; i++) {
            t.op(Op.vec(VecOpCode.MOV, DType.FP32, 1, Operand.fabricOut(0), Operand.mem(v + 4 * i)));
            if (i < k - 1) {
                t.op(Op.control(0));
            }
        }
        f.load(0, 0, t.done().build());
        f.load(2, 0, FabricRoutingTest.receiver(p, "east", c, k / 2));
        f.load(1, 1, FabricRoutingTest.receiver(p, "south", c, k / 2));
        f.prepare();
        float[] data = new float[k];
        float[] even = new float[k / 2];
        float[] odd = new float[k / 2];
        for (int i = 0; i < k; i++) {
            data[i] = i;
            (i % 2 == 0 ? even : odd)[i / 2] = i;
        }
        f.writeMemory(0, 0, v, data, DType.FP32);
        f.run(100_000);
        assertArrayEquals(even, f.readMemory(2, 0, 0, k / 2, DType.FP32));
        assertArrayEquals(odd, f.readMemory(1, 1, 0, k / 2, DType.FP32));
        assertEquals(k - 1, f.controlAbsorbed());
        assertEquals(k / 2 + k / 2, f.linkWavelets(1, 0, E));
        assertEquals(k / 2 + k / 2 - 1, f.linkWavelets(1, 0, S));
        f.checkConservation();

        Fabric g = new Fabric(p, Fabric.Options.TIMING);
        int[] tooMany = new int[k + 1];
        java.util.Arrays.fill(tooMany, dirs(W));
        ConfigException ex = assertThrows(ConfigException.class, () -> g.setRoute(1, 0, c, tooMany, tooMany));
        assertEquals("PE (1,0), colour 5: 65 route configurations, but a router holds 64 per colour"
                + " (fabric.routeConfigsPerColour)", ex.getMessage());
    }
}
