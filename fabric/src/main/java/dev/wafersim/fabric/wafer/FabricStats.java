package dev.wafersim.fabric.wafer;

import dev.wafersim.fabric.wafer.program.Op;
import java.util.Locale;

/**
 * The counters of one fabric simulation: plain {@code long} fields that the routers
 * ({@link Routers}), the PEs ({@link PeEngine}), the PE input queues ({@link PeQueues}) and receive
 * fusion ({@link ReceiveFusion}) increment directly on their hot paths, read through
 * {@link Fabric}'s accessors. Nothing here is computed at read time except {@link #check}.
 *
 * <p>Units: counts of wavelets, steps or visits; cycles are fabric clock cycles (absolute, from 0).
 *
 * <p>Invariant (conservation, checked by {@link #check} after every cycle in tests): every wavelet
 * a PE injected, and every extra copy a multicast route made, is either held in a router buffer or
 * PE input queue or was consumed exactly once:
 * {@code injected + multicastCopies == consumed + held}.
 */
final class FabricStats {
    /** Wavelet moves between neighbouring routers (link traversals). */
    long waveletHops;
    /** Wavelets delivered from routers into PE input queues (see {@link #rampDeliveries()}). */
    long rampDeliveries;
    /** Wavelets put on the fabric by PEs (data and control). */
    long injected;
    /** Extra copies made by multicast routes (a wavelet sent to k outputs makes k - 1). */
    long copies;
    /** Wavelets popped from PE queues, plus control wavelets absorbed at their last router (see {@link #consumed()}). */
    long consumed;
    /**
     * Receives accounted by receive fusion: each is a ramp delivery, a consumption and a PE step, and
     * writes memory opLatency after its ready cycle. One counter instead of four updates on the
     * hottest path of a broadcast (measured: a 64 x 64 2D broadcast 24.9 -> 24.4 ns per hop, thread
     * CPU, in-process A/B of 60 runs; the accessors below add it in).
     */
    long fusedReceives;
    /** The ready cycle of the latest fused receive (they come in cycle order), or -1. */
    long lastFusedReady = -1;
    /** pe.opLatencyCycles: a fused receive's write ends this long after its ready cycle. */
    private final int opLat;
    /** Control wavelets that ended at a ramp. */
    long controlAbsorbed;
    /** Router-colour-cycles in which a ready wavelet could not move for lack of a credit or acceptance. */
    long creditStalls;
    /** Vector steps on fabric operands executed by PEs at their visits (see {@link #peSteps()}). */
    long peSteps;
    /** Router visits by the scheduler (the cost of the simulation, not a result). */
    long routerVisits;
    /** PE visits by the scheduler (the cost of the simulation, not a result). */
    long peVisits;
    /** The cycle of the first vector step that put a wavelet on the fabric, or Long.MAX_VALUE. */
    long firstInjection = Long.MAX_VALUE;
    /** The end (exclusive) of the last cycle in which a PE's visit wrote a result to SRAM (see {@link #lastWriteEnd()}). */
    long lastWriteEnd;
    /** The last cycle in which anything happened. */
    long lastActiveCycle;
    /** Cycles in which anything happened. */
    long activeCycles;
    /** Per router r and direction d (N, E, S, W) at 4 r + d: wavelets sent on that link; null when not tracked. */
    final long[] linkWavelets;
    /** Per phase tag: the last cycle (exclusive end) in which an instruction with that tag completed. */
    final long[] tagEnd = new long[Op.MAX_TAG + 1];

    FabricStats(int routers, boolean trackLinks, int opLatencyCycles) {
        this.linkWavelets = trackLinks ? new long[routers * 4] : null;
        this.opLat = opLatencyCycles;
    }

    /** Wavelets delivered from routers to PEs (into an input queue or accounted by receive fusion). */
    long rampDeliveries() {
        return rampDeliveries + fusedReceives;
    }

    /** Wavelets taken off the fabric by PEs, plus control wavelets absorbed at their last router. */
    long consumed() {
        return consumed + fusedReceives;
    }

    /** Vector steps on fabric operands executed by PEs. */
    long peSteps() {
        return peSteps + fusedReceives;
    }

    /** The end (exclusive) of the last cycle in which a result was written to SRAM. */
    long lastWriteEnd() {
        return lastFusedReady < 0 ? lastWriteEnd : Math.max(lastWriteEnd, lastFusedReady + opLat);
    }

    /** Records a result written to SRAM at the end of cycle {@code end} (exclusive). */
    void written(long end) {
        if (end > lastWriteEnd) {
            lastWriteEnd = end;
        }
    }

    /**
     * Checks conservation against {@code held}, the wavelets now in buffers and queues.
     *
     * @throws IllegalStateException when a wavelet was lost or duplicated
     */
    void check(long held, long cycle) {
        if (injected + copies != consumed() + held) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "conservation violated at cycle %d: injected %d + copies %d != consumed %d + held %d",
                    cycle, injected, copies, consumed(), held));
        }
    }
}
