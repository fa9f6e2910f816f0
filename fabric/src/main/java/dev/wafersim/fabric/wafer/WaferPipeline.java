package dev.wafersim.fabric.wafer;

import dev.wafersim.core.component.Component;
import dev.wafersim.core.component.LinkSpec;
import dev.wafersim.core.component.Port;
import dev.wafersim.core.component.SimSystem;
import dev.wafersim.core.component.SystemBuilder;
import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.RunLimits;
import dev.wafersim.core.event.WheelEventQueue;
import dev.wafersim.core.stats.StatsRegistry;

/**
 * The wafers of a layer pipeline on the discrete-event engine: one component per wafer, connected
 * in a ring by links that own their latency and bandwidth (the wafer-to-wafer links, each with its
 * own statistics). A token starts on wafer 0; each wafer works on it for its stage time, then sends
 * the hidden state (or, from the last wafer, the new token id) over its link; the next token starts
 * on wafer 0 when the token id arrives. Per-token latency is the time between consecutive starts.
 * With one wafer there are no links: the token id stays on the wafer (its way to the embedding table
 * is part of the stage time).
 */
public final class WaferPipeline {

    /** What the engine measured. */
    public record Result(long[] tokenLatencyPs, long[] linkPs, StatsRegistry stats) {
    }

    private WaferPipeline() {
    }

    /**
     * Runs the tokens through the wafers.
     *
     * @param stagePs         time of wafer i's work on token t, {@code stagePs[t][i]} ps
     * @param linkLatencyPs   latency of one wafer-to-wafer link
     * @param linkBytesPerSec bandwidth of one link
     * @param activationBytes bytes of the hidden state sent between wafers
     * @param tokenBytes      bytes of the token ids sent back to the first wafer
     */
    public static Result run(long[][] stagePs, long linkLatencyPs, double linkBytesPerSec, long activationBytes,
                             long tokenBytes) {
        int tokens = stagePs.length;
        int n = stagePs[0].length;
        Engine engine = new Engine(new WheelEventQueue(16, 12));
        SystemBuilder b = new SystemBuilder(engine, 1);
        long[] start = new long[tokens + 1];
        long[] linkPs = new long[tokens];
        Stage[] stages = new Stage[n];
        for (int i = 0; i < n; i++) {
            stages[i] = b.add(new Stage("wafer" + i, i, n, stagePs, start, linkPs,
                    i == n - 1 ? tokenBytes : activationBytes));
        }
        for (int i = 0; i < n; i++) {
            stages[i].prev = stages[(i - 1 + n) % n];
        }
        if (n > 1) {
            LinkSpec spec = new LinkSpec(linkLatencyPs, linkBytesPerSec, 0);
            for (int i = 0; i < n; i++) {
                b.connect(stages[i].out, stages[(i + 1) % n].in, spec);
            }
        }
        SimSystem sys = b.build();
        sys.start();
        sys.run(RunLimits.UNBOUNDED);
        sys.finish();
        long[] lat = new long[tokens];
        for (int t = 0; t < tokens; t++) {
            lat[t] = start[t + 1] - start[t];
        }
        return new Result(lat, linkPs, sys.stats());
    }

    /** One wafer: works on each token for its stage time, then passes it on. */
    private static final class Stage extends Component {
        final Port in;
        final Port out;
        final int index;
        final int wafers;
        final long[][] stagePs;
        final long[] start;
        final long[] linkPs;
        final long bytes;
        int token;
        long sentAt;
        long busyPs;
        Stage prev;

        Stage(String name, int index, int wafers, long[][] stagePs, long[] start, long[] linkPs, long bytes) {
            super(name);
            this.index = index;
            this.wafers = wafers;
            this.stagePs = stagePs;
            this.start = start;
            this.linkPs = linkPs;
            this.bytes = bytes;
            this.in = wafers > 1 ? declarePort("in") : declareOptionalPort("in");
            this.out = wafers > 1 ? declarePort("out") : declareOptionalPort("out");
        }

        @Override
        protected void registerStats(StatsRegistry registry) {
            registry.counter("pipeline." + name() + ".busyPs", () -> busyPs);
        }

        @Override
        protected void start() {
            if (index == 0) {
                begin();
            }
        }

        private void begin() {
            if (index == 0) {
                start[token] = engine().now();
            }
            long d = stagePs[token][index];
            busyPs += d;
            scheduleSelf(d, token);
        }

        @Override
        protected void onEvent(long data) {
            // The stage's work on token `data` is done.
            if (wafers == 1) {
                token++;
                if (token < stagePs.length) {
                    begin();
                } else {
                    start[token] = engine().now();
                }
                return;
            }
            sentAt = engine().now();
            if (!out.trySend(token, bytes)) {
                throw new IllegalStateException("wafer link refused a send");
            }
            token++;
        }

        @Override
        protected void onReceive(Port port, long data) {
            int t = (int) data;
            // One token in flight: the predecessor's last send is this token's.
            linkPs[t] += engine().now() - prev.sentAt;
            if (index == 0) {
                // Token t's id is back: token t + 1 starts.
                if (t + 1 < stagePs.length) {
                    token = t + 1;
                    begin();
                } else {
                    start[t + 1] = engine().now();
                }
            } else {
                token = t;
                begin();
            }
        }
    }
}
