package dev.wafersim.workloads.wafer;

import dev.wafersim.core.trace.TraceSink;
import dev.wafersim.fabric.wafer.WaferPipeline;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.random.Rng;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.DecodeSimulator;
import dev.wafersim.workloads.run.DeviceActivity;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.WaferDetails;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.MemoryUse;
import dev.wafersim.workloads.run.Progress;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelFactory;
import dev.wafersim.workloads.step.StepModelRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decode on one or more wafer-scale engines, from cycle-level fabric simulation.
 *
 * <p>For each generated token the simulator composes, per wafer, the fabric episodes the token
 * goes through: the embedding lookup (the token id travels to the row of PEs holding its table row,
 * whose pieces travel to the first layer's input edge), every layer on its region followed by the
 * hand-off of the hidden state to the next region, and on the last wafer the LM head with its
 * argmax; between wafers, the hidden state leaves through the edge I/O, crosses a wafer-to-wafer
 * link and enters the next wafer. The wafers and links run on the discrete-event engine
 * ({@link WaferPipeline}), which yields each token's latency. A batch in several passes pipelined
 * through the regions ({@code mapping.passSchedule=pipelined}) is composed pass by pass instead
 * ({@link PassPipeline}), through every wafer and link.
 *
 * <p>Default mode simulates each distinct layer (same shape and region) once per length of its
 * longest attention stream (the tokens each column of the region attends; with round-robin KV
 * striping that is the only way the context changes a layer's time), at lengths spaced by
 * {@code mapping.contextBucketTokens} / columns, and interpolates between them; hand-offs and the LM
 * head are simulated once and reused. {@code exact} simulates every layer, hand-off and head of every
 * step at its exact context.
 *
 * <p>For serving, time to first token and speculative decoding the simulator also builds a
 * {@link WaferStepModel} ({@link #stepModel}): any forward pass, prefill chunks included, composed from
 * the same kind of fabric episodes.
 */
public final class WaferDecodeSimulator implements DecodeSimulator, StepModelFactory {
    /** The simulator (stateless). */
    public static final WaferDecodeSimulator INSTANCE = new WaferDecodeSimulator();

    private WaferDecodeSimulator() {
    }

    /** The parameters of a wafer system: the hardware preset and the mapping. */
    public static ParamSchema schema() {
        return WseParams.SCHEMA.plus(MappingParams.SCHEMA);
    }

    /** A wafer preset combined with the mapping defaults. */
    public static ParamSet load(String preset) {
        return ParamSet.combine(preset, WsePresets.load(preset), MappingParams.defaults());
    }

    /**
     * Fabric link utilization over one layer's region during one decode step.
     *
     * @param title       a title for the chart
     * @param width       region columns
     * @param height      region rows
     * @param utilization per PE, row-major, the busiest outgoing link's share of the step's cycles
     */
    public record LinkUtilization(String title, int width, int height, double[] utilization) {
    }

    /** Link utilization of layer {@code layer} during the first decode step of {@code request}. */
    public LinkUtilization linkUtilization(DecodeRequest request, int layer) {
        WaferDecodeConfig cfg = WaferDecodeConfig.from(request.params());
        ModelSpec model = request.model();
        if (layer < 0 || layer >= model.numLayers()) {
            throw new dev.wafersim.core.config.ConfigException("--layer=" + layer + " is not allowed; expected 0.."
                    + (model.numLayers() - 1));
        }
        DecodeWorkload w = request.workload();
        Placement placement = MappingStrategies.get(cfg.mapping().strategy()).place(model, w, cfg,
                request.options(WaferOptions.class).wafers());
        for (Placement.WaferLayout wl : placement.wafers()) {
            for (Segment s : wl.segments()) {
                if (s.kind() == Segment.Kind.LAYER && s.layer() == layer) {
                    LayerPlan plan = s.plan();
                    int passes = model.isMixtureOfExperts() ? (int) Math.ceil(w.routing().distinctExperts(
                            model.numExperts(), model.expertsPerToken(), w.batchSize()) - 1e-9) : 1;
                    double[] u = Episodes.layerLinkUtilization(plan, cfg, w.contextTokens() + 1, passes);
                    String title = String.format(Locale.ROOT, "Fabric link utilization, %s layer %d, one decode step"
                            + " (%s, context %d, batch %d)", model.name(), layer, request.system(), w.contextTokens(),
                            w.batchSize());
                    return new LinkUtilization(title, plan.cols, plan.rows, u);
                }
            }
        }
        throw new IllegalStateException("layer " + layer + " not placed");
    }

    /**
     * The step model of a wafer system for serving, time to first token and speculative decoding
     * ({@link WaferStepModel}: any forward pass from the fabric episodes, prefill chunks included).
     */
    @Override
    public StepModel stepModel(StepModelRequest request) {
        return new WaferStepModel(request);
    }

    @Override
    public DecodeResult simulate(DecodeRequest request) {
        return simulate(request, Progress.NONE);
    }

    /**
     * System property: how many fabric episodes are simulated at once (default: the available
     * processors). Results do not depend on it.
     */
    public static final String THREADS_PROPERTY = "wafersim.threads";

    /** The thread count from {@value #THREADS_PROPERTY}, or the available processors. */
    static int threads() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new dev.wafersim.core.config.ConfigException("-D" + THREADS_PROPERTY + "=" + v
                + " is not allowed; expected an integer in [1, 1024]");
    }

    /** Runs the request, reporting as fabric episodes finish; threads from {@value #THREADS_PROPERTY}. */
    @Override
    public DecodeResult simulate(DecodeRequest request, Progress progress) {
        return simulate(request, progress, threads());
    }

    /**
     * Runs the request and writes the timeline of its first {@code timelineTokens} steps (0: all) to
     * {@code trace} ({@link WaferTrace}); the result is the same as without a trace.
     */
    @Override
    public DecodeResult simulate(DecodeRequest request, Progress progress, TraceSink trace, int timelineTokens) {
        return simulate(request, progress, threads(), trace, timelineTokens);
    }

    /**
     * Runs the request with up to {@code threads} fabric episodes simulated at once (the result is
     * the same for every thread count).
     */
    public DecodeResult simulate(DecodeRequest request, Progress progress, int threads) {
        return simulate(request, progress, threads, TraceSink.NONE, 0);
    }

    /**
     * Runs the request on up to {@code threads} threads, writing the timeline of its first
     * {@code timelineTokens} steps (0: all) to {@code trace} when the sink is enabled.
     */
    public DecodeResult simulate(DecodeRequest request, Progress progress, int threads, TraceSink trace,
                                 int timelineTokens) {
        if (timelineTokens < 0) {
            throw new IllegalArgumentException("timelineTokens must be >= 0, got " + timelineTokens);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        WaferDecodeConfig cfg = WaferDecodeConfig.from(request.params());
        WaferOptions opt = request.options(WaferOptions.class);
        ModelSpec model = request.model();
        DecodeWorkload w = request.workload();
        MappingStrategy strategy = MappingStrategies.get(cfg.mapping().strategy());
        Placement placement = strategy.place(model, w, cfg, opt.wafers());
        Run run = new Run(cfg, model, w, placement, opt.exact());
        if (trace.enabled()) {
            run.trace = new WaferTrace(trace, placement, cfg.wse().clock().periodPs(), timelineTokens);
            run.trace.declare();
        }
        run.simulate(progress, threads);
        return run.result(request, strategy);
    }

    /** The simulation of one request. */
    private static final class Run {
        final WaferDecodeConfig cfg;
        final ModelSpec model;
        final DecodeWorkload w;
        final Placement placement;
        final boolean exact;
        final int tokens;
        final int wafers;
        final long period;
        final long[][] stagePs;
        /** Cycles per category summed over every token and wafer (stage work only). */
        final long[] categoryCycles = new long[Phase.Category.values().length];
        /** Episodes the run needs, by key, in first-use order (filled by the planning pass). */
        final Map<String, Supplier<Episodes.Result>> wanted = new LinkedHashMap<>();
        /** Their results (filled by {@link #simulateEpisodes}). */
        final Map<String, Episodes.Result> cache = new HashMap<>();
        /** True during the planning pass: {@link #cached} records keys and returns placeholders. */
        boolean planning;
        /** Held while a layer's or head's program is built and loaded: one set-up in memory at a time. */
        final java.util.concurrent.locks.Lock setUp = new java.util.concurrent.locks.ReentrantLock();
        /** Running number of exact-mode episodes within a pass (their keys must not repeat). */
        long exactSeq;
        long episodes;
        long hops;
        /** PE-cycles of the regions at work, summed over every episode of every token (energy model). */
        long activePeCycles;
        WaferPipeline.Result pipeline;
        /** The timeline, or null when none is written. */
        WaferTrace trace;
        /** True while composing a step the timeline records. */
        boolean tracing;
        /** The step being composed. */
        int traceToken;
        /** Where the next span of a step composed episode after episode starts, ps from the start of the run. */
        long traceAtPs;
        /** The end of the last recorded step, ps (checked against the pipeline's latencies). */
        long traceEndPs;
        /** Recorded steps. */
        int tracedTokens;
        /** A pipelined step's regions and links, in the order a pass visits them (tracing only). */
        final List<Object> passChain = new ArrayList<>();

        Run(WaferDecodeConfig cfg, ModelSpec model, DecodeWorkload w, Placement placement, boolean exact) {
            this.cfg = cfg;
            this.model = model;
            this.w = w;
            this.placement = placement;
            this.exact = exact;
            this.tokens = w.tokensToGenerate();
            this.wafers = placement.wafers().size();
            this.period = cfg.wse().clock().periodPs();
            this.stagePs = new long[tokens][wafers];
        }

        /**
         * Three passes: planning walks every token's stages and records the fabric episodes they
         * need (each distinct one once); those episodes are simulated, independently of one another,
         * on {@code threads} threads; composing walks the stages again and adds up their results
         * in token order. The result does not depend on the number of threads.
         */
        void simulate(Progress progress, int threads) {
            planning = true;
            walk(false);
            planning = false;
            simulateEpisodes(progress, threads);
            walk(true);
            if (crossWafer()) {
                // Every token's time was composed pass by pass across the wafers and links (walk).
                long[] lat = new long[tokens];
                for (int t = 0; t < tokens; t++) {
                    lat[t] = stagePs[t][0];
                }
                pipeline = new WaferPipeline.Result(lat, new long[tokens], null);
                checkTrace();
                return;
            }
            long actBytes = (long) w.batchSize() * model.hiddenSize() * Precision.ACTIVATION_BYTES;
            long idBytes = (long) w.batchSize() * Precision.TOKEN_ID_BYTES;
            pipeline = WaferPipeline.run(stagePs, cfg.wse().waferLinkLatencyPs(), cfg.wse().waferLinkGbps() * 1e9 / 8,
                    actBytes, idBytes);
            checkTrace();
        }

        /** The recorded steps end where the pipeline's latencies say (a producer check). */
        private void checkTrace() {
            if (trace == null) {
                return;
            }
            long end = 0;
            for (int t = 0; t < tracedTokens; t++) {
                end += pipeline.tokenLatencyPs()[t];
            }
            if (end != traceEndPs) {
                throw new IllegalStateException("timeline: " + tracedTokens + " steps end at " + traceEndPs
                        + " ps, the pipeline at " + end + " ps");
            }
        }

        /** Link time of a message of {@code bytes} between wafers, ps: serialization plus latency (as {@code Link}). */
        private long linkPs(long bytes) {
            double bw = cfg.wse().waferLinkGbps() * 1e9 / 8;
            long ser = bw > 0 ? (long) Math.ceil(bytes * (double) dev.wafersim.core.time.Ticks.PS_PER_S / bw) : 0;
            return ser + cfg.wse().waferLinkLatencyPs();
        }

        /** True when the batch's passes are pipelined through several wafers (and their links). */
        private boolean crossWafer() {
            return wafers > 1 && pipelined(firstCompute(placement.wafers().get(0).segments()).plan());
        }

        /**
         * One token through every wafer with the batch's passes pipelined end to end: the embedding
         * lookup (all sequences at once), each wafer's regions ({@link #pipelinedSegments}), and
         * between wafers, per pass, the edge I/O out, the wafer-to-wafer link (one pass at a time:
         * latency plus the pass's hidden vectors at the link's bandwidth) and the edge I/O in; after
         * the last pass the token ids return to the first wafer over a link. Adds the categories of
         * the last pass's path to {@code cat}; returns the token's cycles.
         */
        private long crossWaferToken(int t, int token, long positions, long[] cat) {
            int cats = cat.length;
            WseParams wp = cfg.wse();
            int passes = firstCompute(placement.wafers().get(0).segments()).plan().passes();
            int perPass = firstCompute(placement.wafers().get(0).segments()).plan().passBatch;
            long tokenStartPs = traceAtPs;
            passChain.clear();
            long[] entry = new long[cats];
            entryOf(0, token, entry);
            long e = java.util.Arrays.stream(entry).sum();
            long[] ready = new long[passes];
            double[][] split = new double[passes][cats];
            for (int p = 0; p < passes; p++) {
                ready[p] = e;
                for (int c = 0; c < cats; c++) {
                    split[p][c] = entry[c];
                }
            }
            double bytesPerCycle = wp.waferLinkGbps() * 1e9 / 8 / (1e12 / period);
            long latency = (wp.waferLinkLatencyPs() + period - 1) / period;
            int inter = Phase.Category.INTER_WAFER.ordinal();
            for (int i = 0; i < wafers; i++) {
                List<Segment> segs = placement.wafers().get(i).segments();
                if (i > 0) {
                    // Edge out of wafer i - 1, the link, edge in to wafer i; the link carries one pass at a time.
                    Segment last = lastCompute(placement.wafers().get(i - 1).segments());
                    long out = edge(edgeDistance(last.region(), wp) + 1, perPass).cycles();
                    long in = edge(edgeDistance(firstCompute(segs).region(), wp) + 1, perPass).cycles();
                    long serial = (long) Math.ceil(perPass * (double) model.hiddenSize() * Precision.ACTIVATION_BYTES
                            / bytesPerCycle);
                    long free = Long.MIN_VALUE;
                    LinkPasses lp = tracing ? new LinkPasses(i - 1, out, in, latency, ready.clone(), new long[passes],
                            new long[passes]) : null;
                    for (int p = 0; p < passes; p++) {
                        long sent = Math.max(ready[p] + out, free);
                        free = sent + serial;
                        long arrive = free + latency + in;
                        split[p][inter] += arrive - ready[p];
                        ready[p] = arrive;
                        if (lp != null) {
                            lp.sent()[p] = sent;
                            lp.free()[p] = free;
                        }
                    }
                    if (lp != null) {
                        passChain.add(lp);
                    }
                }
                pipelinedSegments(i, segs, positions, t, ready, split);
            }
            // The token ids back to the first wafer.
            long back = latency + (long) Math.ceil(w.batchSize() * (double) Precision.TOKEN_ID_BYTES / bytesPerCycle);
            long total = ready[passes - 1] + back;
            if (tracing) {
                tracePasses(tokenStartPs, ready, back);
            }
            split[passes - 1][inter] += back;
            if (!planning) {
                addWhole(split[passes - 1], total, cat);
            }
            return total;
        }

        /** Walks every token's stages on every wafer; {@code record} keeps their cycles. */
        private void walk(boolean record) {
            exactSeq = 0;
            Rng ids = new Rng(cfg.mapping().tokenSeed());
            // Start of step t, ps (composing with a timeline only): the steps follow one another.
            long clock = 0;
            for (int t = 0; t < tokens; t++) {
                int token = ids.nextInt(model.vocabSize());
                long positions = w.contextTokens() + t + 1;
                tracing = record && trace != null && trace.records(t);
                traceToken = t;
                traceAtPs = clock;
                if (crossWafer()) {
                    long[] cat = new long[Phase.Category.values().length];
                    long cycles = crossWaferToken(t, token, positions, cat);
                    if (record) {
                        for (int c = 0; c < cat.length; c++) {
                            categoryCycles[c] += cat[c];
                        }
                        stagePs[t][0] = cycles * period;
                        clock += cycles * period;
                    }
                    traceDone(t, clock);
                    continue;
                }
                for (int i = 0; i < wafers; i++) {
                    long[] cat = new long[Phase.Category.values().length];
                    traceAtPs = clock;
                    stage(i, t, token, positions, cat);
                    if (!record) {
                        continue;
                    }
                    long cycles = 0;
                    for (int c = 0; c < cat.length; c++) {
                        cycles += cat[c];
                        categoryCycles[c] += cat[c];
                    }
                    stagePs[t][i] = cycles * period;
                    clock += cycles * period;
                    if (wafers > 1) {
                        // The hidden state to wafer i + 1, or from the last wafer the token ids back to wafer 0.
                        long bytes = i < wafers - 1
                                ? (long) w.batchSize() * model.hiddenSize() * Precision.ACTIVATION_BYTES
                                : (long) w.batchSize() * Precision.TOKEN_ID_BYTES;
                        long link = linkPs(bytes);
                        if (tracing) {
                            trace.span(i, trace.linksTid(i), i < wafers - 1 ? "link to wafer " + (i + 1)
                                    : "token ids to wafer 0", Phase.Category.INTER_WAFER.key(), clock, link, t);
                        }
                        clock += link;
                    }
                }
                traceDone(t, clock);
            }
            tracing = false;
        }

        /** Notes that step t, recorded or not, ended at {@code endPs}. */
        private void traceDone(int t, long endPs) {
            if (tracing) {
                tracedTokens = t + 1;
                traceEndPs = endPs;
            }
        }

        /**
         * Draws episode {@code r} on a track at {@link #traceAtPs} and moves past it (composing a recorded step
         * episode after episode only); {@code name} null draws the episode's phases.
         */
        private void traceEpisode(int wafer, int tid, Episodes.Result r, String name) {
            if (!tracing) {
                return;
            }
            trace.episode(wafer, tid, traceAtPs, r, name, traceToken);
            traceAtPs += r.cycles() * period;
        }

        /**
         * Simulates every recorded episode, on up to {@code threads} threads. Each episode is a
         * fabric of its own and deterministic; the results are stored by key and summed in key
         * order, so neither the thread count nor the completion order changes anything. Layer and
         * head episodes (the long ones) are started first. A failure is reported for the first
         * failing episode in key order.
         */
        private void simulateEpisodes(Progress progress, int threads) {
            List<String> keys = new ArrayList<>(wanted.keySet());
            List<String> order = new ArrayList<>(keys);
            order.sort(java.util.Comparator.comparingInt(k -> k.startsWith("layer") || k.startsWith("head") ? 0 : 1));
            int n = Math.max(1, Math.min(threads, order.size()));
            Map<String, Episodes.Result> out = new java.util.concurrent.ConcurrentHashMap<>();
            long total = order.size();
            java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();
            Runnable report = () -> {
                long d = finished.incrementAndGet();
                synchronized (progress) {
                    progress.update(d, total, d + " of " + total + " fabric episodes simulated"
                            + (n > 1 ? " (" + n + " threads)" : ""));
                }
            };
            if (n == 1) {
                for (String k : order) {
                    out.put(k, wanted.get(k).get());
                    report.run();
                }
            } else {
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
                    Thread th = new Thread(r, "wafer-episode");
                    th.setDaemon(true);
                    return th;
                });
                try {
                    Map<String, java.util.concurrent.Future<?>> futures = new HashMap<>();
                    for (String k : order) {
                        Supplier<Episodes.Result> sim = wanted.get(k);
                        futures.put(k, pool.submit(() -> {
                            out.put(k, sim.get());
                            report.run();
                        }));
                    }
                    for (String k : keys) {
                        Episodes.await(futures.get(k), "fabric episodes");
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
            for (String k : keys) {
                Episodes.Result r = out.get(k);
                cache.put(k, r);
                episodes++;
                hops += r.waveletHops();
            }
        }

        /** Adds the cycles of wafer i's work on token t to {@code cat}. */
        private void stage(int i, int t, int token, long positions, long[] cat) {
            Placement.WaferLayout wl = placement.wafers().get(i);
            List<Segment> segs = wl.segments();
            WseParams wp = cfg.wse();
            int hiddenBatch = w.batchSize();
            Segment first = firstCompute(segs);
            entryOf(i, token, cat);
            Segment prev = null;
            if (pipelined(first.plan())) {
                long[] ready = new long[first.plan().passes()];
                double[][] split = new double[ready.length][cat.length];
                passChain.clear();
                prev = pipelinedSegments(i, segs, positions, t, ready, split);
                if (!planning) {
                    addWhole(split[ready.length - 1], ready[ready.length - 1], cat);
                }
                if (tracing) {
                    // The passes are ready at the first region once the entry is done.
                    tracePasses(traceAtPs, ready, 0);
                    traceAtPs += ready[ready.length - 1] * period;
                }
            } else {
                for (Segment s : segs) {
                    if (s.kind() == Segment.Kind.EMBEDDING) {
                        continue;
                    }
                    if (prev != null) {
                        int d = distance(prev.region(), s.region());
                        Episodes.Result h = handoff(prev.plan(), d, Phase.HANDOFF);
                        add(cat, h, (long) prev.plan().cols * (d + 1));
                        traceEpisode(i, tracing ? trace.tid(prev) : 0, h, "hand-off to " + s.label());
                    }
                    Episodes.Result r = compute(s, positions, t);
                    add(cat, r, (long) s.region().cols() * s.region().rows());
                    if (tracing) {
                        trace.utilization(i, s, r, traceAtPs, traceAtPs + r.cycles() * period);
                    }
                    traceEpisode(i, tracing ? trace.tid(s) : 0, r, null);
                    prev = s;
                }
            }
            if (i < wafers - 1) {
                int d = edgeDistance(prev.region(), wp) + 1;
                Episodes.Result e = edge(d);
                add(cat, e, edgeStreams() * (d + 1L));
                traceEpisode(i, tracing ? trace.linksTid(i) : 0, e, "edge I/O out");
            }
        }

        /** Adds the cycles of wafer i's entry: on wafer 0 the embedding lookup, else the edge I/O in. */
        private void entryOf(int i, int token, long[] cat) {
            Placement.WaferLayout wl = placement.wafers().get(i);
            List<Segment> segs = wl.segments();
            WseParams wp = cfg.wse();
            int hiddenBatch = w.batchSize();
            Segment first = firstCompute(segs);
            if (i == 0) {
                Segment table = tableOf(segs);
                int v = table.plan().rowOfToken(token);
                int tx = table.region().x(0);
                int ty = table.region().y(v);
                int distId;
                if (wafers == 1) {
                    Segment head = segs.get(segs.size() - 1);
                    distId = Math.abs(head.region().x(0) - tx) + Math.abs(head.region().y(0) - ty);
                } else {
                    distId = Math.min(tx, wp.gridWidthPes() - 1 - tx) + 1;
                }
                Episodes.Result lookup = cached("token " + distId + " " + table.region().cols(),
                        () -> Episodes.tokenToRow(hiddenBatch, distId, table.region().cols(), cfg));
                add(cat, lookup, distId + table.region().cols());
                traceEpisode(i, tracing ? trace.tid(table) : 0, lookup, "embedding: token id to its table row");
                int distRow = Math.abs(first.region().x(0) - tx) + Math.abs(first.region().y(0) - ty);
                Episodes.Result row = handoff(first.plan(), distRow, Phase.EMBEDDING);
                add(cat, row, (long) first.plan().cols * (distRow + 1));
                traceEpisode(i, tracing ? trace.tid(table) : 0, row, "embedding: row to " + first.label());
            } else {
                int d = edgeDistance(first.region(), wp) + 1;
                Episodes.Result e = edge(d);
                add(cat, e, edgeStreams() * (d + 1L));
                traceEpisode(i, tracing ? trace.linksTid(i) : 0, e, "edge I/O in");
            }
        }

        /** A layer's or the head's episode at this step. */
        private Episodes.Result compute(Segment s, long positions, int t) {
            int limit = simulatedPasses(s.plan());
            if (s.kind() == Segment.Kind.LAYER) {
                return extend(layer(s, positions, t, limit), s.plan().passes());
            }
            return extend(cached((exact ? "head " + t : "head") + (limit < s.plan().passes() ? " k" + limit : ""),
                    () -> Episodes.head(s.plan(), cfg, limit, setUp)), s.plan().passes());
        }

        /**
         * Passes of a region's episode to simulate: all of them in exact mode or layer by layer; in
         * default mode with pipelined passes, {@code mapping.simulatedPasses}: an in-order region
         * takes identical passes at a steady interval from the second on (8B: 14,045, then
         * 13,175 cycles apart to the cycle), so the rest follow at the last simulated interval
         * ({@link #extend}).
         */
        private int simulatedPasses(LayerPlan plan) {
            if (exact || !pipelined(plan)) {
                return Integer.MAX_VALUE;
            }
            return cfg.mapping().simulatedPasses();
        }

        /** {@code r} with pass ends for all {@code passes}: beyond those simulated, at the last interval. */
        private Episodes.Result extend(Episodes.Result r, int passes) {
            long[] ends = r.passEnds();
            if (planning || ends.length == 0 || ends.length >= passes) {
                return r;
            }
            int k = ends.length;
            long step = k > 1 ? ends[k - 1] - ends[k - 2] : ends[0];
            long[] all = java.util.Arrays.copyOf(ends, passes);
            for (int p = k; p < passes; p++) {
                all[p] = all[p - 1] + step;
            }
            return r.withPassEnds(all);
        }

        /**
         * The first pass of a layer or the head on its own, for the split of a pass's time: at the
         * attention length this step's episodes start from (no interpolation: it only gives
         * proportions).
         */
        private Episodes.Result onePass(Segment s, long positions) {
            LayerPlan plan = s.plan();
            if (s.kind() != Segment.Kind.LAYER) {
                return cached("head pass", () -> Episodes.head(plan, cfg, 1, setUp));
            }
            int passes = expertPasses();
            long n = plan.attendedMax(positions);
            long nFirst = plan.attendedMax(w.contextTokens() + 1);
            long step = Math.max(1, cfg.mapping().contextBucketTokens() / plan.cols);
            long lo = nFirst + ((n - nFirst) / step) * step;
            return cached("layer pass " + model.layerShape(plan.layer).key() + " " + plan.cols + "x" + plan.rows + " n"
                    + lo, () -> Episodes.layer(plan, cfg, positionsFor(plan, lo), passes, 1, setUp));
        }

        /** True when the batch runs in several passes and they are pipelined through the regions. */
        private boolean pipelined(LayerPlan plan) {
            int passes = plan.passes();
            return passes > 1 && passes <= LayerProgram.MAX_TAGGED_PASSES
                    && MappingParams.PIPELINED.equals(cfg.mapping().passSchedule());
        }

        /**
         * The wafer's layers and head with the batch's passes pipelined through them
         * ({@link PassPipeline}): a pass enters a region as soon as it has left the previous one and
         * the region has finished its previous pass. Hand-offs carry one pass. Regions are disjoint rectangles and hand-offs use the links between them, so passes
         * in different regions do not compete. Each pass's time is split into categories along the
         * term that set it (the region's categories in proportion); the last pass's split is the
         * stage's. Adds the cycles from the first region's input to the last pass's output to
         * {@code cat} and returns the last segment.
         */
        private Segment pipelinedSegments(int wafer, List<Segment> segs, long positions, int t, long[] ready,
                                          double[][] split) {
            int passes = ready.length;
            int cats = split[0].length;
            Segment prev = null;
            for (Segment s : segs) {
                if (s.kind() == Segment.Kind.EMBEDDING) {
                    continue;
                }
                long handoffCycles = 0;
                if (prev != null) {
                    int d = distance(prev.region(), s.region());
                    Episodes.Result h = handoff(prev.plan(), d, Phase.HANDOFF, prev.plan().passBatch);
                    handoffCycles = h.cycles();
                    active((long) prev.plan().cols * (d + 1), h.cycles() * passes);
                    for (int p = 0; p < passes; p++) {
                        ready[p] += h.cycles();
                        for (int c = 0; c < cats; c++) {
                            split[p][c] += h.byCategory()[c];
                        }
                    }
                }
                Episodes.Result r = compute(s, positions, t);
                long[] end = r.passEnds();
                if (planning) {
                    onePass(s, positions);
                    prev = s;
                    continue;
                }
                if (end.length != passes) {
                    throw new IllegalStateException("region " + s.kind() + " " + s.layer() + " reported " + end.length
                            + " pass ends, expected " + passes);
                }
                // A pass's time is split as one pass alone splits (the whole episode's tags end with
                // its last pass, so its split books the earlier passes to its first steps).
                Episodes.Result one = onePass(s, positions);
                double[] share = new double[cats];
                for (int c = 0; c < cats && one.cycles() > 0; c++) {
                    share[c] = (double) one.byCategory()[c] / one.cycles();
                }
                boolean[] behind = new boolean[passes];
                long[] done = PassPipeline.through(ready, end, behind);
                if (tracing) {
                    passChain.add(new RegionPasses(wafer, s, prev, handoffCycles, ready.clone(), done, behind, end[0],
                            WaferTrace.mainCategory(one.byCategory()), share, r));
                }
                double[][] doneSplit = new double[passes][];
                for (int p = 0; p < passes; p++) {
                    double[] from = behind[p] ? doneSplit[p - 1] : split[p];
                    long add = behind[p] ? end[p] - end[p - 1] : end[0];
                    doneSplit[p] = new double[cats];
                    for (int c = 0; c < cats; c++) {
                        doneSplit[p][c] = from[c] + share[c] * add;
                    }
                }
                // The region works from its first pass's start to its last pass's end.
                active((long) s.region().cols() * s.region().rows(), end[passes - 1]);
                System.arraycopy(done, 0, ready, 0, passes);
                System.arraycopy(doneSplit, 0, split, 0, passes);
                prev = s;
            }
            return prev;
        }

        /**
         * A region's passes in a pipelined step (timeline only), cycles from the step's origin.
         *
         * @param wafer      its wafer
         * @param segment    the region's segment
         * @param from       the previous region on the wafer (null for the first)
         * @param handoff    cycles of the hand-off of one pass from {@code from}
         * @param arrive     when each pass's input is at the region
         * @param done       when each pass is done ({@link PassPipeline#through})
         * @param behind     where a pass waited for the previous one
         * @param passCycles the region's pass latency (its episode's first pass end)
         * @param category   the category holding most of one pass alone
         * @param share      the categories' shares of one pass alone (how the breakdown splits a pass's time)
         * @param episode    the region's episode
         */
        private record RegionPasses(int wafer, Segment segment, Segment from, long handoff, long[] arrive, long[] done,
                                    boolean[] behind, long passCycles, Phase.Category category, double[] share,
                                    Episodes.Result episode) {
        }

        /**
         * The passes over the link out of wafer {@code from} (timeline only), cycles from the step's origin.
         *
         * @param from    the sending wafer
         * @param out     edge I/O out, cycles
         * @param in      edge I/O in on the next wafer, cycles
         * @param latency the link's latency, cycles
         * @param ready   when each pass left the last region
         * @param sent    when each pass started serializing
         * @param free    when each pass finished serializing
         */
        private record LinkPasses(int from, long out, long in, long latency, long[] ready, long[] sent, long[] free) {
        }

        /**
         * A span of a pipelined step's critical path (timeline only); with {@code share}, drawn as one span per
         * category in those proportions (a region's pass, split as the latency breakdown splits it).
         */
        private record PathSpan(int wafer, int tid, String name, String category, long startCycle, long endCycle,
                                double[] share) {
            PathSpan(int wafer, int tid, String name, String category, long startCycle, long endCycle) {
                this(wafer, tid, name, category, startCycle, endCycle, null);
            }
        }

        /**
         * Draws a pipelined step recorded in {@link #passChain}, whose cycle 0 is at {@code originPs} and whose
         * passes are done at {@code ready} (then {@code back} cycles of token ids to wafer 0): the critical path,
         * found backwards from the last pass's end, as spans that tile the step from the end of its entry to its
         * end; every pass in every region and over every link as an async span; each region's link utilization.
         */
        private void tracePasses(long originPs, long[] ready, long back) {
            int t = traceToken;
            int p = ready.length - 1;
            String xfer = Phase.Category.FABRIC_TRANSFER.key();
            String inter = Phase.Category.INTER_WAFER.key();
            List<PathSpan> path = new ArrayList<>();
            int lastWafer = wafers - 1;
            if (back > 0) {
                path.add(new PathSpan(lastWafer, trace.linksTid(lastWafer), "token ids to wafer 0", inter, ready[p],
                        ready[p] + back));
            }
            for (int k = passChain.size() - 1; k >= 0; k--) {
                if (passChain.get(k) instanceof RegionPasses r) {
                    int tid = trace.tid(r.segment());
                    while (r.behind()[p]) {
                        path.add(new PathSpan(r.wafer(), tid, "pass " + p + " (behind pass " + (p - 1) + ")",
                                r.category().key(), r.done()[p - 1], r.done()[p], r.share()));
                        p--;
                    }
                    path.add(new PathSpan(r.wafer(), tid, "pass " + p, r.category().key(), r.arrive()[p], r.done()[p],
                            r.share()));
                    if (r.from() != null) {
                        path.add(new PathSpan(r.wafer(), trace.tid(r.from()), "hand-off of pass " + p + " to "
                                + r.segment().label(), xfer, r.arrive()[p] - r.handoff(), r.arrive()[p]));
                    }
                } else {
                    LinkPasses l = (LinkPasses) passChain.get(k);
                    int to = l.from() + 1;
                    long delivered = l.free()[p] + l.latency();
                    path.add(new PathSpan(to, trace.linksTid(to), "edge I/O in, pass " + p, inter, delivered,
                            delivered + l.in()));
                    path.add(new PathSpan(l.from(), trace.linksTid(l.from()), "link latency, pass " + p, inter,
                            l.free()[p], delivered));
                    while (true) {
                        boolean queued = p > 0 && l.sent()[p] > l.ready()[p] + l.out();
                        path.add(new PathSpan(l.from(), trace.linksTid(l.from()), "link serialization, pass " + p
                                + (queued ? " (behind pass " + (p - 1) + ")" : ""), inter, l.sent()[p], l.free()[p]));
                        if (!queued) {
                            break;
                        }
                        p--;
                    }
                    path.add(new PathSpan(l.from(), trace.linksTid(l.from()), "edge I/O out, pass " + p, inter,
                            l.ready()[p], l.ready()[p] + l.out()));
                }
            }
            Phase.Category[] cats = Phase.Category.values();
            for (int k = path.size() - 1; k >= 0; k--) {
                PathSpan sp = path.get(k);
                if (sp.share() == null) {
                    trace.span(sp.wafer(), sp.tid(), sp.name(), sp.category(), originPs + sp.startCycle() * period,
                            (sp.endCycle() - sp.startCycle()) * period, t);
                    continue;
                }
                // Boundaries at the cumulative shares, rounded to cycles; the last at the span's end.
                long len = sp.endCycle() - sp.startCycle();
                long from = sp.startCycle();
                double cum = 0;
                int last = -1;
                for (int c = 0; c < cats.length; c++) {
                    last = sp.share()[c] > 0 ? c : last;
                }
                for (int c = 0; c <= last; c++) {
                    if (sp.share()[c] <= 0) {
                        continue;
                    }
                    cum += sp.share()[c];
                    long to = c == last ? sp.endCycle() : Math.min(sp.endCycle(),
                            sp.startCycle() + Math.round(cum * len));
                    trace.span(sp.wafer(), sp.tid(), sp.name() + ": " + cats[c].key(), cats[c].key(),
                            originPs + from * period, (to - from) * period, t);
                    from = to;
                }
                if (last < 0) {
                    trace.span(sp.wafer(), sp.tid(), sp.name(), sp.category(), originPs + sp.startCycle() * period,
                            len * period, t);
                }
            }
            for (Object o : passChain) {
                if (o instanceof RegionPasses r) {
                    String track = r.segment().label() + " passes";
                    long[] done = r.done();
                    for (int q = 0; q < done.length; q++) {
                        trace.async(r.wafer(), track, q, r.category().key(),
                                originPs + (done[q] - r.passCycles()) * period, r.passCycles() * period);
                    }
                    trace.utilization(r.wafer(), r.segment(), r.episode(),
                            originPs + (done[0] - r.passCycles()) * period, originPs + done[done.length - 1] * period);
                } else {
                    LinkPasses l = (LinkPasses) o;
                    String track = trace.linksTrackName(l.from()) + " passes";
                    for (int q = 0; q < l.sent().length; q++) {
                        trace.async(l.from(), track, q, inter, originPs + l.sent()[q] * period,
                                (l.free()[q] + l.latency() - l.sent()[q]) * period);
                    }
                }
            }
            passChain.clear();
        }

        /** Adds to {@code cat} whole cycles per category of {@code split}, summing to {@code total}. */
        private static void addWhole(double[] split, long total, long[] cat) {
            int cats = cat.length;
            double[] last = split.clone();
            long[] whole = new long[cats];
            long sum = 0;
            for (int c = 0; c < cats; c++) {
                whole[c] = (long) Math.floor(last[c]);
                sum += whole[c];
            }
            while (sum < total) {
                int best = 0;
                for (int c = 1; c < cats; c++) {
                    if (last[c] - whole[c] > last[best] - whole[best]) {
                        best = c;
                    }
                }
                whole[best]++;
                last[best] = whole[best];
                sum++;
            }
            for (int c = 0; c < cats; c++) {
                cat[c] += whole[c];
            }
        }

        /** The hidden state to or from the wafer's edge I/O: parallel streams through the entry points. */
        private Episodes.Result edge(int distance) {
            return edge(distance, w.batchSize());
        }

        /** The edge I/O of {@code sequences} hidden vectors. */
        private Episodes.Result edge(int distance, int sequences) {
            int streams = (int) edgeStreams();
            int hidden = model.hiddenSize();
            Episodes.Result r = cached("edge " + distance + (sequences != w.batchSize() ? " b" + sequences : ""),
                    () -> Episodes.parallelTransfer(streams, s -> (int) (2 * (LayerPlan.split(hidden / 2, streams, s + 1)
                            - LayerPlan.split(hidden / 2, streams, s))), sequences, distance, cfg, Phase.HANDOFF));
            // The edge crossings count as inter-wafer time, not as on-wafer fabric transfer.
            long[] by = new long[Phase.Category.values().length];
            by[Phase.Category.INTER_WAFER.ordinal()] = r.cycles();
            return new Episodes.Result(r.cycles(), by, r.waveletHops(), r.routerVisits(), r.peVisits());
        }

        private Episodes.Result handoff(LayerPlan from, int distance, Phase phase) {
            return handoff(from, distance, phase, w.batchSize());
        }

        /** A hand-off of {@code sequences} hidden vectors. */
        private Episodes.Result handoff(LayerPlan from, int distance, Phase phase, int sequences) {
            return cached((exact ? "x" + (exactSeq++) + " " : "") + "handoff " + from.cols + " " + distance + " " + phase
                    + (sequences != w.batchSize() ? " b" + sequences : ""),
                    () -> Episodes.parallelTransfer(from.cols, from::hLen, sequences, distance, cfg, phase));
        }

        /**
         * A layer at a step. Exact mode simulates it. Default mode uses that the step's time depends
         * on the context only through the longest attention stream (the most tokens any column
         * attends, ceil(filled / cols) with round-robin striping): it simulates the layer at values
         * of that length spaced by bucket / cols (at least 1) and interpolates between them.
         */
        private Episodes.Result layer(Segment s, long positions, int t, int limit) {
            LayerPlan plan = s.plan();
            int passes = expertPasses();
            if (exact) {
                return cached("layer exact " + (exactSeq++), () -> Episodes.layer(plan, cfg, positions, passes,
                        Integer.MAX_VALUE, setUp));
            }
            String key = "layer " + model.layerShape(plan.layer).key() + " " + plan.cols + "x" + plan.rows
                    + (limit < plan.passes() ? " k" + limit : "");
            long n = plan.attendedMax(positions);
            long nFirst = plan.attendedMax(w.contextTokens() + 1);
            long nLast = plan.attendedMax(w.contextTokens() + tokens);
            long step = Math.max(1, cfg.mapping().contextBucketTokens() / plan.cols);
            long lo = nFirst + ((n - nFirst) / step) * step;
            long hi = Math.min(lo + step, nLast);
            Episodes.Result a = cached(key + " n" + lo, () -> Episodes.layer(plan, cfg, positionsFor(plan, lo), passes,
                    limit, setUp));
            if (n == lo || hi == lo) {
                return a;
            }
            Episodes.Result b = cached(key + " n" + hi, () -> Episodes.layer(plan, cfg, positionsFor(plan, hi), passes,
                    limit, setUp));
            double f = (double) (n - lo) / (hi - lo);
            long[] by = new long[a.byCategory().length];
            long total = 0;
            for (int c = 0; c < by.length; c++) {
                by[c] = Math.round(a.byCategory()[c] + f * (b.byCategory()[c] - a.byCategory()[c]));
                total += by[c];
            }
            long[] ends = new long[Math.min(a.passEnds().length, b.passEnds().length)];
            for (int p = 0; p < ends.length; p++) {
                ends[p] = Math.round(a.passEnds()[p] + f * (b.passEnds()[p] - a.passEnds()[p]));
                if (p > 0) {
                    ends[p] = Math.max(ends[p], ends[p - 1]);
                }
            }
            // Hops interpolated too, for the timeline's link utilization (the run's hop count sums the
            // simulated episodes, not these).
            long hopsAt = Math.round(a.waveletHops() + f * (b.waveletHops() - a.waveletHops()));
            return new Episodes.Result(total, by, ends, hopsAt, 0, 0, a.runPhases(),
                    Episodes.Result.interpolatedRunEnds(a, b, f, total));
        }

        /**
         * A representative context whose longest attention stream is n tokens: half-way through the
         * contexts with that length ((n - 1) cols + cols / 2 slots filled), so that the columns one
         * token short and the column receiving the new token's key and value are typical.
         */
        private static long positionsFor(LayerPlan plan, long n) {
            long p = (n - 1) * plan.cols + Math.max(1, plan.cols / 2);
            // The last run may be cut short by the cache's capacity (the run's final length).
            return Math.min(p, plan.capacityPositions);
        }

        private int expertPasses() {
            if (!model.isMixtureOfExperts()) {
                return 1;
            }
            double distinct = w.routing().distinctExperts(model.numExperts(), model.expertsPerToken(), w.batchSize());
            return (int) Math.ceil(distinct - 1e-9);
        }

        /**
         * The episode under {@code key}: while planning, records it (first use wins) and returns
         * an empty placeholder; afterwards, its simulated result.
         */
        private Episodes.Result cached(String key, Supplier<Episodes.Result> sim) {
            if (planning) {
                wanted.putIfAbsent(key, sim);
                return Episodes.Result.zero();
            }
            Episodes.Result r = cache.get(key);
            if (r == null) {
                throw new IllegalStateException("episode '" + key + "' was not planned");
            }
            return r;
        }

        /** Adds an episode's cycles to {@code cat}, and its {@code pes} PEs' cycles to the active PE-cycles. */
        private void add(long[] cat, Episodes.Result r, long pes) {
            for (int c = 0; c < cat.length; c++) {
                cat[c] += r.byCategory()[c];
            }
            active(pes, r.cycles());
        }

        /** Counts {@code pes} PEs at work for {@code cycles} (composing pass only). */
        private void active(long pes, long cycles) {
            if (!planning) {
                activePeCycles = Math.addExact(activePeCycles, Math.multiplyExact(pes, cycles));
            }
        }

        /** Streams of the hidden state through the wafer's edge I/O. */
        private long edgeStreams() {
            return Math.min(cfg.wse().ioEntryPointsPerEdge(), model.hiddenSize() / 2);
        }

        private Segment firstCompute(List<Segment> segs) {
            for (Segment s : segs) {
                if (s.kind() != Segment.Kind.EMBEDDING) {
                    return s;
                }
            }
            throw new IllegalStateException("a wafer without layers");
        }

        private Segment lastCompute(List<Segment> segs) {
            return segs.get(segs.size() - 1);
        }

        private Segment tableOf(List<Segment> segs) {
            for (Segment s : segs) {
                if (s.kind() == Segment.Kind.EMBEDDING) {
                    return s;
                }
            }
            return segs.get(segs.size() - 1); // tied embeddings on one wafer: the head holds the table
        }

        /** Hops from a region's output edge to the next region's input edge (same columns or not). */
        private static int distance(Region a, Region b) {
            return Math.abs(a.x(0) - b.x(0)) + Math.abs(a.y(a.rows() - 1) - b.y(0));
        }

        /** Hops from a region to the nearer east or west edge of the wafer. */
        private static int edgeDistance(Region r, WseParams wp) {
            return Math.min(r.x0(), wp.gridWidthPes() - (r.x0() + r.cols()));
        }

        DecodeResult result(DecodeRequest request, MappingStrategy strategy) {
            long[] lat = pipeline.tokenLatencyPs();
            long runPs = 0;
            for (long v : lat) {
                runPs += v;
            }
            // A wafer is active in proportion to its PEs at work: active wafer-ps = active PE-ps / PEs per wafer.
            long activeWaferPs = Math.round((double) activePeCycles * period / cfg.wse().peCount());
            DecodeResult.Builder b = DecodeResult.builder(request, SystemKind.WAFER).tokenLatenciesPs(lat)
                    .activity(new DeviceActivity.Builder().add(PowerState.ACTIVE, Math.min(activeWaferPs,
                            (long) wafers * runPs)).build(wafers, runPs));
            long stageTotal = 0;
            Map<Phase.Category, LatencyCategory> map = Map.of(
                    Phase.Category.COMPUTE, LatencyCategory.COMPUTE,
                    Phase.Category.FABRIC_TRANSFER, LatencyCategory.FABRIC_TRANSFER,
                    Phase.Category.REDUCTIONS, LatencyCategory.REDUCTIONS,
                    Phase.Category.ATTENTION, LatencyCategory.ATTENTION,
                    Phase.Category.INTER_WAFER, LatencyCategory.INTER_WAFER,
                    Phase.Category.PIPELINE_IDLE, LatencyCategory.PIPELINE_IDLE);
            for (Phase.Category c : Phase.Category.values()) {
                long ps = categoryCycles[c.ordinal()] * period;
                stageTotal += ps;
                b.addBreakdownPs(map.get(c), ps);
            }
            long links = 0;
            for (long v : pipeline.linkPs()) {
                links += v;
            }
            b.addBreakdownPs(LatencyCategory.INTER_WAFER, links);
            long total = 0;
            for (long v : lat) {
                total += v;
            }
            long idle = total - stageTotal - links;
            if (idle < 0) {
                throw new IllegalStateException("pipeline accounting: stages and links exceed the measured latency by "
                        + (-idle) + " ps");
            }
            b.addBreakdownPs(LatencyCategory.PIPELINE_IDLE, idle);
            long used = placement.sramBytesUsed();
            WseParams wp = cfg.wse();
            long usable = wp.dataBytesPerWafer() * wafers;
            Map<String, Long> parts = new LinkedHashMap<>();
            parts.put("layers and tables", used);
            Placement.WaferLayout w0 = placement.wafers().get(0);
            b.machine(String.format(Locale.ROOT, "%d x %s wafer%s, %s mapping: layer regions of %d x %d PEs (%d stacks x %d),"
                            + " %,d of %,d PEs per wafer used", wafers, request.system(), wafers > 1 ? "s" : "",
                    strategy.name(), w0.slotCols(), w0.slotRows(), w0.stacks(), w0.perStack(), w0.pesUsed(),
                    wp.peCount()))
                    .memory(new MemoryUse("SRAM (all wafers)", used, usable, parts))
                    .details(new WaferDetails(used, wafers, strategy.name(), w0.slotCols(), w0.slotRows(), exact,
                            placement.tilePadElements(), episodes, hops, wp.clock().effectiveGHz()));
            if (placement.tilePadElements() < cfg.mapping().tilePadElements()) {
                b.note("weight-tile columns packed densely (padding " + placement.tilePadElements()
                        + " instead of " + cfg.mapping().tilePadElements() + ") to fit: SRAM bank conflicts slow the"
                        + " multiply-adds");
            }
            LayerPlan firstPlan = firstCompute(w0.segments()).plan();
            int passes = firstPlan.passes();
            if (passes > 1) {
                boolean piped = pipelined(firstPlan);
                b.note(String.format(Locale.ROOT, "batch of %d in %d passes of up to %d sequence(s) (mapping.sequencesPerPass),"
                        + " %s", w.batchSize(), passes, firstPlan.passBatch, piped ? "pipelined through the layer regions"
                        : MappingParams.PIPELINED.equals(cfg.mapping().passSchedule())
                        ? "run layer by layer: pipelining follows at most " + LayerProgram.MAX_TAGGED_PASSES + " passes"
                        : "run layer by layer (mapping.passSchedule)"));
            }
            if (!exact) {
                b.note("default mode: each distinct layer simulated once per attention length (tokens per column,"
                        + " spaced by mapping.contextBucketTokens / region columns) and interpolated; --exact"
                        + " simulates every layer of every step");
            }
            b.note("per-token latency covers the decode step on the wafer (lookup, layers, LM head, argmax, token"
                    + " id back to the table); host I/O and sampling beyond argmax are not modelled");
            return b.build();
        }
    }
}
