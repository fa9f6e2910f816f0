package dev.wafersim.core.event;

/**
 * The watchdog's verdict: the run cannot make progress (pending work with no event that could ever
 * move it) or has exceeded its budget of simulated time or events. The message says what is stalled.
 */
public final class SimulationStalledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SimulationStalledException(String message) {
        super(message);
    }
}
