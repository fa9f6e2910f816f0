package dev.wafersim.core.component;

import java.util.Objects;

/**
 * One end of a {@link Link}, owned by a component. Components talk only through ports; the link
 * behind a port owns the latency, the bandwidth and the credits (backpressure).
 */
public final class Port {
    private final Component owner;
    private final String name;
    private final boolean optional;
    Link link;
    boolean sideA;

    Port(Component owner, String name, boolean optional) {
        this.owner = Objects.requireNonNull(owner);
        this.name = Objects.requireNonNull(name);
        this.optional = optional;
    }

    /** The owning component. */
    public Component owner() {
        return owner;
    }

    /** The port's name within its component. */
    public String name() {
        return name;
    }

    /** Full name, {@code component.port}. */
    public String fullName() {
        return owner.name() + "." + name;
    }

    /** Whether the system may leave this port unconnected. */
    public boolean optional() {
        return optional;
    }

    /** True once a link is bound to this port. */
    public boolean isBound() {
        return link != null;
    }

    /** The bound link; throws if the port is unconnected. */
    public Link link() {
        if (link == null) {
            throw new WiringException("port " + fullName() + " is not connected");
        }
        return link;
    }

    /**
     * Sends a message of {@code bytes} bytes to the peer port if the link has a credit; otherwise
     * returns false and the owner's {@link Component#onCredit(Port)} is called once a credit returns.
     */
    public boolean trySend(long data, long bytes) {
        return link().send(this, data, bytes);
    }

    /** Returns one credit to the sender at the other end (the receiver consumed a message). */
    public void release() {
        link().release(this);
    }

    @Override
    public String toString() {
        return fullName();
    }
}
