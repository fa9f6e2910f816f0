package dev.wafersim.workloads.serving;

import dev.wafersim.workloads.step.StepModel;

/**
 * Where the engine gets the time of each pass: from the machine's {@link StepModel}, either for the
 * exact composition of every pass ({@link ExactStepTimes}) or through a memoized table of simulated
 * passes, interpolated ({@link StepTimeTable}). Not thread-safe: one replay at a time.
 */
public interface StepTimes {
    /** The machine the times come from. */
    StepModel model();

    /** Fills {@code out} with the latency and pipeline interval of a pass of {@code rows}. */
    void time(PassRows rows, PassTime out);

    /** Passes simulated by the step model so far. */
    long simulatedPasses();

    /** Passes timed so far. */
    long timedPasses();

    /** One line saying how times are obtained, for the output. */
    String describe();
}
