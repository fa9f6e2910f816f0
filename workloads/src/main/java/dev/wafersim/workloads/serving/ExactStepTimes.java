package dev.wafersim.workloads.serving;

import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepTime;
import java.util.Objects;

/**
 * Every pass simulated by the step model at its exact composition ({@code --exact}): the reference the
 * table's error is measured against. Nothing is memoized (a serving replay's passes almost never repeat:
 * every decode row's context grows by one token per pass).
 */
public final class ExactStepTimes implements StepTimes {
    private final StepModel model;
    private long simulated;

    /** Exact times from {@code model}. */
    public ExactStepTimes(StepModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public StepModel model() {
        return model;
    }

    @Override
    public void time(PassRows rows, PassTime out) {
        StepTime t = model.time(rows.toBatch());
        simulated++;
        out.latencyPs = t.latencyPs();
        out.intervalPs = t.intervalPs();
        for (int s = 0; s < out.busyDevicePs.length; s++) {
            out.busyDevicePs[s] = t.busyDevicePs()[s];
        }
    }

    @Override
    public long simulatedPasses() {
        return simulated;
    }

    @Override
    public long timedPasses() {
        return simulated;
    }

    @Override
    public String describe() {
        return "exact: every pass simulated at its composition";
    }
}
