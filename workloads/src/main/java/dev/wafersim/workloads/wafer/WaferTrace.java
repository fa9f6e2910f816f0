package dev.wafersim.workloads.wafer;

import dev.wafersim.core.trace.TraceSink;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The wafers' decode steps as a timeline ({@link TraceSink}): a process per wafer, a track per segment
 * (the embedding table, each layer's region, the LM head) in the order a token visits them, and a track
 * for the wafer's edge I/O and its outgoing wafer-to-wafer link.
 *
 * <p>Spans come from the fabric episodes the step is composed of, never from a model of their own: a layer's
 * or the head's episode is drawn as its critical path's runs ({@link Episodes.Result#runPhases()}: each
 * stretch of the episode booked to the phase whose tagged instructions ended it, consecutive stretches of
 * one phase merged), so the spans of a region are its embedding, norm, broadcast, multiply-add, reduction,
 * attention and argmax phases in order; hand-offs are drawn on the sending region's track; edge I/O and the
 * link (serialization, then propagation latency) on the links track. Span categories are the keys of
 * {@link Phase.Category} (the latency breakdown's), and each span carries the step as its {@code token}
 * argument.
 *
 * <p>With the batch in one pass (or passes run layer by layer), a step's spans follow one another and tile
 * the step: they sum to its latency. With passes pipelined through the regions, a region works on several
 * passes at once; the spans ({@code ph: X}) then follow the step's critical path only (each region's
 * stretch that finished the pass the next element waited for: the pass alone, or the interval after the
 * previous pass when it waited behind it; see {@link PassPipeline}), split by category in the proportions of
 * one pass alone (as the latency breakdown splits it; one span per category, in category order, not the
 * phases' order in time), so they again tile the step; every pass's time in
 * every region (from its pass latency before its end to its end) and over every link is an async span
 * ({@code ph: b/e}) named after the region's "passes" track, with the pass as its {@code pass} argument
 * (Perfetto draws spans of one name on as few rows as their overlaps need).
 *
 * <p>Counters: per region and step, the mean utilization of the region's fabric links during its episode
 * (wavelet hops / (directed links between neighbouring PEs x episode cycles), 0..1), sampled at the region's
 * first activity and set back to 0 at its end: one value per region per step (the per-PE picture is
 * {@code run --heatmap}). Hops and cycles are the episode's: interpolated between the two simulated
 * attention lengths in default mode, and over the simulated passes ({@code mapping.simulatedPasses}) when
 * the others follow at the last interval. Costs nothing when the sink is disabled: the simulator creates
 * no trace then.
 */
final class WaferTrace {
    /** Process id of wafer 0 (GPUs use 1000 + gpu). */
    static final int PID_BASE = 2000;

    private static final String[] UTILIZATION_SERIES = {"mean link utilization"};

    private final TraceSink sink;
    private final Placement placement;
    private final long periodPs;
    private final int limit;
    private final Map<Segment, Integer> tids = new IdentityHashMap<>();
    private final Map<Segment, String> counterNames = new IdentityHashMap<>();
    private final double[] value = new double[1];
    private long asyncIds;

    /**
     * A trace of the first {@code limit} steps (0: all).
     *
     * @param periodPs the fabric clock period, ps per cycle
     */
    WaferTrace(TraceSink sink, Placement placement, long periodPs, int limit) {
        this.sink = sink;
        this.placement = placement;
        this.periodPs = periodPs;
        this.limit = limit;
        for (Placement.WaferLayout wl : placement.wafers()) {
            List<Segment> segs = wl.segments();
            for (int k = 0; k < segs.size(); k++) {
                tids.put(segs.get(k), k + 1);
                counterNames.put(segs.get(k), segs.get(k).label() + " link utilization");
            }
        }
    }

    /**
     * Names the processes (a wafer each: "wafer 0 (layers 0-18)"; {@code compare} prefixes the system) and
     * their tracks (a segment each, named with its region's size, then the edge I/O and link).
     */
    void declare() {
        int n = placement.wafers().size();
        for (Placement.WaferLayout wl : placement.wafers()) {
            int i = wl.index();
            List<Segment> segs = wl.segments();
            int firstLayer = -1;
            int lastLayer = -1;
            for (Segment s : segs) {
                if (s.kind() == Segment.Kind.LAYER) {
                    firstLayer = firstLayer < 0 ? s.layer() : firstLayer;
                    lastLayer = s.layer();
                }
            }
            String layers = firstLayer < 0 ? "" : String.format(Locale.ROOT, " (layers %d-%d)", firstLayer, lastLayer);
            sink.process(pid(i), String.format(Locale.ROOT, "wafer %d%s", i, layers), i);
            for (int k = 0; k < segs.size(); k++) {
                Region r = segs.get(k).region();
                sink.track(pid(i), k + 1, String.format(Locale.ROOT, "%s (%d x %d PEs)", segs.get(k).label(), r.cols(),
                        r.rows()), k + 1);
            }
            sink.track(pid(i), linksTid(i), linksTrackName(i), segs.size() + 1);
        }
    }

    /** True when step {@code token} is recorded. */
    boolean records(int token) {
        return limit == 0 || token < limit;
    }

    /** The track of segment {@code s}. */
    int tid(Segment s) {
        Integer t = tids.get(s);
        if (t == null) {
            throw new IllegalStateException(s.label() + " is not placed");
        }
        return t;
    }

    /** The name of wafer {@code wafer}'s edge I/O and link track. */
    String linksTrackName(int wafer) {
        int n = placement.wafers().size();
        return n > 1 ? "edge I/O and link to wafer " + ((wafer + 1) % n) : "edge I/O";
    }

    /** The edge I/O and link track of wafer {@code wafer}. */
    int linksTid(int wafer) {
        return placement.wafers().get(wafer).segments().size() + 1;
    }

    /**
     * Episode {@code r} at {@code startPs} on a track: a span per run of its critical path, or, when
     * {@code name} is not null (a transfer: one phase throughout), one span of that name in the category
     * holding most of its cycles.
     */
    void episode(int wafer, int tid, long startPs, Episodes.Result r, String name, int token) {
        if (r.cycles() == 0) {
            return;
        }
        if (name != null || r.runEnds().length == 0) {
            span(wafer, tid, name != null ? name : "episode", mainCategory(r.byCategory()).key(), startPs,
                    r.cycles() * periodPs, token);
            return;
        }
        Phase[] phases = Phase.values();
        long prev = 0;
        int[] ph = r.runPhases();
        long[] ends = r.runEnds();
        for (int i = 0; i < ends.length; i++) {
            if (ends[i] > prev) {
                Phase p = phases[ph[i]];
                span(wafer, tid, label(p), p.category().key(), startPs + prev * periodPs, (ends[i] - prev) * periodPs,
                        token);
            }
            prev = ends[i];
        }
    }

    /** A span of {@code durationPs} (none when 0). */
    void span(int wafer, int tid, String name, String category, long startPs, long durationPs, int token) {
        if (durationPs > 0) {
            sink.span(pid(wafer), tid, name, category, startPs, durationPs, "token", token);
        }
    }

    /**
     * Pass {@code pass}'s async span (one that may overlap others of its track) on wafer {@code wafer}: named
     * after its track, so that Perfetto draws a region's passes on as few rows as their overlaps need, with the
     * pass as its argument.
     */
    void async(int wafer, String track, int pass, String category, long startPs, long durationPs) {
        if (durationPs > 0) {
            sink.asyncSpan(pid(wafer), track, ++asyncIds, track, category, startPs, durationPs, "pass", pass);
        }
    }

    /**
     * Region {@code s}'s mean link utilization during episode {@code r}, from {@code startPs} to {@code endPs}
     * (sampled at the start, back to 0 at the end).
     */
    void utilization(int wafer, Segment s, Episodes.Result r, long startPs, long endPs) {
        long links = directedLinks(s.plan().cols, s.plan().rows);
        value[0] = r.cycles() == 0 || links == 0 ? 0 : Math.min(1.0, (double) r.waveletHops() / links / r.cycles());
        String name = counterNames.get(s);
        sink.counter(pid(wafer), name, startPs, UTILIZATION_SERIES, value);
        value[0] = 0;
        sink.counter(pid(wafer), name, Math.max(startPs, endPs), UTILIZATION_SERIES, value);
    }

    /** Directed links between neighbouring PEs of a {@code cols} x {@code rows} fabric. */
    static long directedLinks(int cols, int rows) {
        return 2L * (cols - 1) * rows + 2L * cols * (rows - 1);
    }

    /** The category holding most cycles (the first on a tie). */
    static Phase.Category mainCategory(long[] byCategory) {
        int best = 0;
        for (int c = 1; c < byCategory.length; c++) {
            if (byCategory[c] > byCategory[best]) {
                best = c;
            }
        }
        return Phase.Category.values()[best];
    }

    /** A span name for phase {@code p}. */
    static String label(Phase p) {
        return switch (p) {
            case NORM_LOCAL -> "norm: local sums of squares";
            case NORM_REDUCE -> "norm: reduction";
            case NORM_SCALE -> "norm: scale";
            case NORM_BROADCAST -> "norm: broadcast";
            case NORM_APPLY -> "norm: apply";
            case GEMV_BROADCAST -> "broadcast of the input vector";
            case GEMV_COMPUTE -> "local multiply-adds";
            case GEMV_REDUCE -> "reduction of partial sums";
            case ROPE -> "rotary embedding";
            case KV_APPEND -> "attention: KV append";
            case Q_BROADCAST -> "attention: query broadcast";
            case SCORES -> "attention: scores";
            case SCORES_REDUCE -> "attention: scores reduction";
            case SOFTMAX -> "attention: softmax";
            case SOFTMAX_REDUCE -> "attention: softmax reduction";
            case SOFTMAX_BROADCAST -> "attention: softmax broadcast";
            case PROBS_BROADCAST -> "attention: probabilities broadcast";
            case VALUES -> "attention: values";
            case VALUES_REDUCE -> "attention: values reduction";
            case ELEMENTWISE -> "elementwise (activation, residual)";
            case RESIDUAL_PASS -> "residual pass";
            case ROUTER -> "expert router";
            case ARGMAX -> "argmax";
            case HANDOFF -> "hand-off";
            case EMBEDDING -> "embedding";
        };
    }

    private static int pid(int wafer) {
        return PID_BASE + wafer;
    }
}
