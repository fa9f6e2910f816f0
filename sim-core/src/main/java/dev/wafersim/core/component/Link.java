package dev.wafersim.core.component;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.stats.StatsRegistry;
import dev.wafersim.core.time.Ticks;

/**
 * A bidirectional point-to-point link between two ports. Each direction serializes messages at the
 * configured bandwidth (one after the other), adds the propagation latency, and delivers them to the
 * peer component's {@link Component#onReceive}. With a finite number of credits a direction accepts
 * a message only while the receiver has room; a refused sender is woken through
 * {@link Component#onCredit} when the receiver releases one. Nothing polls.
 *
 * <p>Per direction it counts messages and bytes, and the time spent serializing (busy time), under
 * {@code link.NAME.{ab,ba}.*} in the stats registry.
 */
public final class Link {
    private final String name;
    private final Port a;
    private final Port b;
    private final LinkSpec spec;
    private final Direction ab;
    private final Direction ba;

    Link(String name, Port a, Port b, LinkSpec spec) {
        this.name = name;
        this.a = a;
        this.b = b;
        this.spec = spec;
        this.ab = new Direction(a, b);
        this.ba = new Direction(b, a);
    }

    /** The link's name. */
    public String name() {
        return name;
    }

    /** Its parameters. */
    public LinkSpec spec() {
        return spec;
    }

    /** Port on side A. */
    public Port sideA() {
        return a;
    }

    /** Port on side B. */
    public Port sideB() {
        return b;
    }

    void bind(Engine engine, StatsRegistry stats) {
        ab.bind(engine, stats, name + ".ab");
        ba.bind(engine, stats, name + ".ba");
    }

    boolean send(Port from, long data, long bytes) {
        return (from == a ? ab : ba).send(data, bytes);
    }

    void release(Port receiver) {
        // The receiver is the destination of the direction that delivered to it.
        (receiver == b ? ab : ba).release();
    }

    /** Messages sent from side A to side B so far. */
    public long messagesAtoB() {
        return ab.messages;
    }

    /** Messages sent from side B to side A so far. */
    public long messagesBtoA() {
        return ba.messages;
    }

    private final class Direction {
        final Port from;
        final Port to;
        Engine engine;
        int deliverHandler;
        int creditsLeft;
        boolean senderWaiting;
        long serializerFreePs;
        long messages;
        long bytesSent;
        long busyPs;

        Direction(Port from, Port to) {
            this.from = from;
            this.to = to;
        }

        void bind(Engine e, StatsRegistry stats, String statName) {
            this.engine = e;
            this.creditsLeft = spec.credits();
            this.deliverHandler = e.register("link " + statName,
                    (t, d) -> to.owner().onReceive(to, d));
            String base = "link." + statName;
            stats.counter(base + ".messages", () -> messages);
            stats.counter(base + ".bytes", () -> bytesSent);
            stats.counter(base + ".busyPs", () -> busyPs);
        }

        boolean send(long data, long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("message size must be >= 0 bytes, got " + bytes);
            }
            if (spec.credits() > 0) {
                if (creditsLeft == 0) {
                    senderWaiting = true;
                    return false;
                }
                creditsLeft--;
            }
            long now = engine.now();
            long start = Math.max(now, serializerFreePs);
            long serPs = spec.bandwidthBytesPerSec() > 0
                    ? (long) Math.ceil(bytes * (double) Ticks.PS_PER_S / spec.bandwidthBytesPerSec()) : 0;
            serializerFreePs = Ticks.add(start, serPs);
            busyPs += serPs;
            messages++;
            bytesSent += bytes;
            engine.scheduleAt(Ticks.add(serializerFreePs, spec.latencyPs()), 0, deliverHandler, data);
            return true;
        }

        void release() {
            if (spec.credits() == 0) {
                return;
            }
            if (creditsLeft >= spec.credits()) {
                throw new IllegalStateException("link " + name + ": " + to.fullName()
                        + " released more credits than it received messages");
            }
            creditsLeft++;
            if (senderWaiting) {
                senderWaiting = false;
                from.owner().onCredit(from);
            }
        }
    }
}
