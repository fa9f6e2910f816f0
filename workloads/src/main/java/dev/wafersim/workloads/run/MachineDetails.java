package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The figures a decode result carries for one kind of machine, besides those every result has: the GPU
 * layout and HBM use ({@link GpuDetails}), the wafer mapping and SRAM use ({@link WaferDetails}). A record
 * per kind, so a figure has one name and one type everywhere; in result JSON its components sit at the top
 * level beside the common keys (the result unwraps it).
 */
public sealed interface MachineDetails permits GpuDetails, WaferDetails {
    /** The kind of machine these figures describe. */
    @JsonIgnore
    SystemKind kind();
}
