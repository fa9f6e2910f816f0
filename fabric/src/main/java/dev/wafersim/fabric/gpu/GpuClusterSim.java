package dev.wafersim.fabric.gpu;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.ProgressMonitor;
import dev.wafersim.core.event.RunLimits;
import java.util.Locale;
import java.util.Objects;

/**
 * Runs a {@link GpuProgram} on the discrete-event {@link Engine}: one device timeline per GPU, fed
 * by one host that launches its items.
 *
 * <p>Contract: after {@link #run()}, every GPU's time from 0 to the end of the last GPU is booked to
 * exactly one {@link TimeCategory}, so each GPU's categories sum to the wall time. Runs are
 * deterministic: the same program gives the same timelines bit for bit. A program whose GPUs wait
 * on each other in a cycle fails with a {@code SimulationStalledException} naming the stalled GPUs.
 */
public final class GpuClusterSim {
    /*
     * Per GPU, the host walks the program and launches each item; the device runs the items in order.
     *
     * Host. Without CUDA graphs every item costs the host kernel.launchOverheadNs, back to back: item
     * i is issued at h_i = h_(i-1) + L. With CUDA graphs the first item of a segment (the program up
     * to the next host sync) costs L (the graph launch) and the rest nothing. A host sync makes the
     * host wait until the device has finished everything before it; the next launch starts from there.
     *
     * Device. Item i becomes ready at r_i = max(e_(i-1), h_i) + g, where g is kernel.deviceGapNs,
     * the dispatch gap between consecutive kernels of a stream that remains even when the host is
     * ahead (and all that remains of the launch cost with CUDA graphs). The time from e_(i-1) to r_i
     * is LAUNCH. Launches are asynchronous, so a host that runs ahead (kernels longer than L) costs
     * the device only g per item; a host that falls behind (short kernels, no graphs) sets the pace:
     * N kernels then take about N L instead of N (g + d).
     *   - kernel: runs for its duration d, booked to its category.
     *   - collective: the member arrives at r_i and waits (IDLE) until the last member arrives at
     *     t_last; all members then communicate for the collective's duration and finish together.
     *   - send: occupies the sender for the transfer time d (COMMUNICATION); the data arrives at the
     *     receiver at start + d. Sends are eager: a send does not wait for its receive to be posted
     *     (NCCL buffers small messages; decode activations are small).
     *   - receive: finishes when its message has arrived; while waiting, the time before the matching
     *     send starts is IDLE (a pipeline bubble) and the time while it is in flight COMMUNICATION.
     * When a GPU's program ends before the last GPU's, the rest of the wall time is IDLE.
     *
     * Events: READY(gpu) when a launch-delayed item becomes ready, DONE(gpu) when an item ends; the
     * payload packs the event kind and the GPU. All state is in primitive arrays sized once from the
     * program; handling an event allocates nothing.
     */

    private static final int EV_READY = 0;
    private static final int EV_DONE = 1;
    private static final int CAT_LAUNCH = TimeCategory.LAUNCH.ordinal();
    private static final int CAT_IDLE = TimeCategory.IDLE.ordinal();
    private static final int CAT_COMM = TimeCategory.COMMUNICATION.ordinal();

    private final GpuProgram program;
    private final Engine engine;
    private final int handler;
    private final int gpus;
    private final boolean cudaGraphs;
    private final long launchOverheadPs;
    private final long deviceGapPs;

    private final int[] pc;
    private final long[] hostFreePs;
    private final boolean[] segmentOpen;
    private final long[] accountedPs;
    private final long[][] byCategoryPs;
    private final long[] finishPs;
    private final long[] waitSincePs;
    private final long[][] readyPs;
    private final long[][] activePs;
    private final long[][] endPs;

    private final int[] groupArrived;
    private final long[][] sendStartPs;
    private final long[][] arrivalPs;
    private final int[] sent;
    private final boolean[] recvWaiting;
    private final long[] recvPostPs;

    private boolean ran;

    /** A simulation of {@code program} on a fresh engine. */
    public GpuClusterSim(GpuProgram program) {
        this(program, new Engine());
    }

    /** A simulation of {@code program} on the given engine (which must not be running). */
    public GpuClusterSim(GpuProgram program, Engine engine) {
        this.program = Objects.requireNonNull(program, "program");
        this.engine = Objects.requireNonNull(engine, "engine");
        GpuParams params = program.cluster().params();
        this.gpus = program.gpuCount();
        this.cudaGraphs = params.cudaGraphs();
        this.launchOverheadPs = params.launchOverheadPs();
        this.deviceGapPs = params.deviceGapPs();

        pc = new int[gpus];
        hostFreePs = new long[gpus];
        segmentOpen = new boolean[gpus];
        accountedPs = new long[gpus];
        byCategoryPs = new long[gpus][TimeCategory.values().length];
        finishPs = new long[gpus];
        java.util.Arrays.fill(finishPs, -1);
        waitSincePs = new long[gpus];
        readyPs = new long[gpus][];
        activePs = new long[gpus][];
        endPs = new long[gpus][];
        for (int g = 0; g < gpus; g++) {
            int n = program.itemCount(g);
            readyPs[g] = new long[n];
            activePs[g] = new long[n];
            endPs[g] = new long[n];
        }
        groupArrived = new int[program.groups.size()];
        int channels = program.channelMessages.length;
        sendStartPs = new long[channels][];
        arrivalPs = new long[channels][];
        for (int c = 0; c < channels; c++) {
            sendStartPs[c] = new long[program.channelMessages[c]];
            arrivalPs[c] = new long[program.channelMessages[c]];
        }
        sent = new int[channels];
        recvWaiting = new boolean[channels];
        recvPostPs = new long[channels];

        this.handler = engine.register("gpu-cluster", this::handle);
        engine.addMonitor(new Monitor());
    }

    /** Runs the program to its end and returns the timelines and the time breakdown. */
    public GpuRunResult run() {
        return run(RunLimits.UNBOUNDED);
    }

    /** Runs the program within the given watchdog budgets. */
    public GpuRunResult run(RunLimits limits) {
        if (ran) {
            throw new IllegalStateException("a GpuClusterSim runs once; build a new one to run again");
        }
        ran = true;
        long start = engine.now();
        if (start != 0) {
            throw new IllegalStateException("the engine must start at time 0, it is at " + start + " ps");
        }
        for (int g = 0; g < gpus; g++) {
            advance(g, 0);
        }
        engine.run(limits);
        long end = 0;
        for (int g = 0; g < gpus; g++) {
            end = Math.max(end, finishPs[g]);
        }
        for (int g = 0; g < gpus; g++) {
            book(g, CAT_IDLE, finishPs[g], end);
        }
        String[][] labels = program.label;
        GpuTimeline[] timelines = new GpuTimeline[gpus];
        for (int g = 0; g < gpus; g++) {
            timelines[g] = new GpuTimeline(g, program.kind[g], program.category[g], labels[g], readyPs[g],
                    activePs[g], endPs[g]);
        }
        return new GpuRunResult(program.cluster().params().presetName(), end, byCategoryPs, finishPs, timelines,
                engine.eventsHandled());
    }

    private void handle(long timePs, long data) {
        int kind = (int) (data >>> 32);
        int g = (int) data;
        if (kind == EV_READY) {
            start(g, pc[g], timePs);
        } else {
            endPs[g][pc[g]] = timePs;
            pc[g]++;
            advance(g, timePs);
        }
    }

    private static long event(int kind, int gpu) {
        return ((long) kind << 32) | gpu;
    }

    /** The device of GPU {@code g} is free at {@code t}: launch the next item. */
    private void advance(int g, long t) {
        byte[] kinds = program.kind[g];
        while (true) {
            int i = pc[g];
            if (i == kinds.length) {
                finishPs[g] = t;
                return;
            }
            if (kinds[i] == GpuProgram.HOST_SYNC) {
                hostFreePs[g] = Math.max(hostFreePs[g], t);
                segmentOpen[g] = false;
                readyPs[g][i] = t;
                activePs[g][i] = t;
                endPs[g][i] = t;
                pc[g]++;
                continue;
            }
            long launch;
            if (cudaGraphs) {
                launch = segmentOpen[g] ? 0 : launchOverheadPs;
                segmentOpen[g] = true;
            } else {
                launch = launchOverheadPs;
            }
            long issue = hostFreePs[g] + launch;
            hostFreePs[g] = issue;
            long ready = Math.max(t, issue) + deviceGapPs;
            book(g, CAT_LAUNCH, t, ready);
            readyPs[g][i] = ready;
            if (ready > t) {
                engine.scheduleAt(ready, 0, handler, event(EV_READY, g));
            } else {
                start(g, i, t);
            }
            return;
        }
    }

    /** Item {@code i} of GPU {@code g} is launched and the device is free at {@code t}. */
    private void start(int g, int i, long t) {
        switch (program.kind[g][i]) {
            case GpuProgram.KERNEL -> {
                long end = t + program.durationPs[g][i];
                book(g, program.category[g][i], t, end);
                activePs[g][i] = t;
                engine.scheduleAt(end, 0, handler, event(EV_DONE, g));
            }
            case GpuProgram.COLLECTIVE -> {
                int grp = program.ref[g][i];
                waitSincePs[g] = t;
                if (++groupArrived[grp] == program.groups.get(grp).size()) {
                    groupArrived[grp] = 0;
                    completeCollective(program.groups.get(grp), t, program.durationPs[g][i]);
                }
            }
            case GpuProgram.SEND -> {
                int c = program.ref[g][i];
                int m = program.seq[g][i];
                long arrival = t + program.durationPs[g][i];
                sendStartPs[c][m] = t;
                arrivalPs[c][m] = arrival;
                sent[c]++;
                book(g, CAT_COMM, t, arrival);
                activePs[g][i] = t;
                engine.scheduleAt(arrival, 0, handler, event(EV_DONE, g));
                if (recvWaiting[c]) {
                    int dst = program.channelDst[c];
                    if (program.seq[dst][pc[dst]] != m) {
                        throw new IllegalStateException("gpu " + dst + " waits for message #" + program.seq[dst][pc[dst]]
                                + " from gpu " + g + " but message #" + m + " was sent");
                    }
                    recvWaiting[c] = false;
                    finishRecv(dst, c, m, recvPostPs[c]);
                }
            }
            case GpuProgram.RECV -> {
                int c = program.ref[g][i];
                int m = program.seq[g][i];
                if (sent[c] > m) {
                    finishRecv(g, c, m, t);
                } else {
                    recvWaiting[c] = true;
                    recvPostPs[c] = t;
                }
            }
            default -> throw new IllegalStateException("item kind " + program.kind[g][i] + " cannot start");
        }
    }

    /** The last member arrived at {@code t}: every member communicates for {@code durationPs}. */
    private void completeCollective(CommGroup grp, long t, long durationPs) {
        long end = t + durationPs;
        for (int k = 0; k < grp.size(); k++) {
            int m = grp.gpu(k);
            book(m, CAT_IDLE, waitSincePs[m], t);
            book(m, CAT_COMM, t, end);
            activePs[m][pc[m]] = t;
            engine.scheduleAt(end, 0, handler, event(EV_DONE, m));
        }
    }

    /** Receiver {@code r}, posted at {@code post}, gets message {@code m} of channel {@code c}. */
    private void finishRecv(int r, int c, int m, long post) {
        long sendStart = sendStartPs[c][m];
        long arrival = arrivalPs[c][m];
        long end = post;
        long active = post;
        if (arrival > post) {
            active = Math.max(post, sendStart);
            book(r, CAT_IDLE, post, active);
            book(r, CAT_COMM, active, arrival);
            end = arrival;
        }
        activePs[r][pc[r]] = active;
        engine.scheduleAt(end, 0, handler, event(EV_DONE, r));
    }

    /** Books [fromPs, toPs) of GPU g to a category; bookings must be contiguous. */
    private void book(int g, int category, long fromPs, long toPs) {
        if (fromPs != accountedPs[g] || toPs < fromPs) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "gpu %d: booking [%d, %d) ps to %s does not continue its accounting at %d ps",
                    g, fromPs, toPs, TimeCategory.of(category), accountedPs[g]));
        }
        byCategoryPs[g][category] += toPs - fromPs;
        accountedPs[g] = toPs;
    }

    private final class Monitor implements ProgressMonitor {
        @Override
        public String name() {
            return "gpu-cluster";
        }

        @Override
        public boolean hasPendingWork() {
            for (int g = 0; g < gpus; g++) {
                if (pc[g] < program.itemCount(g)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String describePending() {
            StringBuilder sb = new StringBuilder();
            int shown = 0;
            for (int g = 0; g < gpus && shown < 8; g++) {
                int i = pc[g];
                if (i < program.itemCount(g)) {
                    sb.append(shown++ == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                            "gpu %d stalled at item %d (%s '%s') since %d ps", g, i,
                            program.kind(g, i).name().toLowerCase(Locale.ROOT), program.label(g, i), readyPs[g][i]));
                }
            }
            return sb.toString();
        }
    }
}
