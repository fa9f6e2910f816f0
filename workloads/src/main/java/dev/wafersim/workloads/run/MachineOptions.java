package dev.wafersim.workloads.run;

/**
 * Options of a decode run that belong to one kind of machine and are not hardware parameters (those are
 * in the request's {@code ParamSet}): how many devices and how the model is split over them.
 */
public sealed interface MachineOptions permits GpuOptions, WaferOptions {
    /** The kind of machine these options are for. */
    SystemKind kind();
}
