package dev.wafersim.core.event;

/**
 * A priority queue of events over primitive keys. Events leave in the total order
 * {@code (timePs, order)}, where {@code order} packs the event's priority above its insertion
 * sequence number (see {@link EventOrder}); since sequence numbers are unique, no two events compare
 * equal and the order is total and deterministic.
 *
 * <p>Implementations must not allocate per event in steady state (arrays grow geometrically and are
 * reused). Every implementation runs the same contract tests ({@code EventQueueContractTest}).
 */
public interface EventQueue {

    /** Adds an event. {@code timePs} must not be earlier than the last polled event's time. */
    void push(long timePs, long order, int target, long data);

    /** True when no event is queued. */
    boolean isEmpty();

    /** Number of queued events. */
    int size();

    /** Time of the first event, or {@link Long#MAX_VALUE} when empty. */
    long peekTime();

    /**
     * Removes the first event and copies it into {@code out}.
     *
     * @throws IllegalStateException when empty
     */
    void poll(EventCursor out);

    /** Short name for reports and benchmarks ({@code heap}, {@code wheel}). */
    String kind();
}
