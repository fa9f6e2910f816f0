package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A wafer (or a pipeline of wafers) as a serving replay sees it: the time of any forward pass
 * ({@link ForwardBatch}: decode tokens, prefill chunks, speculative verify rows, mixed) from the wafer's
 * fabric episodes, the KV cache its SRAM holds, and the passes its pipeline of layer regions holds at once.
 */
public final class WaferStepModel implements StepModel {
    /*
     * Layout: the mapping strategy places the model for one sequence of maxPositions positions (run's placement at
     * batch 1), so every layer has its region and every region its weight tiles.
     *
     * A pass is cut into micro-passes that go through the layer regions one after another, pipelined
     * (PassPipeline.done, a flow shop): consecutive decode rows in groups of mapping.sequencesPerPass (a group's
     * attention runs at its longest row's context: every sequence of a pass attends as many tokens as the longest,
     * the way the decode program handles a batch; with the default of 1, every row at its own), and each row of
     * more than one new token (a prefill chunk, a speculative verify row) in sub-chunks of
     * mapping.prefillPassTokens tokens of that sequence that share its KV cache, token j of the row attending
     * cached + j + 1 positions (LayerPlan.chunk). Rows keep the batch's order. A micro-pass enters region k when
     * it has left region k - 1 (plus the hand-off) and region k has finished the previous micro-pass: done =
     * max(ready + alone, previous done + interval), so the pipeline's fill and drain show in the time. Micro-
     * passes with logits (decode rows, a prompt's last token, verify rows) then go through the LM head; the others
     * end at the last layer. Each micro-pass starts with its token ids' lookup (a representative token in the
     * middle row of the table) and the rows' trip to the first layer; between wafers, the edge I/O and the wafer-
     * to-wafer link carry one micro-pass at a time, as in decode.
     *
     * Timing episodes (each a cycle-level fabric simulation of its own, memoized, simulated on up to
     * wafersim.threads threads): a layer region running EPISODE_PASSES identical micro-passes, keyed by the
     * layer's shape, the region, the micro-pass's kind and size and its context, at contexts 1, then
     * mapping.stepContextBucketTokens later, then at spacings mapping.stepContextGrowth times wider each (the last
     * at maxPositions; contextSpan); the micro-pass's "alone" time is the
     * episode's first pass end, its "interval" the second's step; a context between two simulated ones is
     * interpolated linearly (what attention adds is linear in the attended tokens). Sizes simulated: decode micro-
     * passes of mapping.sequencesPerPass sequences (a smaller group: its own episode) and full sub-chunks; a
     * shorter sub-chunk (a chunk's remainder) is interpolated linearly in its tokens between one token (a decode
     * micro-pass of one sequence: the same program) and a full sub-chunk, as a pass's time is a fixed part
     * (chains, broadcasts) plus a part per token. The head runs per logit count, hand-offs per micro-pass size,
     * like decode. Each category's share of a region's time is interpolated like the times; the breakdown
     * follows the last micro-pass's path.
     *
     * Interval: the busiest region's time for the pass (its first micro-pass alone plus each following one at its
     * interval), or the busiest wafer-to-wafer link; the next independent pass can enter then.
     *
     * KV capacity: every layer region keeps every token's K and V (striped by token over its columns, by dimension
     * over its rows), so a PE of the widest row holds 2 x dims x 2 bytes per token of its column. After the weight
     * tiles and the working buffers of the largest micro-pass at the longest context (LayerPlan at maxPositions
     * plus EPISODE_PASSES sub-chunks, the sizes the episodes use), the SRAM left per PE over that is the tokens
     * per column, times the columns; the smallest region sets the capacity. Sliding-window layers are counted as
     * full ones (conservative), and the padding of each sequence's cache to 8 slots is not. The sub-chunk is
     * halved until its working buffers (the score rows grow with the context) fit beside one request of
     * maxPositions.
     */

    private final WaferDecodeConfig cfg;
    private final ModelSpec model;
    private final StepModelRequest request;
    private final Placement placement;
    private final int wafers;
    private final long period;
    private final int perPass;
    private final int passTokens;
    private final int simulated;
    private final long bucket;
    private final double growth;
    private final int inFlight;
    private final long kvCapacity;
    private final long maxPositions;
    private final String machine;
    /**
     * Micro-passes of a timing episode: the first pass's end is its time alone, the second's step its interval
     * behind an identical one (an in-order region takes identical passes at a steady interval from the second
     * on; see mapping.simulatedPasses).
     */
    static final int EPISODE_PASSES = 2;

    private final ConcurrentHashMap<String, FutureTask<Episodes.Result>> episodes = new ConcurrentHashMap<>();
    private final AtomicLong simulatedEpisodes = new AtomicLong();
    /** Held while a layer's program is built and loaded: one set-up in memory at a time. */
    private final Lock setUp = new ReentrantLock();
    private final int threads;

    /**
     * The step model of {@code request}'s wafers.
     *
     * @throws ConfigException when the model or one request of {@code maxPositions} does not fit, or a
     *                         mapping parameter is out of range for the placement
     */
    public WaferStepModel(StepModelRequest request) {
        this.request = Objects.requireNonNull(request, "request");
        this.cfg = WaferDecodeConfig.from(request.params());
        this.model = request.model();
        this.maxPositions = request.maxPositions();
        WaferOptions opt = request.options(WaferOptions.class);
        MappingStrategy strategy = MappingStrategies.get(cfg.mapping().strategy());
        DecodeWorkload sizing = new DecodeWorkload(1, Math.max(1, maxPositions - 1), 1, request.precision(),
                request.routing());
        this.placement = strategy.place(model, sizing, cfg, opt.wafers());
        this.wafers = placement.wafers().size();
        this.period = cfg.wse().clock().periodPs();
        this.perPass = cfg.mapping().sequencesPerPass();
        this.simulated = EPISODE_PASSES;
        this.bucket = cfg.mapping().stepContextBucketTokens();
        this.growth = cfg.mapping().stepContextGrowth();
        this.threads = WaferDecodeSimulator.threads();
        int regions = 0;
        for (Placement.WaferLayout w : placement.wafers()) {
            for (Segment s : w.segments()) {
                if (s.kind() != Segment.Kind.EMBEDDING) {
                    regions++;
                }
            }
        }
        int want = cfg.mapping().passesInFlight();
        if (want > regions) {
            throw new ConfigException(MappingParams.PASSES_IN_FLIGHT + "=" + want + " is not allowed; expected an integer"
                    + " in [1, " + regions + "] (the layer and head regions of " + model.name() + " on " + wafers
                    + " wafer" + (wafers > 1 ? "s" : "") + ")");
        }
        this.inFlight = want;
        // Sub-chunk size: the configured one, halved until its working buffers fit beside one request's cache.
        int s = cfg.mapping().prefillPassTokens();
        long cap = Long.MAX_VALUE;
        ConfigException last = null;
        while (true) {
            try {
                cap = capacity(s);
                break;
            } catch (ConfigException e) {
                last = e;
                if (s == 1) {
                    break;
                }
                s = Math.max(1, s / 2);
            }
        }
        if (cap == Long.MAX_VALUE) {
            throw new ConfigException(String.format(Locale.ROOT, "%s on %d x %s: one request of %,d positions does not"
                    + " fit beside the weights and the working buffers (%s); expected fewer positions, more wafers"
                    + " (--wafers) or a smaller %s", model.name(), wafers, request.system(), maxPositions,
                    last.getMessage(), MappingParams.PER_PASS));
        }
        this.passTokens = s;
        this.kvCapacity = cap;
        if (kvCapacity < maxPositions) {
            throw new ConfigException(String.format(Locale.ROOT, "%s on %d x %s holds %,d tokens of KV cache beside the"
                    + " weights and working buffers; expected room for one request of %,d positions", model.name(),
                    wafers, request.system(), kvCapacity, maxPositions));
        }
        Placement.WaferLayout w0 = placement.wafers().get(0);
        this.machine = String.format(Locale.ROOT, "%d x %s wafer%s, %s mapping: layer regions of %d x %d PEs; micro-passes"
                        + " of %d decode sequence%s or %d prefill token%s%s pipelined through the regions, %d pass%s in"
                        + " flight", wafers, request.system(), wafers > 1 ? "s" : "", strategy.name(), w0.slotCols(),
                w0.slotRows(), perPass, perPass == 1 ? "" : "s", passTokens, passTokens == 1 ? "" : "s",
                passTokens < cfg.mapping().prefillPassTokens() ? " (" + MappingParams.PREFILL_PASS + "="
                        + cfg.mapping().prefillPassTokens() + " halved to fit " + maxPositions + " positions)" : "",
                inFlight, inFlight == 1 ? "" : "es");
    }

    /**
     * KV tokens the layer regions hold with sub-chunks of {@code s} tokens, the smallest over regions.
     *
     * @throws ConfigException when a region's weights and working buffers for one request do not fit
     */
    private long capacity(int s) {
        WseParams wp = cfg.wse();
        long positions = reservePositions(s);
        long cap = Long.MAX_VALUE;
        for (Placement.WaferLayout w : placement.wafers()) {
            for (Segment seg : w.segments()) {
                if (seg.kind() != Segment.Kind.LAYER) {
                    continue;
                }
                LayerPlan at = seg.plan();
                LayerPlan chunk = LayerPlan.chunk(model, seg.layer(), at.cols, at.rows, s, s, positions,
                        request.precision(), cfg.mapping().accumulate(), wp, placement.tilePadElements());
                LayerPlan decode = LayerPlan.decodePasses(model, seg.layer(), at.cols, at.rows, perPass, perPass,
                        positions, request.precision(), cfg.mapping().accumulate(), wp, placement.tilePadElements());
                cap = Math.min(cap, kvTokens(chunk, decode, wp.sram().dataBytesPerPe()));
            }
        }
        return cap;
    }

    /** Positions the reserve plans are sized for: the longest request and the episodes' sub-chunks beyond it. */
    private long reservePositions(int s) {
        return maxPositions + (long) EPISODE_PASSES * s;
    }

    /**
     * KV tokens a layer region holds: per PE, the data SRAM less the larger of the two plans' bytes other
     * than their KV caches, over the bytes of one token's keys and values on the PE with the most
     * dimensions; times the columns (tokens are striped over them).
     */
    static long kvTokens(LayerPlan chunk, LayerPlan decode, int dataBytesPerPe) {
        long fixed = Math.max(chunk.dataBytesPerPe - chunk.kvBytesPerPe(), decode.dataBytesPerPe
                - decode.kvBytesPerPe());
        long free = dataBytesPerPe - fixed;
        long perToken = 2L * chunk.dimsMax * chunk.precision.kvBytesPerElement();
        return Math.max(0, free / perToken) * chunk.cols;
    }

    @Override
    public long kvCapacityTokens() {
        return kvCapacity;
    }

    @Override
    public int maxPassesInFlight() {
        return inFlight;
    }

    @Override
    public int devices() {
        return wafers;
    }

    @Override
    public String machine() {
        return machine;
    }

    /** Prompt tokens per prefill pass ({@code mapping.prefillChunkTokens}). */
    public int prefillChunkTokens() {
        return cfg.mapping().prefillChunkTokens();
    }

    /** Tokens per prefill sub-chunk actually used (the configured size, or halved to fit). */
    public int prefillPassTokens() {
        return passTokens;
    }

    /** The placement the model runs on. */
    Placement placementForTest() {
        return placement;
    }

    /** Distinct fabric episodes simulated so far. */
    public long simulatedEpisodes() {
        return simulatedEpisodes.get();
    }

    // ---- a pass ----------------------------------------------------------------------------------

    /** The micro-passes of a batch, struct of arrays. */
    private static final class Micro {
        final int count;
        final boolean[] chunk;
        final int[] size;
        /** Positions the micro-pass's first token attends (decode: its longest row's cached + 1). */
        final long[] positions;
        final int[] logits;

        Micro(int n) {
            count = n;
            chunk = new boolean[n];
            size = new int[n];
            positions = new long[n];
            logits = new int[n];
        }
    }

    private Micro split(ForwardBatch b) {
        int n = 0;
        int run = 0;
        for (int i = 0; i < b.sequences(); i++) {
            if (b.newTokens(i) == 1) {
                if (run == 0) {
                    n++;
                }
                run = (run + 1) % perPass;
            } else {
                run = 0;
                n += (b.newTokens(i) + passTokens - 1) / passTokens;
            }
        }
        Micro m = new Micro(n);
        int k = -1;
        run = 0;
        for (int i = 0; i < b.sequences(); i++) {
            int fresh = b.newTokens(i);
            if (fresh == 1) {
                if (run == 0) {
                    k++;
                }
                m.size[k]++;
                m.positions[k] = Math.max(m.positions[k], b.cachedTokens(i) + 1);
                m.logits[k] += b.logitTokens(i);
                run = (run + 1) % perPass;
                continue;
            }
            run = 0;
            int firstLogit = fresh - b.logitTokens(i);
            for (int t0 = 0; t0 < fresh; t0 += passTokens) {
                k++;
                int t1 = Math.min(fresh, t0 + passTokens);
                m.chunk[k] = true;
                m.size[k] = t1 - t0;
                m.positions[k] = b.cachedTokens(i) + t0 + 1;
                m.logits[k] = Math.max(0, t1 - Math.max(t0, firstLogit));
            }
        }
        return m;
    }

    /**
     * Simulates every episode the passes {@code batches} need and that is not yet simulated, at once on up to
     * {@code wafersim.threads} threads, longest first (a prompt's chunks each need a new context: one by one,
     * each would run alone).
     */
    @Override
    public void prepare(List<ForwardBatch> batches) {
        List<Pending> all = new ArrayList<>();
        for (ForwardBatch b : batches) {
            check(b);
            Compose plan = new Compose(split(b), true);
            plan.run();
            all.addAll(plan.pending);
        }
        simulatePending(all);
    }

    @Override
    public StepTime time(ForwardBatch batch) {
        check(batch);
        Micro m = split(batch);
        Compose plan = new Compose(m, true);
        plan.run();
        simulatePending(plan.pending);
        Compose c = new Compose(m, false);
        c.run();
        return c.result();
    }

    /** Refuses a batch beyond the positions the model was built for or beyond the KV cache. */
    private void check(ForwardBatch batch) {
        Objects.requireNonNull(batch, "batch");
        long positions = 0;
        for (int i = 0; i < batch.sequences(); i++) {
            long after = batch.positionsAfter(i);
            if (after > maxPositions) {
                throw new ConfigException(String.format(Locale.ROOT, "a row of %,d positions is beyond the %,d positions"
                        + " this wafer step model was built for (the longest request)", after, maxPositions));
            }
            positions += after;
        }
        if (positions > kvCapacity) {
            throw new ConfigException(String.format(Locale.ROOT, "a pass whose rows hold %,d positions in all does not"
                    + " fit the KV cache of %,d tokens on %d x %s", positions, kvCapacity, wafers, request.system()));
        }
    }

    /**
     * Runs the episodes first needed by this pass, on up to {@code threads} threads, the longest first (layer
     * episodes by attended positions times micro-pass size, then the rest): with few threads and a handful of
     * episodes of unequal length, starting the long ones first shortens the wall time (results do not depend on
     * the order).
     */
    private void simulatePending(List<Pending> queued) {
        if (queued.isEmpty()) {
            return;
        }
        List<Pending> order = new ArrayList<>(queued);
        order.sort((a, b) -> Long.compare(b.cost(), a.cost()));
        List<FutureTask<Episodes.Result>> pending = new ArrayList<>();
        for (Pending p : order) {
            pending.add(p.task());
        }
        int n = Math.min(threads, pending.size());
        if (n <= 1) {
            for (FutureTask<Episodes.Result> t : pending) {
                t.run();
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread th = new Thread(r, "wafer-step-episode");
            th.setDaemon(true);
            return th;
        });
        try {
            for (FutureTask<Episodes.Result> t : pending) {
                pool.execute(t);
            }
        } finally {
            pool.shutdown();
        }
        // Wait for all (a failure surfaces where the episode's result is used).
        for (FutureTask<Episodes.Result> t : pending) {
            try {
                t.get();
            } catch (ExecutionException e) {
                // reported by get(FutureTask) when the result is needed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while simulating fabric episodes", e);
            }
        }
    }

    /**
     * The simulated contexts either side of {@code positions}: {@code {lo, hi}} with lo <= positions < hi (or
     * lo == positions == hi at the longest request). The contexts are 1, then 1 + bucket, then each spacing
     * {@code growth} times the last (rounded down): growth 1 gives 1, 1 + b, 1 + 2b, ...; growth 2 gives 1,
     * 1 + b, 1 + 3b, 1 + 7b, ... The last span ends at {@code maxPositions}, the longest request (the contexts
     * the reserve plans are sized for).
     */
    static long[] contextSpan(long positions, long bucket, double growth, long maxPositions) {
        if (positions < 1 || bucket < 1 || !(growth >= 1)) {
            throw new IllegalArgumentException("positions " + positions + ", bucket " + bucket + ", growth " + growth);
        }
        long lo = 1;
        double width = bucket;
        while (lo + (long) width <= positions) {
            lo += (long) width;
            width *= growth;
        }
        return new long[] {lo, Math.max(lo, Math.min(lo + (long) width, maxPositions))};
    }

    /** An episode to simulate and its expected cost (only its order among the others matters). */
    private record Pending(FutureTask<Episodes.Result> task, long cost) {
    }

    /** The episode under {@code key}, simulated once (by whoever registers it first). */
    private FutureTask<Episodes.Result> episode(String key, Supplier<Episodes.Result> sim, long cost,
                                                List<Pending> pending) {
        FutureTask<Episodes.Result> t = episodes.get(key);
        if (t != null) {
            return t;
        }
        FutureTask<Episodes.Result> mine = new FutureTask<>(() -> {
            Episodes.Result r = sim.get();
            simulatedEpisodes.incrementAndGet();
            return r;
        });
        t = episodes.putIfAbsent(key, mine);
        if (t == null) {
            if (pending != null) {
                pending.add(new Pending(mine, cost));
            } else {
                mine.run();
            }
            return mine;
        }
        return t;
    }

    private static Episodes.Result get(FutureTask<Episodes.Result> t) {
        t.run(); // no-op when it has run or is running elsewhere
        return Episodes.await(t, "a fabric episode");
    }

    /** A micro-pass's time in a region: alone, behind an identical one, and the split by category. */
    private record Timing(long alone, long interval, double[] share) {
    }

    private static final int CATS = Phase.Category.values().length;

    /**
     * One walk over a pass's micro-passes through every region. Planning registers the episodes it needs
     * (returning zero timings); composing adds them up.
     */
    private final class Compose {
        final Micro m;
        final boolean planning;
        final List<Pending> pending = new ArrayList<>();
        final long[] ready;
        final double[][] split;
        long busiest;
        long activePeCycles;

        Compose(Micro m, boolean planning) {
            this.m = m;
            this.planning = planning;
            this.ready = new long[m.count];
            this.split = new double[m.count][CATS];
        }

        private Episodes.Result ep(String key, Supplier<Episodes.Result> sim) {
            return ep(key, 0, sim);
        }

        private Episodes.Result ep(String key, long cost, Supplier<Episodes.Result> sim) {
            FutureTask<Episodes.Result> t = episode(key, sim, cost, planning ? pending : null);
            return planning ? Episodes.Result.zero() : WaferStepModel.get(t);
        }

        void run() {
            WseParams wp = cfg.wse();
            // Entry: each micro-pass's token ids to their table rows, the rows to the first layer.
            for (int p = 0; p < m.count; p++) {
                addEntry(p);
            }
            double bytesPerCycle = wp.waferLinkGbps() * 1e9 / 8 / (1e12 / period);
            long linkLatency = (wp.waferLinkLatencyPs() + period - 1) / period;
            int inter = Phase.Category.INTER_WAFER.ordinal();
            for (int i = 0; i < wafers; i++) {
                List<Segment> segs = placement.wafers().get(i).segments();
                if (i > 0) {
                    // Edge out of wafer i - 1, the link (one micro-pass at a time), edge in to wafer i.
                    Segment lastSeg = segs(i - 1).get(segs(i - 1).size() - 1);
                    long free = Long.MIN_VALUE;
                    long linkBusy = 0;
                    for (int p = 0; p < m.count; p++) {
                        long out = edge(edgeDistance(lastSeg.region(), wp) + 1, m.size[p]).cycles();
                        long in = edge(edgeDistance(firstCompute(segs).region(), wp) + 1, m.size[p]).cycles();
                        long serial = (long) Math.ceil(m.size[p] * (double) model.hiddenSize()
                                * Precision.ACTIVATION_BYTES / bytesPerCycle);
                        long sent = Math.max(ready[p] + out, free);
                        free = sent + serial;
                        linkBusy += serial;
                        long arrive = free + linkLatency + in;
                        split[p][inter] += arrive - ready[p];
                        ready[p] = arrive;
                    }
                    busiest = Math.max(busiest, linkBusy);
                }
                Segment prev = null;
                for (Segment s : segs) {
                    if (s.kind() == Segment.Kind.EMBEDDING) {
                        continue;
                    }
                    boolean head = s.kind() == Segment.Kind.HEAD;
                    if (prev != null) {
                        int d = distance(prev.region(), s.region());
                        for (int p = 0; p < m.count; p++) {
                            if (head && m.logits[p] == 0) {
                                continue;
                            }
                            Episodes.Result h = handoff(prev.plan(), d, Phase.HANDOFF, m.size[p]);
                            ready[p] += h.cycles();
                            for (int c = 0; c < CATS; c++) {
                                split[p][c] += h.byCategory()[c];
                            }
                            active((long) prev.plan().cols * (d + 1), h.cycles());
                        }
                    }
                    through(s, head);
                    prev = s;
                }
            }
            // Across wafers, the sampled token ids return to the first wafer's table.
            if (wafers > 1) {
                for (int p = 0; p < m.count; p++) {
                    if (m.logits[p] > 0) {
                        long back = linkLatency + (long) Math.ceil(m.logits[p] * (double) Precision.TOKEN_ID_BYTES
                                / bytesPerCycle);
                        ready[p] += back;
                        split[p][inter] += back;
                    }
                }
            }
        }

        /** The micro-passes through one region (the head: those with logits), as a flow shop. */
        private void through(Segment s, boolean head) {
            long lastDone = Long.MIN_VALUE;
            int lastP = -1;
            long busy = 0;
            for (int p = 0; p < m.count; p++) {
                if (head && m.logits[p] == 0) {
                    continue;
                }
                Timing t = head ? headTiming(s, m.logits[p]) : layerTiming(s, m.chunk[p], m.size[p], m.positions[p]);
                if (planning) {
                    continue;
                }
                long alone = ready[p] + t.alone();
                long done = PassPipeline.done(ready[p], t.alone(), lastP < 0 ? PassPipeline.NONE : lastDone,
                        t.interval());
                if (done > alone) {
                    // Behind the previous micro-pass: its path, then this one's interval.
                    System.arraycopy(split[lastP], 0, split[p], 0, CATS);
                    for (int c = 0; c < CATS; c++) {
                        split[p][c] += t.share()[c] * t.interval();
                    }
                    ready[p] = done;
                } else {
                    for (int c = 0; c < CATS; c++) {
                        split[p][c] += t.share()[c] * t.alone();
                    }
                    ready[p] = alone;
                }
                busy += lastP < 0 ? t.alone() : t.interval();
                lastDone = ready[p];
                lastP = p;
            }
            busiest = Math.max(busiest, busy);
            active(s.region().pes(), busy);
        }

        private void addEntry(int p) {
            List<Segment> segs = segs(0);
            Segment first = firstCompute(segs);
            Segment table = tableOf(segs);
            WseParams wp = cfg.wse();
            // A representative token: its table row in the middle of the table's rows.
            int v = table.plan().rows / 2;
            int tx = table.region().x(0);
            int ty = table.region().y(v);
            int distId;
            if (wafers == 1) {
                Segment headSeg = segs.get(segs.size() - 1);
                distId = Math.abs(headSeg.region().x(0) - tx) + Math.abs(headSeg.region().y(0) - ty);
            } else {
                distId = Math.min(tx, wp.gridWidthPes() - 1 - tx) + 1;
            }
            int n = m.size[p];
            int tableCols = table.region().cols();
            Episodes.Result id = ep("token " + distId + " " + tableCols + " " + n,
                    () -> Episodes.tokenToRow(n, distId, tableCols, cfg));
            int distRow = Math.abs(first.region().x(0) - tx) + Math.abs(first.region().y(0) - ty);
            Episodes.Result row = handoff(first.plan(), distRow, Phase.EMBEDDING, n);
            ready[p] = id.cycles() + row.cycles();
            for (int c = 0; c < CATS; c++) {
                split[p][c] = id.byCategory()[c] + row.byCategory()[c];
            }
            active(distId + tableCols, id.cycles());
            active((long) first.plan().cols * (distRow + 1), row.cycles());
        }

        private Episodes.Result handoff(LayerPlan from, int distance, Phase phase, int sequences) {
            return ep("handoff " + from.cols + " " + distance + " " + phase + " " + sequences,
                    () -> Episodes.parallelTransfer(from.cols, from::hLen, sequences, distance, cfg, phase));
        }

        /** The edge I/O of {@code sequences} hidden vectors, booked as inter-wafer time. */
        private Episodes.Result edge(int distance, int sequences) {
            int streams = (int) Math.min(cfg.wse().ioEntryPointsPerEdge(), model.hiddenSize() / 2);
            int hidden = model.hiddenSize();
            Episodes.Result r = ep("edge " + distance + " " + sequences,
                    () -> Episodes.parallelTransfer(streams, s -> (int) (2 * (LayerPlan.split(hidden / 2, streams, s + 1)
                            - LayerPlan.split(hidden / 2, streams, s))), sequences, distance, cfg, Phase.HANDOFF));
            active(streams * (distance + 1L), r.cycles());
            return r;
        }

        private Timing headTiming(Segment s, int logits) {
            LayerPlan at = s.plan();
            int k = simulated;
            Episodes.Result r = ep("head " + at.cols + "x" + at.rows + " n" + logits, () -> Episodes.head(
                    LayerPlan.head(model, at.cols, at.rows, k * logits, logits, request.precision(),
                            cfg.mapping().accumulate(), cfg.wse(), placement.tilePadElements()), cfg, Integer.MAX_VALUE,
                    setUp));
            return timing(r, r, 0);
        }

        /**
         * A layer region's timing for a micro-pass of {@code n} decode sequences or chunk tokens whose first
         * token attends {@code positions}: simulated at the bucket contexts either side, interpolated.
         */
        private Timing layerTiming(Segment s, boolean chunk, int n, long positions) {
            if (!chunk || n == passTokens) {
                return contextTiming(s, chunk, n, positions);
            }
            Timing one = contextTiming(s, false, 1, positions);
            if (n == 1) {
                return one;
            }
            Timing full = contextTiming(s, true, passTokens, positions);
            if (planning) {
                return null;
            }
            double f = (double) (n - 1) / (passTokens - 1);
            double[] share = new double[CATS];
            for (int c = 0; c < CATS; c++) {
                share[c] = one.share()[c] + f * (full.share()[c] - one.share()[c]);
            }
            return new Timing(Math.max(1, Math.round(one.alone() + f * (full.alone() - one.alone()))),
                    Math.max(1, Math.round(one.interval() + f * (full.interval() - one.interval()))), share);
        }

        /** A micro-pass's timing at {@code positions}, interpolated between the simulated contexts. */
        private Timing contextTiming(Segment s, boolean chunk, int n, long positions) {
            long[] span = contextSpan(positions, bucket, growth, maxPositions);
            long lo = span[0];
            Episodes.Result a = layerEpisode(s, chunk, n, lo);
            if (lo == positions) {
                return planning ? null : timing(a, a, 0);
            }
            long hi = span[1];
            Episodes.Result b = layerEpisode(s, chunk, n, hi);
            return planning ? null : timing(a, b, (double) (positions - lo) / (hi - lo));
        }

        private Episodes.Result layerEpisode(Segment s, boolean chunk, int n, long positions) {
            LayerPlan at = s.plan();
            int k = simulated;
            int layer = s.layer();
            int experts = expertPasses(n);
            String key = "layer " + model.layerShape(layer).key() + " " + at.cols + "x" + at.rows + (chunk ? " c" : " d")
                    + n + " p" + positions;
            return ep(key, (long) n * (positions + at.cols), () -> {
                LayerPlan plan = chunk
                        ? LayerPlan.chunk(model, layer, at.cols, at.rows, k * n, n, positions - 1 + (long) k * n,
                        request.precision(), cfg.mapping().accumulate(), cfg.wse(), placement.tilePadElements())
                        : LayerPlan.decodePasses(model, layer, at.cols, at.rows, k * n, n, positions,
                        request.precision(), cfg.mapping().accumulate(), cfg.wse(), placement.tilePadElements());
                return Episodes.layer(plan, cfg, positions, experts, Integer.MAX_VALUE, setUp);
            });
        }

        private Timing timing(Episodes.Result a, Episodes.Result b, double f) {
            if (planning) {
                return null;
            }
            long[] ea = a.passEnds();
            long[] eb = b.passEnds();
            int k = ea.length;
            if (k < 2 || eb.length != k) {
                throw new IllegalStateException("an episode of " + simulated + " passes reported " + k + " and "
                        + eb.length + " pass ends");
            }
            double alone = ea[0] + f * (eb[0] - ea[0]);
            double iv = (ea[k - 1] - ea[k - 2]) + f * ((eb[k - 1] - eb[k - 2]) - (ea[k - 1] - ea[k - 2]));
            // Category shares of the episode interpolated like its times.
            double[] share = new double[CATS];
            double sum = 0;
            for (int c = 0; c < CATS; c++) {
                share[c] = a.byCategory()[c] + f * (b.byCategory()[c] - a.byCategory()[c]);
                sum += share[c];
            }
            for (int c = 0; c < CATS && sum > 0; c++) {
                share[c] /= sum;
            }
            return new Timing(Math.max(1, Math.round(alone)), Math.max(1, Math.round(iv)), share);
        }

        private void active(long pes, long cycles) {
            if (!planning) {
                activePeCycles = Math.addExact(activePeCycles, Math.multiplyExact(pes, cycles));
            }
        }

        StepTime result() {
            int lastP = 0;
            for (int p = 1; p < m.count; p++) {
                if (ready[p] >= ready[lastP]) {
                    lastP = p;
                }
            }
            long total = ready[lastP];
            long[] whole = wholeCycles(split[lastP], total);
            long[] breakdown = new long[LatencyCategory.values().length];
            for (Phase.Category c : Phase.Category.values()) {
                breakdown[latency(c).ordinal()] += whole[c.ordinal()] * period;
            }
            long latencyPs = total * period;
            long intervalPs = Math.max(1, Math.min(latencyPs, busiest * period));
            long[] busy = new long[PowerState.values().length];
            long activeWaferPs = Math.round((double) activePeCycles * period / cfg.wse().peCount());
            busy[PowerState.ACTIVE.ordinal()] = Math.min(activeWaferPs, (long) wafers * latencyPs);
            return new StepTime(latencyPs, intervalPs, breakdown, busy);
        }
    }

    /** Whole cycles per category from a split that sums to about {@code total}: summing to it exactly. */
    static long[] wholeCycles(double[] split, long total) {
        int cats = split.length;
        long[] whole = new long[cats];
        long sum = 0;
        for (int c = 0; c < cats; c++) {
            whole[c] = Math.max(0, (long) Math.floor(split[c]));
            sum += whole[c];
        }
        while (sum > total) {
            int big = 0;
            for (int c = 1; c < cats; c++) {
                if (whole[c] > whole[big]) {
                    big = c;
                }
            }
            long cut = Math.min(whole[big], sum - total);
            whole[big] -= cut;
            sum -= cut;
        }
        while (sum < total) {
            int best = 0;
            for (int c = 1; c < cats; c++) {
                if (split[c] - whole[c] > split[best] - whole[best]) {
                    best = c;
                }
            }
            whole[best]++;
            sum++;
        }
        return whole;
    }

    private static LatencyCategory latency(Phase.Category c) {
        return switch (c) {
            case COMPUTE -> LatencyCategory.COMPUTE;
            case FABRIC_TRANSFER -> LatencyCategory.FABRIC_TRANSFER;
            case REDUCTIONS -> LatencyCategory.REDUCTIONS;
            case ATTENTION -> LatencyCategory.ATTENTION;
            case INTER_WAFER -> LatencyCategory.INTER_WAFER;
            case PIPELINE_IDLE -> LatencyCategory.PIPELINE_IDLE;
        };
    }

    private int expertPasses(int n) {
        if (!model.isMixtureOfExperts()) {
            return 1;
        }
        double distinct = request.routing().distinctExperts(model.numExperts(), model.expertsPerToken(), n);
        return (int) Math.ceil(distinct - 1e-9);
    }

    private List<Segment> segs(int wafer) {
        return placement.wafers().get(wafer).segments();
    }

    private static Segment firstCompute(List<Segment> segs) {
        for (Segment s : segs) {
            if (s.kind() != Segment.Kind.EMBEDDING) {
                return s;
            }
        }
        throw new IllegalStateException("a wafer without layers");
    }

    private static Segment tableOf(List<Segment> segs) {
        for (Segment s : segs) {
            if (s.kind() == Segment.Kind.EMBEDDING) {
                return s;
            }
        }
        return segs.get(segs.size() - 1);
    }

    /** Hops from a region's output edge to the next region's input edge. */
    private static int distance(Region a, Region b) {
        return Math.abs(a.x(0) - b.x(0)) + Math.abs(a.y(a.rows() - 1) - b.y(0));
    }

    /** Hops from a region to the nearer east or west edge of the wafer. */
    private static int edgeDistance(Region r, WseParams wp) {
        return Math.min(r.x0(), wp.gridWidthPes() - (r.x0() + r.cols()));
    }
}
