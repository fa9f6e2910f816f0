package dev.wafersim.core.event;

/**
 * Packs an event's priority and insertion sequence into one {@code long} that breaks ties between
 * events at the same time: lower priority values run first, then earlier insertions.
 *
 * <p>Layout: bit 63 is zero (the value is never negative), bits 62..41 hold the priority
 * ({@value #MAX_PRIORITY} is the largest), bits 40..0 the sequence (up to 2^41 - 1, about 2.2
 * trillion events per run; exceeding it is an error, never a silent wrap).
 */
public final class EventOrder {
    /** Bits for the insertion sequence. */
    public static final int SEQ_BITS = 41;
    /** Largest sequence number. */
    public static final long MAX_SEQ = (1L << SEQ_BITS) - 1;
    /** Largest priority value. */
    public static final int MAX_PRIORITY = (1 << 22) - 1;

    private EventOrder() {
    }

    /** Packs a priority in [0, {@link #MAX_PRIORITY}] and a sequence in [0, {@link #MAX_SEQ}]. */
    public static long pack(int priority, long seq) {
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("event priority must be in [0, " + MAX_PRIORITY + "], got " + priority);
        }
        if (seq < 0 || seq > MAX_SEQ) {
            throw new IllegalStateException("event sequence number " + seq + " exceeds " + MAX_SEQ);
        }
        return ((long) priority << SEQ_BITS) | seq;
    }

    /** The priority of a packed order. */
    public static int priority(long order) {
        return (int) (order >>> SEQ_BITS);
    }

    /** The sequence number of a packed order. */
    public static long sequence(long order) {
        return order & MAX_SEQ;
    }
}
