package dev.wafersim.core.event;

import dev.wafersim.core.time.SimTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The discrete-event engine: a clock in picoseconds, a queue of pending events, and the handlers
 * they are delivered to.
 *
 * <p>Events run in the total order (time, priority, insertion sequence): at equal times the lower
 * priority value runs first and at equal priorities the earlier-scheduled event runs first, so a
 * run is a pure function of its configuration and seed. Handlers are registered once and addressed
 * by an {@code int}; an event is four primitives in the queue, so scheduling allocates nothing.
 *
 * <p>The watchdog: {@link #run(RunLimits)} fails with {@link SimulationStalledException} when a
 * budget of simulated time or events is exceeded, or when the queue runs dry while a registered
 * {@link ProgressMonitor} still holds work (that work can never proceed). Nothing hangs.
 */
public final class Engine {
    private final EventQueue queue;
    private final EventCursor cursor = new EventCursor();
    private EventHandler[] handlers = new EventHandler[8];
    private String[] handlerNames = new String[8];
    private int handlerCount;
    private final List<ProgressMonitor> monitors = new ArrayList<>();

    private long now;
    private long seq;
    private long eventsHandled;
    private boolean stopRequested;
    private boolean running;

    /** An engine over the given queue implementation. */
    public Engine(EventQueue queue) {
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /** An engine over a {@link HeapEventQueue}. */
    public Engine() {
        this(new HeapEventQueue());
    }

    /** Registers a handler and returns the index that events address it by. */
    public int register(String name, EventHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (handlerCount == handlers.length) {
            handlers = java.util.Arrays.copyOf(handlers, handlerCount * 2);
            handlerNames = java.util.Arrays.copyOf(handlerNames, handlerCount * 2);
        }
        handlers[handlerCount] = handler;
        handlerNames[handlerCount] = name;
        return handlerCount++;
    }

    /** Adds a part the watchdog asks about pending work when the queue runs dry. */
    public void addMonitor(ProgressMonitor monitor) {
        monitors.add(Objects.requireNonNull(monitor, "monitor"));
    }

    /** Current simulated time in picoseconds. */
    public long now() {
        return now;
    }

    /** Events handled so far. */
    public long eventsHandled() {
        return eventsHandled;
    }

    /** Events waiting in the queue. */
    public int pendingEvents() {
        return queue.size();
    }

    /** The queue implementation's short name. */
    public String queueKind() {
        return queue.kind();
    }

    /**
     * Schedules an event {@code delayPs} after now.
     *
     * @throws SimTimeException when the delay is negative or the time overflows
     */
    public void schedule(long delayPs, int priority, int target, long data) {
        if (delayPs < 0) {
            throw new SimTimeException("negative delay: " + delayPs + " ps");
        }
        long t = now + delayPs;
        if (t < now) {
            throw new SimTimeException("simulated time overflows: " + now + " ps + " + delayPs + " ps");
        }
        push(t, priority, target, data);
    }

    /**
     * Schedules an event at absolute time {@code timePs}, which must not be in the past.
     */
    public void scheduleAt(long timePs, int priority, int target, long data) {
        if (timePs < now) {
            throw new SimTimeException("cannot schedule at " + timePs + " ps, before now (" + now + " ps)");
        }
        push(timePs, priority, target, data);
    }

    private void push(long t, int priority, int target, long data) {
        if (target < 0 || target >= handlerCount) {
            throw new IllegalArgumentException("no handler with index " + target);
        }
        queue.push(t, EventOrder.pack(priority, seq++), target, data);
    }

    /** Asks the running loop to return after the current event. */
    public void stop() {
        stopRequested = true;
    }

    /** Runs until the queue is empty or a handler calls {@link #stop()}. */
    public long run() {
        return run(RunLimits.UNBOUNDED);
    }

    /**
     * Runs until the queue is empty or a handler calls {@link #stop()}, within the given budgets.
     *
     * @return the number of events handled by this call
     * @throws SimulationStalledException when a budget is exceeded or pending work can never proceed
     */
    public long run(RunLimits limits) {
        if (running) {
            throw new IllegalStateException("Engine.run is not reentrant");
        }
        running = true;
        stopRequested = false;
        final EventCursor c = cursor;
        final EventQueue q = queue;
        final long maxTime = limits.maxTimePs();
        final long eventBudgetEnd = limits.maxEvents() == Long.MAX_VALUE
                ? Long.MAX_VALUE : eventsHandled + limits.maxEvents();
        final long start = eventsHandled;
        try {
            while (!stopRequested) {
                if (q.isEmpty()) {
                    checkMonitors();
                    break;
                }
                if (eventsHandled >= eventBudgetEnd) {
                    throw new SimulationStalledException(String.format(Locale.ROOT,
                            "watchdog: event budget of %d events exceeded at t=%d ps with %d events pending%s",
                            limits.maxEvents(), now, q.size(), pendingSummary()));
                }
                q.poll(c);
                if (c.timePs > maxTime) {
                    now = c.timePs;
                    throw new SimulationStalledException(String.format(Locale.ROOT,
                            "watchdog: simulated-time budget of %d ps exceeded: next event for '%s' is at %d ps%s",
                            maxTime, handlerNames[c.target], c.timePs, pendingSummary()));
                }
                now = c.timePs;
                eventsHandled++;
                handlers[c.target].handle(c.timePs, c.data);
            }
        } finally {
            running = false;
        }
        return eventsHandled - start;
    }

    private void checkMonitors() {
        StringBuilder sb = null;
        for (ProgressMonitor m : monitors) {
            if (m.hasPendingWork()) {
                if (sb == null) {
                    sb = new StringBuilder(String.format(Locale.ROOT,
                            "watchdog: no events left at t=%d ps but work is pending and can never proceed:", now));
                }
                sb.append("\n  ").append(m.name()).append(": ").append(m.describePending());
            }
        }
        if (sb != null) {
            throw new SimulationStalledException(sb.toString());
        }
    }

    private String pendingSummary() {
        StringBuilder sb = new StringBuilder();
        for (ProgressMonitor m : monitors) {
            if (m.hasPendingWork()) {
                sb.append("\n  ").append(m.name()).append(": ").append(m.describePending());
            }
        }
        return sb.toString();
    }
}
