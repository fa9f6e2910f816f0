package dev.wafersim.workloads.step;

/**
 * A machine as a serving replay sees it: the time of any forward pass and what it can hold. One
 * instance per machine set-up (system, parameters, model, precision, layout), built by
 * {@link StepModelFactory}.
 *
 * <p>Contract: {@link #time} is deterministic (the same batch gives the same time) and simulates
 * the pass with the machine model (the GPU discrete-event model, the wafer's fabric episodes), never
 * a separate formula; implementations may memoize. Thread-safe: a replay or a sweep may call it from
 * several threads.
 */
public interface StepModel {
    /**
     * The simulated time of one forward pass.
     *
     * @throws dev.wafersim.core.config.ConfigException when the batch cannot run on the machine (more
     *         positions than the model or the cache can hold)
     */
    StepTime time(ForwardBatch batch);

    /**
     * KV-cache capacity in tokens summed over all sequences: the memory the weights, the runtime and
     * the activation reserve leave, divided by the bytes one token's keys and values take over all
     * layers (per device, then times the devices that hold distinct parts of the cache).
     */
    long kvCapacityTokens();

    /**
     * Independent passes the machine can have in flight at once: 1 without pipelining; the pipeline
     * stages (GPU pipeline stages, wafers, layer regions) where passes overlap.
     */
    int maxPassesInFlight();

    /**
     * A hint that the passes {@code batches} are about to be timed: a machine that simulates parts of passes
     * once and reuses them may simulate all that these need at once (in parallel) instead of pass by pass.
     * Optional; it changes no result. The default does nothing.
     *
     * @throws dev.wafersim.core.config.ConfigException when a batch cannot run on the machine (as {@link #time})
     */
    default void prepare(java.util.List<ForwardBatch> batches) {
    }

    /** Devices the machine is made of (GPUs or wafers): for per-device figures. */
    int devices();

    /** One line describing the machine and the layout, as {@code wafersim run} prints it. */
    String machine();
}
