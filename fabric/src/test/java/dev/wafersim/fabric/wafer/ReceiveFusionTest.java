package dev.wafersim.fabric.wafer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.Collectives;
import dev.wafersim.fabric.wafer.collective.Line;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Receive fusion (routers account for PEs that only receive into memory) must not change any
 * result: the same run with fusion (timing mode, no observer), without it (a cycle observer turns it
 * off) and driven cycle by cycle through {@link Fabric#nextActiveCycle()} and
 * {@link Fabric#processCycle(long)} gives identical cycles and statistics.
 */
class ReceiveFusionTest {

    private static Fabric rowBroadcast(int n, int b) {
        WseParams p = FabricTestSupport.wse3(n, 1);
        Fabric f = new Fabric(p, Fabric.Options.TIMING);
        CodeMap code = new CodeMap("bcast", p.sram());
        int addr = code.buffer("v", b * 4L);
        Collectives.broadcast(new RouteBook(f), code, Line.row(0, 0, n), 3, addr, b, DType.FP32);
        code.install(f);
        return f;
    }

    private static String stats(Fabric f) {
        return "cycles=" + (f.lastWriteEndCycle() - f.firstInjectionCycle()) + " last=" + f.lastActiveCycle()
                + " active=" + f.activeCycles() + " hops=" + f.waveletHops() + " ramp=" + f.rampDeliveries()
                + " consumed=" + f.consumed() + " steps=" + f.peFabricSteps() + " stalls=" + f.creditStalls()
                + " held=" + f.heldWavelets() + " pending=" + f.hasPendingWork();
    }

    private static String run(Consumer<Fabric> how) {
        Fabric f = rowBroadcast(24, 100);
        how.accept(f);
        f.checkConservation();
        return stats(f);
    }

    @Test
    void rowBroadcast_fusedObservedAndSteppedRuns_identicalResults() {
        String fused = run(f -> f.run(1_000_000));
        String observed = run(f -> {
            f.setCycleObserver(t -> f.checkConservation());
            f.run(1_000_000);
        });
        String stepped = run(f -> {
            for (long t = f.nextActiveCycle(); t != Long.MAX_VALUE; t = f.nextActiveCycle()) {
                f.processCycle(t);
            }
        });
        assertEquals(observed, fused);
        assertEquals(observed, stepped);
    }

    /**
     * The receivers of a timing-mode broadcast cost no PE visit per wavelet (the point of fusion):
     * a few visits each (start, activation, the wavelets that arrive before it waits, the last).
     */
    @Test
    void rowBroadcast_timingMode_receiversNotVisitedPerWavelet() {
        int n = 24;
        int b = 100;
        Fabric f = rowBroadcast(n, b);
        f.run(1_000_000);
        assertEquals((long) b * (n - 1), f.rampDeliveries());
        assertTrue(f.peVisits() < 16L * n, "PE visits " + f.peVisits());
        Fabric observed = rowBroadcast(n, b);
        observed.setCycleObserver(t -> { });
        observed.run(1_000_000);
        assertTrue(observed.peVisits() > (long) b * (n - 1), "PE visits " + observed.peVisits());
    }
}
