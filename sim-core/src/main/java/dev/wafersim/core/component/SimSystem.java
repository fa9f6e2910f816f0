package dev.wafersim.core.component;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.RunLimits;
import dev.wafersim.core.stats.StatsRegistry;
import java.util.List;

/**
 * A validated set of components and links on one engine, with the lifecycle
 * start, run, finish. Built by {@link SystemBuilder}.
 */
public final class SimSystem {
    private enum State { BUILT, STARTED, FINISHED }

    private final Engine engine;
    private final List<Component> components;
    private final List<Link> links;
    private final StatsRegistry stats;
    private State state = State.BUILT;

    SimSystem(Engine engine, List<Component> components, List<Link> links, StatsRegistry stats) {
        this.engine = engine;
        this.components = components;
        this.links = links;
        this.stats = stats;
    }

    /** Calls every component's {@link Component#start()} in the order they were added. */
    public void start() {
        expect(State.BUILT, "start");
        for (Component c : components) {
            c.start();
        }
        state = State.STARTED;
    }

    /** Runs the engine within the given budgets (see {@link Engine#run(RunLimits)}). */
    public long run(RunLimits limits) {
        expect(State.STARTED, "run");
        return engine.run(limits);
    }

    /** Calls every component's {@link Component#finish()}. */
    public void finish() {
        expect(State.STARTED, "finish");
        for (Component c : components) {
            c.finish();
        }
        state = State.FINISHED;
    }

    private void expect(State s, String what) {
        if (state != s) {
            throw new IllegalStateException("cannot " + what + " a system that is " + state);
        }
    }

    public Engine engine() {
        return engine;
    }

    public List<Component> components() {
        return components;
    }

    public List<Link> links() {
        return links;
    }

    public StatsRegistry stats() {
        return stats;
    }
}
