package dev.wafersim.core.event;

/** Receives the events scheduled for it. {@code data} is the payload given at scheduling. */
@FunctionalInterface
public interface EventHandler {
    /**
     * Handles one event.
     *
     * @param timePs the event's time in picoseconds (equal to {@link Engine#now()})
     * @param data   the payload given at scheduling
     */
    void handle(long timePs, long data);
}
