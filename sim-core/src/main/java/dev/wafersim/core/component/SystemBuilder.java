package dev.wafersim.core.component;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.random.RandomStreams;
import dev.wafersim.core.stats.StatsRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Wires components into a {@link SimSystem}. {@link #build()} validates the wiring: every component
 * name is unique, every port is bound at most once, and every non-optional port is bound. Errors
 * name the port and component and are raised at build time, never during the run.
 */
public final class SystemBuilder {
    private final Engine engine;
    private final RandomStreams streams;
    private final StatsRegistry stats;
    private final Map<String, Component> components = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private boolean built;

    public SystemBuilder(Engine engine, long seed) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.streams = new RandomStreams(seed);
        this.stats = new StatsRegistry();
    }

    /** Adds a component; names must be unique. */
    public <C extends Component> C add(C component) {
        checkOpen();
        if (components.putIfAbsent(component.name(), component) != null) {
            errors.add("two components are named '" + component.name() + "'");
        }
        return component;
    }

    /** Connects two ports with a link of the given parameters. */
    public Link connect(Port a, Port b, LinkSpec spec) {
        checkOpen();
        Objects.requireNonNull(spec, "spec");
        if (a == b) {
            errors.add("port " + a.fullName() + " is connected to itself");
            return null;
        }
        String name = a.fullName() + "--" + b.fullName();
        boolean okA = checkBindable(a, name);
        boolean okB = checkBindable(b, name);
        if (!okA || !okB) {
            return null; // the link is not created; its other port stays unbound and is reported too
        }
        Link link = new Link(name, a, b, spec);
        a.link = link;
        a.sideA = true;
        b.link = link;
        b.sideA = false;
        links.add(link);
        return link;
    }

    private boolean checkBindable(Port p, String linkName) {
        if (components.get(p.owner().name()) != p.owner()) {
            errors.add("port " + p.fullName() + " belongs to a component that was not added to the system");
            return false;
        }
        if (p.link != null) {
            errors.add("port " + p.fullName() + " is bound twice: to " + p.link.name() + " and to " + linkName);
            return false;
        }
        return true;
    }

    /** Validates the wiring and returns the system, ready to {@link SimSystem#start()}. */
    public SimSystem build() {
        checkOpen();
        for (Component c : components.values()) {
            for (Port p : c.ports()) {
                if (!p.isBound() && !p.optional()) {
                    errors.add("port " + p.fullName() + " is dangling (not connected)");
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new WiringException("wiring errors:\n  " + String.join("\n  ", errors));
        }
        built = true;
        for (Component c : components.values()) {
            c.bind(engine, streams.stream(c.name()), stats);
        }
        for (Link l : links) {
            l.bind(engine, stats);
        }
        return new SimSystem(engine, List.copyOf(components.values()), List.copyOf(links), stats);
    }

    private void checkOpen() {
        if (built) {
            throw new IllegalStateException("this builder has already built its system");
        }
    }
}
