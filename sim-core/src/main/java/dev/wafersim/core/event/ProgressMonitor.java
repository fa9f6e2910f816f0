package dev.wafersim.core.event;

/**
 * Something that can hold work the event queue knows nothing about (a wavelet waiting for a credit,
 * a task waiting for an operand). When the queue runs dry while a monitor still reports pending
 * work, that work can never proceed and the engine's watchdog ends the run with a
 * {@link SimulationStalledException} that quotes {@link #describePending()}.
 */
public interface ProgressMonitor {
    /** Name used in stall reports. */
    String name();

    /** True while this part holds work that still has to happen. */
    boolean hasPendingWork();

    /** What is stuck and on what, for the stall report (a few lines at most). */
    String describePending();
}
