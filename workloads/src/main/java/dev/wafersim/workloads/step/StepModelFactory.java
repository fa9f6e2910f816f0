package dev.wafersim.workloads.step;

/** Builds the {@link StepModel} of a system; each system's simulator provides one. */
@FunctionalInterface
public interface StepModelFactory {
    /**
     * The step model of {@code request}'s machine.
     *
     * @throws dev.wafersim.core.config.ConfigException when the model does not fit, or the layout is
     *         not allowed
     */
    StepModel stepModel(StepModelRequest request);
}
