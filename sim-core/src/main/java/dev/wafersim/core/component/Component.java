package dev.wafersim.core.component;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.ProgressMonitor;
import dev.wafersim.core.random.Rng;
import dev.wafersim.core.stats.StatsRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A simulated part with named ports. Lifecycle, driven by {@link SimSystem}: constructed (ports
 * declared), wired by a {@link SystemBuilder}, validated, {@link #start()} (schedule initial
 * events), run, {@link #finish()} (flush statistics). Between these a component reacts to messages
 * on its ports ({@link #onReceive}), to its own timed events ({@link #onEvent}) and to returned
 * credits ({@link #onCredit}).
 */
public abstract class Component implements ProgressMonitor {
    private final String name;
    private final Map<String, Port> ports = new LinkedHashMap<>();
    private Engine engine;
    private int selfHandler = -1;
    private Rng rng;
    private StatsRegistry stats;

    protected Component(String name) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("component name must not be empty");
        }
    }

    @Override
    public final String name() {
        return name;
    }

    /** Declares a port that must be connected. */
    protected final Port declarePort(String portName) {
        return declare(portName, false);
    }

    /** Declares a port that may stay unconnected. */
    protected final Port declareOptionalPort(String portName) {
        return declare(portName, true);
    }

    private Port declare(String portName, boolean optional) {
        if (ports.containsKey(portName)) {
            throw new WiringException("component " + name + " declares port '" + portName + "' twice");
        }
        Port p = new Port(this, portName, optional);
        ports.put(portName, p);
        return p;
    }

    /** The port with this name; a {@link WiringException} names the component if there is none. */
    public final Port port(String portName) {
        Port p = ports.get(portName);
        if (p == null) {
            throw new WiringException("component " + name + " has no port '" + portName + "' (ports: "
                    + ports.keySet() + ")");
        }
        return p;
    }

    /** All declared ports, in declaration order. */
    public final Collection<Port> ports() {
        return Collections.unmodifiableCollection(ports.values());
    }

    final void bind(Engine e, Rng componentRng, StatsRegistry registry) {
        this.engine = e;
        this.rng = componentRng;
        this.stats = registry;
        this.selfHandler = e.register(name, (t, d) -> onEvent(d));
        e.addMonitor(this);
        registerStats(registry);
    }

    /** The engine; available from {@link #start()} on. */
    protected final Engine engine() {
        return engine;
    }

    /** This component's own random stream, derived from the run's seed and its name. */
    protected final Rng rng() {
        return rng;
    }

    /** The run's statistics registry. */
    protected final StatsRegistry stats() {
        return stats;
    }

    /** Schedules one of this component's own events {@code delayPs} from now. */
    protected final void scheduleSelf(long delayPs, long data) {
        engine.schedule(delayPs, 0, selfHandler, data);
    }

    /** Registers this component's counters; called once when the system is built. */
    protected void registerStats(StatsRegistry registry) {
    }

    /** Called once before the run: schedule initial events here. */
    protected void start() {
    }

    /** Called once after the run. */
    protected void finish() {
    }

    /** A message arrived on {@code port}. */
    protected void onReceive(Port port, long data) {
        throw new IllegalStateException("component " + name + " received a message on " + port.name()
                + " but does not handle messages");
    }

    /** One of this component's own events is due. */
    protected void onEvent(long data) {
        throw new IllegalStateException("component " + name + " got an event but does not handle events");
    }

    /** A link refused a send on {@code port} earlier and now has a credit again. */
    protected void onCredit(Port port) {
    }

    @Override
    public boolean hasPendingWork() {
        return false;
    }

    @Override
    public String describePending() {
        return "nothing pending";
    }
}
