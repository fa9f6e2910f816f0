package dev.wafersim.workloads.run;

/**
 * What a device is doing, as far as its power draw is concerned. A machine books every picosecond of
 * every device to one state ({@link DeviceActivity}); the power model gives each state a power per
 * device ({@code workloads.energy.PowerModel}). A GPU uses {@link #IDLE}, {@link #MEMORY_BOUND},
 * {@link #COMPUTE_BOUND} and {@link #COMMUNICATION}; a wafer {@link #IDLE} and {@link #ACTIVE}.
 */
public enum PowerState {
    /** Powered, clocked, waiting: no kernel running, a layer region with no work. */
    IDLE,
    /** GPU: kernels bound by HBM bandwidth (weight and KV-cache streams, element-wise kernels). */
    MEMORY_BOUND,
    /** GPU: kernels bound by tensor-core arithmetic (prefill GEMMs). */
    COMPUTE_BOUND,
    /** GPU: collectives and transfers over NVLink or the network. */
    COMMUNICATION,
    /** Wafer: PEs of a region executing a step (compute, fabric transfers, reductions). */
    ACTIVE
}
