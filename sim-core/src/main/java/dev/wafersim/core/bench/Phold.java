package dev.wafersim.core.bench;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.EventHandler;
import dev.wafersim.core.event.EventQueue;
import dev.wafersim.core.event.HeapEventQueue;
import dev.wafersim.core.event.WheelEventQueue;
import dev.wafersim.core.random.RandomStreams;
import dev.wafersim.core.random.Rng;
import dev.wafersim.core.time.Ticks;

/**
 * PHOLD, the standard synthetic benchmark of discrete-event engines (Fujimoto, "Performance of Time
 * Warp under synthetic workloads", 1990): {@code lps} logical processes, each starting with
 * {@code population} events; handling an event at an LP schedules exactly one new event, for an LP
 * drawn uniformly at random, at now + lookahead + an exponential delay. The number of pending
 * events therefore stays at {@code lps * population}.
 *
 * <p>Each LP draws from its own random stream (seeded from the run's seed and the LP index), so a
 * run is a pure function of its parameters. {@link #digest()} folds the (time, LP) sequence of
 * handled events into 64 bits, so two runs can be compared event by event.
 */
public final class Phold implements EventHandler {

    /**
     * PHOLD parameters.
     *
     * @param lps               logical processes
     * @param population        events in flight per LP
     * @param lookaheadPs       fixed part of every delay, in ps
     * @param meanExpDelayPs    mean of the exponential part of every delay, in ps
     * @param seed              the run's seed
     */
    public record Params(int lps, int population, long lookaheadPs, double meanExpDelayPs, long seed) {
        public Params {
            if (lps < 1 || population < 1) {
                throw new IllegalArgumentException("lps and population must be >= 1");
            }
            if ((long) lps * population > 100_000_000L) {
                throw new IllegalArgumentException("lps x population must be at most 100,000,000");
            }
            if (lookaheadPs < 0 || !(meanExpDelayPs >= 0)) {
                throw new IllegalArgumentException("delays must be >= 0");
            }
        }

        /** The benchmark's defaults: 1,024 LPs, 16 events each, 1 ns lookahead, 10 ns mean delay. */
        public static Params defaults(long seed) {
            return new Params(1024, 16, Ticks.PS_PER_NS, 10.0 * Ticks.PS_PER_NS, seed);
        }
    }

    private final Params p;
    private final Engine engine;
    private final int handler;
    private final Rng[] rng;
    private long digest = 0x243F6A8885A308D3L;
    private long handled;
    private long stopAt = -1;

    /** Builds PHOLD on a fresh engine over {@code queue} and schedules the initial events. */
    public Phold(Params params, EventQueue queue) {
        this.p = params;
        this.engine = new Engine(queue);
        this.handler = engine.register("phold", this);
        RandomStreams streams = new RandomStreams(params.seed());
        this.rng = new Rng[params.lps()];
        for (int i = 0; i < rng.length; i++) {
            rng[i] = streams.stream("phold.lp", i);
        }
        Rng init = streams.stream("phold.init");
        for (int lp = 0; lp < params.lps(); lp++) {
            for (int k = 0; k < params.population(); k++) {
                engine.schedule(delay(init), 0, handler, lp);
            }
        }
    }

    /**
     * A queue suited to PHOLD's event density: a timing wheel whose bucket is the largest power of
     * two at most the mean gap between events (mean delay / events in flight), spanning at least 8
     * mean delays (the exponential tail beyond that, e^-8 of events, waits in the overflow heap).
     * Measured on the default PHOLD (1,024 x 16, 2-core build machine, 20 M events): 1 ps buckets
     * x 2^17 gave 28 M events/s; 8 ps x 2^15 gave 18.5 M; 64 ps x 2^12 gave 13 M, because each
     * bucket's events are sorted in a small heap and fuller buckets cost more.
     */
    public static EventQueue queueFor(String kind, Params params) {
        switch (kind) {
            case "heap":
                return new HeapEventQueue(params.lps() * params.population());
            case "wheel": {
                double meanDelay = params.lookaheadPs() + params.meanExpDelayPs();
                double gap = Math.max(1.0, meanDelay / ((double) params.lps() * params.population()));
                int shift = Math.max(0, 63 - Long.numberOfLeadingZeros((long) gap));
                long span = (long) Math.max(8 * meanDelay, 1 << 10);
                int bits = Math.max(4, Math.min(22, 64 - Long.numberOfLeadingZeros(span >> shift)));
                return new WheelEventQueue(shift, bits);
            }
            default:
                throw new IllegalArgumentException("queue must be heap or wheel, got " + kind);
        }
    }

    private long delay(Rng r) {
        return p.lookaheadPs() + (long) (r.nextExponential() * p.meanExpDelayPs() + 0.5);
    }

    @Override
    public void handle(long timePs, long data) {
        int lp = (int) data;
        Rng r = rng[lp];
        int dest = r.nextInt(p.lps());
        engine.schedule(delay(r), 0, handler, dest);
        digest = Rng.mix64(digest ^ (timePs * 31 + lp));
        if (++handled == stopAt) {
            engine.stop();
        }
    }

    /**
     * Handles exactly {@code events} more events. PHOLD never runs dry, so the run ends by stopping
     * the engine from the handler once the count is reached.
     */
    public void run(long events) {
        if (events <= 0) {
            return;
        }
        stopAt = handled + events;
        engine.run();
        if (handled != stopAt) {
            throw new IllegalStateException("PHOLD ended after " + handled + " events, expected " + stopAt);
        }
    }

    /** Events handled so far. */
    public long handled() {
        return handled;
    }

    /** The engine (for its clock and counters). */
    public Engine engine() {
        return engine;
    }

    /** Digest of the (time, LP) sequence of handled events so far. */
    public long digest() {
        return digest;
    }
}
