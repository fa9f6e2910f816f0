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
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.MemoryUse;
import dev.wafersim.workloads.run.Progress;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.run.WaferDetails;
import dev.wafersim.workloads.run.WaferOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decode on one or more wafer-scale engines, from cycle-level fabric simulation.
 *
 * <p>For each generated token the simulator composes, per wafer, the fabric episodes the token
 * goes through: the embedding lookup (the token id travels to the row of PEs holding its table row,
 * whose pieces travel to the first layer's input edge), every layer on its region followed by the
 * hand-off of the hidden state to the next region, and on the last wafer the LM head with its
 * argmax; between wafers, the hidden state leaves through the edge I/O, crosses a wafer-to-wafer
 * link and enters the next wafer. The wafers and links run on the discrete-event engine
 * ({@link WaferPipeline}), which yields each token's latency.
 *
 * <p>Default mode simulates each distinct layer (same shape and region) once per length of its
 * longest attention stream (the tokens each column of the region attends; with round-robin KV
 * striping that is the only way the context changes a layer's time), at lengths spaced by
 * {@code mapping.contextBucketTokens} / columns, and interpolates between them; hand-offs and the LM
 * head are simulated once and reused. {@code exact} simulates every layer, hand-off and head of every
 * step at its exact context.
 */
public final class WaferDecodeSimulator implements DecodeSimulator {
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

    @Override
    public DecodeResult simulate(DecodeRequest request) {
        return simulate(request, Progress.NONE);
    }

    /** Runs the request, reporting after each wafer's stage of each token. */
    @Override
    public DecodeResult simulate(DecodeRequest request, Progress progress) {
        return simulate(request, progress, TraceSink.NONE, 0);
    }

    @Override
    public DecodeResult simulate(DecodeRequest request, Progress progress, TraceSink trace, int timelineTokens) {
        WaferDecodeConfig cfg = WaferDecodeConfig.from(request.params());
        WaferOptions opt = request.options(WaferOptions.class);
        ModelSpec model = request.model();
        DecodeWorkload w = request.workload();
        MappingStrategy strategy = MappingStrategies.get(cfg.mapping().strategy());
        Placement placement = strategy.place(model, w, cfg, opt.wafers());
        Run run = new Run(cfg, model, w, placement, opt.exact());
        run.simulate(progress);
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
        final Map<String, Episodes.Result> cache = new HashMap<>();
        long episodes;
        long hops;
        /** PE-cycles of the regions at work, summed over every episode of every token (energy model). */
        long activePeCycles;
        WaferPipeline.Result pipeline;

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

        void simulate(Progress progress) {
            Rng ids = new Rng(cfg.mapping().tokenSeed());
            for (int t = 0; t < tokens; t++) {
                int token = ids.nextInt(model.vocabSize());
                long positions = w.contextTokens() + t + 1;
                for (int i = 0; i < wafers; i++) {
                    long[] cat = new long[Phase.Category.values().length];
                    stage(i, t, token, positions, cat);
                    long cycles = 0;
                    for (int c = 0; c < cat.length; c++) {
                        cycles += cat[c];
                        categoryCycles[c] += cat[c];
                    }
                    stagePs[t][i] = cycles * period;
                    progress.update((long) t * wafers + i + 1, (long) tokens * wafers, "token " + (t + 1) + "/"
                            + tokens + (wafers > 1 ? ", wafer " + (i + 1) + "/" + wafers : "") + ", " + episodes
                            + " fabric episodes simulated");
                }
            }
            long actBytes = (long) w.batchSize() * model.hiddenSize() * Precision.ACTIVATION_BYTES;
            long idBytes = (long) w.batchSize() * Precision.TOKEN_ID_BYTES;
            pipeline = WaferPipeline.run(stagePs, cfg.wse().waferLinkLatencyPs(), cfg.wse().waferLinkGbps() * 1e9 / 8,
                    actBytes, idBytes);
        }

        /** Adds the cycles of wafer i's work on token t to {@code cat}. */
        private void stage(int i, int t, int token, long positions, long[] cat) {
            Placement.WaferLayout wl = placement.wafers().get(i);
            List<Segment> segs = wl.segments();
            WseParams wp = cfg.wse();
            int hiddenBatch = w.batchSize();
            Segment first = firstCompute(segs);
            // Entry: on wafer 0 the embedding lookup; on the others, the hidden state from the edge I/O.
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
                add(cat, cached("token " + distId + " " + table.region().cols(),
                        () -> Episodes.tokenToRow(hiddenBatch, distId, table.region().cols(), cfg)),
                        distId + table.region().cols());
                int distRow = Math.abs(first.region().x(0) - tx) + Math.abs(first.region().y(0) - ty);
                add(cat, handoff(first.plan(), distRow, Phase.EMBEDDING), (long) first.plan().cols * (distRow + 1));
            } else {
                int d = edgeDistance(first.region(), wp) + 1;
                add(cat, edge(d), edgeStreams() * (d + 1L));
            }
            Segment prev = null;
            for (Segment s : segs) {
                if (s.kind() == Segment.Kind.EMBEDDING) {
                    continue;
                }
                if (prev != null) {
                    int d = distance(prev.region(), s.region());
                    add(cat, handoff(prev.plan(), d, Phase.HANDOFF), (long) prev.plan().cols * (d + 1));
                }
                long regionPes = (long) s.region().cols() * s.region().rows();
                if (s.kind() == Segment.Kind.LAYER) {
                    add(cat, layer(s, positions, t), regionPes);
                } else {
                    add(cat, cached(exact ? "head " + t : "head", () -> Episodes.head(s.plan(), cfg)), regionPes);
                }
                prev = s;
            }
            if (i < wafers - 1) {
                int d = edgeDistance(prev.region(), wp) + 1;
                add(cat, edge(d), edgeStreams() * (d + 1L));
            }
        }

        /** Streams of the hidden state through the wafer's edge I/O. */
        private long edgeStreams() {
            return Math.min(cfg.wse().ioEntryPointsPerEdge(), model.hiddenSize() / 2);
        }

        /** The hidden state to or from the wafer's edge I/O: parallel streams through the entry points. */
        private Episodes.Result edge(int distance) {
            int streams = (int) edgeStreams();
            int hidden = model.hiddenSize();
            Episodes.Result r = cached("edge " + distance, () -> Episodes.parallelTransfer(streams,
                    s -> (int) (2 * (LayerPlan.split(hidden / 2, streams, s + 1) - LayerPlan.split(hidden / 2, streams, s))),
                    w.batchSize(), distance, cfg, Phase.HANDOFF));
            // The edge crossings count as inter-wafer time, not as on-wafer fabric transfer.
            long[] by = new long[Phase.Category.values().length];
            by[Phase.Category.INTER_WAFER.ordinal()] = r.cycles();
            return new Episodes.Result(r.cycles(), by, r.waveletHops(), r.routerVisits(), r.peVisits());
        }

        private Episodes.Result handoff(LayerPlan from, int distance, Phase phase) {
            return cached((exact ? "x" + episodes + " " : "") + "handoff " + from.cols + " " + distance + " " + phase,
                    () -> Episodes.parallelTransfer(from.cols, from::hLen, w.batchSize(), distance, cfg, phase));
        }

        /**
         * A layer at a step. Exact mode simulates it. Default mode uses that the step's time depends
         * on the context only through the longest attention stream (the most tokens any column
         * attends, ceil(filled / cols) with round-robin striping): it simulates the layer at values
         * of that length spaced by bucket / cols (at least 1) and interpolates between them.
         */
        private Episodes.Result layer(Segment s, long positions, int t) {
            LayerPlan plan = s.plan();
            int passes = expertPasses();
            if (exact) {
                episodes++;
                Episodes.Result r = Episodes.layer(plan, cfg, positions, passes);
                hops += r.waveletHops();
                return r;
            }
            String key = model.layerShape(plan.layer).key() + " " + plan.cols + "x" + plan.rows;
            long n = plan.attendedMax(positions);
            long nFirst = plan.attendedMax(w.contextTokens() + 1);
            long nLast = plan.attendedMax(w.contextTokens() + tokens);
            long step = Math.max(1, cfg.mapping().contextBucketTokens() / plan.cols);
            long lo = nFirst + ((n - nFirst) / step) * step;
            long hi = Math.min(lo + step, nLast);
            Episodes.Result a = cached(key + " n" + lo, () -> Episodes.layer(plan, cfg, positionsFor(plan, lo), passes));
            if (n == lo || hi == lo) {
                return a;
            }
            Episodes.Result b = cached(key + " n" + hi, () -> Episodes.layer(plan, cfg, positionsFor(plan, hi), passes));
            double f = (double) (n - lo) / (hi - lo);
            long[] by = new long[a.byCategory().length];
            long total = 0;
            for (int c = 0; c < by.length; c++) {
                by[c] = Math.round(a.byCategory()[c] + f * (b.byCategory()[c] - a.byCategory()[c]));
                total += by[c];
            }
            return new Episodes.Result(total, by, 0, 0, 0);
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

        private Episodes.Result cached(String key, java.util.function.Supplier<Episodes.Result> sim) {
            Episodes.Result r = cache.get(key);
            if (r == null) {
                r = sim.get();
                episodes++;
                hops += r.waveletHops();
                cache.put(key, r);
            }
            return r;
        }

        /** Adds an episode's cycles to {@code cat}, and its {@code pes} PEs' cycles to the active PE-cycles. */
        private void add(long[] cat, Episodes.Result r, long pes) {
            for (int c = 0; c < cat.length; c++) {
                cat[c] += r.byCategory()[c];
            }
            activePeCycles = Math.addExact(activePeCycles, Math.multiplyExact(pes, r.cycles()));
        }

        private Segment firstCompute(List<Segment> segs) {
            for (Segment s : segs) {
                if (s.kind() != Segment.Kind.EMBEDDING) {
                    return s;
                }
            }
            throw new IllegalStateException("a wafer without layers");
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
