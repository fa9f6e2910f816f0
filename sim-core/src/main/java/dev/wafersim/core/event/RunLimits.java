package dev.wafersim.core.event;

/**
 * The watchdog's budgets for one {@link Engine#run} call.
 *
 * @param maxTimePs  the run fails if an event is due later than this simulated time, in ps
 * @param maxEvents  the run fails if it would handle more than this many events
 */
public record RunLimits(long maxTimePs, long maxEvents) {
    /** No budget: run until the queue is empty or a handler stops the engine. */
    public static final RunLimits UNBOUNDED = new RunLimits(Long.MAX_VALUE, Long.MAX_VALUE);

    public RunLimits {
        if (maxTimePs < 0 || maxEvents < 0) {
            throw new IllegalArgumentException("run limits must be non-negative: maxTimePs=" + maxTimePs
                    + ", maxEvents=" + maxEvents);
        }
    }

    /** A budget of simulated time only. */
    public static RunLimits time(long maxTimePs) {
        return new RunLimits(maxTimePs, Long.MAX_VALUE);
    }

    /** A budget of handled events only. */
    public static RunLimits events(long maxEvents) {
        return new RunLimits(Long.MAX_VALUE, maxEvents);
    }
}
