package dev.wafersim.workloads.run;

import dev.wafersim.core.trace.TraceSink;

/**
 * Simulates a decode run on one kind of machine. Implementations are stateless (one instance serves
 * every request) and deterministic: the same request gives the same result, wall time aside.
 */
@FunctionalInterface
public interface DecodeSimulator {
    /**
     * Runs the request.
     *
     * @return the per-token latencies and their breakdown; {@code wallSeconds} may be left 0, the
     *         catalog's {@link SystemCatalog.Entry#simulate} fills it in
     * @throws dev.wafersim.core.config.ConfigException for input the machine cannot take (the model does
     *         not fit, a parallel degree that does not divide the heads, ...): the message names the option
     *         or key, the value and what is allowed
     * @throws dev.wafersim.core.event.SimulationStalledException when the simulation itself fails
     */
    DecodeResult simulate(DecodeRequest request);

    /** Runs the request, reporting to {@code progress} as it goes where the simulator can. */
    default DecodeResult simulate(DecodeRequest request, Progress progress) {
        return simulate(request, progress, TraceSink.NONE, 0);
    }

    /**
     * Runs the request, reporting to {@code progress}, and writes the timeline of its first
     * {@code timelineTokens} decode steps (all when 0) to {@code trace}: processes per device, tracks per
     * region or stream, spans per phase or kernel, in simulated time from the start of the run.
     */
    default DecodeResult simulate(DecodeRequest request, Progress progress, TraceSink trace, int timelineTokens) {
        return simulate(request);
    }
}
