package dev.wafersim.fabric.wafer;

import static dev.wafersim.fabric.wafer.Fabric.E;
import static dev.wafersim.fabric.wafer.Fabric.RAMP;
import static dev.wafersim.fabric.wafer.Fabric.W;
import static dev.wafersim.fabric.wafer.Fabric.dirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wafersim.core.event.SimulationStalledException;
import org.junit.jupiter.api.Test;

/** The stall report: what a stalled run names, line by line. */
class StallReportTest {

    /**
     * A receiver that expects 40 wavelets from a sender of 25: the run ends with the receiver's main
     * thread waiting at element 25 (every wavelet delivered and consumed, in timing mode through
     * receive fusion, whose steps the report must count) and nothing held.
     */
    @Test
    void describe_receiverExpectsMore_namesThreadOperationElementAndQueue() {
        WseParams p = FabricTestSupport.wse3(3, 1);
        for (Fabric.Options mode : new Fabric.Options[] {Fabric.Options.TIMING, Fabric.Options.FUNCTIONAL}) {
            Fabric f = new Fabric(p, mode);
            for (int x = 0; x < 3; x++) {
                f.setRoute(x, 0, 1, dirs(x == 0 ? RAMP : W), x == 2 ? dirs(RAMP) : dirs(E));
            }
            f.load(0, 0, FabricRoutingTest.sender(p, "s", 1, 25));
            f.load(2, 0, FabricRoutingTest.receiver(p, "r", 1, 40));
            SimulationStalledException ex = assertThrows(SimulationStalledException.class, () -> f.run(100_000));
            assertEquals("deadlock: no part of the fabric can move at cycle " + f.lastActiveCycle()
                    + " but work is pending:\n  PE (2,0) [r] main thread: MOV of 40 elements at element 25 waits for"
                    + " input queue 0 (colour 1)", ex.getMessage());
            assertEquals(0, f.heldWavelets());
        }
    }

    /** At most `limit` lines, then a count of the rest. */
    @Test
    void describe_manyStalledParts_limitsLinesAndCountsTheRest() {
        WseParams p = FabricTestSupport.wse3(20, 1);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        for (int x = 0; x < 20; x++) {
            f.setRoute(x, 0, 0, dirs(RAMP), dirs(RAMP));
            f.load(x, 0, FabricRoutingTest.receiver(p, "r", 0, 3));
        }
        SimulationStalledException ex = assertThrows(SimulationStalledException.class, () -> f.run(1000));
        String[] lines = ex.getMessage().split("\n");
        assertEquals(1 + 12 + 1, lines.length);
        assertEquals("  ... and 8 more", lines[13]);
    }
}
