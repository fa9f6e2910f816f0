package dev.wafersim.workloads.serving;

/**
 * How a server composes each pass (iteration) from its running and waiting requests. Implementations
 * are stateless; one instance may serve many replays. Registered by name in {@link SchedulerPolicies}
 * and chosen with {@code serving.scheduler}.
 */
public interface SchedulerPolicy {
    /** The name {@code serving.scheduler} takes. */
    String name();

    /** One sentence for {@code describe} and the output. */
    String description();

    /**
     * Adds the rows of the next pass through {@code view}. Adding nothing means the machine has nothing
     * to do until a pass finishes or a request arrives.
     *
     * @param view    the scheduler state and the operations that add rows
     * @param scratch an array at least as long as the running sequences can be, for snapshots
     */
    void compose(SchedulerView view, int[] scratch);
}
