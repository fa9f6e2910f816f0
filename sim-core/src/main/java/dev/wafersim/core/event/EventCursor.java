package dev.wafersim.core.event;

/** A reusable holder that {@link EventQueue#poll} copies one event into; never allocated per event. */
public final class EventCursor {
    /** Event time in picoseconds. */
    public long timePs;
    /** Priority and insertion sequence, packed by {@link EventOrder}. */
    public long order;
    /** Handler index the event is delivered to. */
    public int target;
    /** Opaque payload for the handler. */
    public long data;
}
