package dev.wafersim.cli.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.run.EnergyCost;
import dev.wafersim.workloads.serving.DisaggregatedResult;
import dev.wafersim.workloads.serving.DisaggregatedSummary;
import dev.wafersim.workloads.serving.Distribution;
import dev.wafersim.workloads.serving.GoodputSearch;
import dev.wafersim.workloads.serving.ServingResult;
import dev.wafersim.workloads.serving.ServingSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code wafersim serve} reports, through the common reporting layer: the terminal table (a column
 * per system, a row per metric), the JSON summary ({@link SystemJson}, or {@link ComparisonJson} for several
 * systems) and the per-request CSV (a {@link Table} of lifecycle timestamps). Output is {@link Locale#ROOT};
 * the same replay gives the same bytes (the JSON's {@code wallSeconds} aside).
 *
 * @param model          the model's name
 * @param systems        each system's summary
 * @param labels         each system's label
 * @param results        each system's replay
 * @param disaggregated  the disaggregated replay behind each system (its phase timestamps for the CSV), or an
 *                       empty list when every replay ran on one system
 */
public record ServeReport(String model, List<SystemJson> systems, List<String> labels, List<ServingResult> results,
                          List<DisaggregatedResult> disaggregated) implements Report {
    public ServeReport {
        systems = List.copyOf(systems);
        labels = List.copyOf(labels);
        results = List.copyOf(results);
        disaggregated = List.copyOf(disaggregated);
        if (!disaggregated.isEmpty() && disaggregated.size() != results.size()) {
            throw new IllegalArgumentException(disaggregated.size() + " disaggregated replays for " + results.size()
                    + " systems");
        }
    }

    /** The report of replays on one system each. */
    public ServeReport(String model, List<SystemJson> systems, List<String> labels, List<ServingResult> results) {
        this(model, systems, labels, results, List.of());
    }

    @Override
    public String text() {
        return text(model, systems);
    }

    @Override
    public Object json() {
        return systems.size() == 1 ? systems.get(0)
                : new ComparisonJson(systems.get(0).wafersimVersion(), systems.get(0).summary().workload(), systems);
    }

    @Override
    public Table table() {
        return requests(labels, results, disaggregated);
    }

    /**
     * One system's serve result as JSON: the summary's properties at the top level, then the goodput
     * (with {@code --goodput}), the effective parameters and their hash.
     *
     * @param wafersimVersion the build
     * @param systemKind      {@code gpu} or {@code wafer}
     * @param summary         the replay's summary
     * @param energyJoulesPerToken    energy of the machine over the replay per output token, J
     * @param costUsdPerMillionTokens the machine's price over the replay per million output tokens, USD
     * @param energy                  energy and cost in full ({@code workloads.energy.PowerModel})
     * @param goodput         the goodput search, or null
     * @param disaggregated   the phases, the KV link and each side of a disaggregated replay, or null
     * @param config          every effective parameter (key to value), in schema order
     * @param configHash      SHA-256 of the effective parameters
     * @param wallSeconds     wall time of the replay (and the search), s
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"wafersimVersion", "systemKind", "summary",
        "energyJoulesPerToken", "costUsdPerMillionTokens", "energy", "goodput", "disaggregated", "config", "configHash",
        "wallSeconds"})
    public record SystemJson(String wafersimVersion, String systemKind, @JsonUnwrapped ServingSummary summary,
                             double energyJoulesPerToken, double costUsdPerMillionTokens, EnergyCost energy,
                             GoodputSearch.Goodput goodput, DisaggregatedSummary disaggregated,
                             Map<String, Object> config, String configHash, double wallSeconds) {
        /** A system's JSON with its energy and cost. */
        public SystemJson(String wafersimVersion, String systemKind, ServingSummary summary, EnergyCost energy,
                          GoodputSearch.Goodput goodput, Map<String, Object> config, String configHash,
                          double wallSeconds) {
            this(wafersimVersion, systemKind, summary, energy.energyJoulesPerToken(), energy.costUsdPerMillionTokens(),
                    energy, goodput, null, config, configHash, wallSeconds);
        }

    }

    /** Several systems on the same requests ({@code serve --systems}). */
    public record ComparisonJson(String wafersimVersion, String workload, List<SystemJson> systems) {
    }

    /** The effective parameters as a key-to-value map, in schema order. */
    public static Map<String, Object> config(ParamSet p) {
        return p.asMap();
    }

    /**
     * The per-request CSV header, units in the names: {@code arrival_s} is when the client sent the request (the
     * trace's arrival, or for a session's later turn the previous answer's receipt plus the think time);
     * {@code queued_s} to {@code max_tbt_s} are at the server; the {@code client_*} columns at the client (equal
     * to the server's without a client path); {@code previous} is the turn a request follows in its session.
     */
    public static final List<String> CSV_HEADER = List.of("system", "id", "status", "arrival_s", "prompt_tokens", "output_tokens",
            "queued_s", "first_scheduled_s", "first_token_s", "completion_s", "preemptions", "ttft_s", "tpot_s", "e2e_s",
            "max_tbt_s", "previous", "client_first_token_s", "client_completion_s", "client_ttft_s", "client_tpot_s",
            "client_e2e_s", "client_max_tbt_s", "round_trip_overhead_s");

    /**
     * The columns a disaggregated replay adds ({@code serve --prefill --decode}), times in s:
     * the first prefill chunk's start, the last chunk's end (the first token), the KV transfer's start on the link
     * and its arrival at the decode side, the first decode pass's start, and the bytes of KV that crossed.
     */
    public static final List<String> CSV_DISAGGREGATED = List.of("prefill_start_s", "prefill_end_s",
            "kv_transfer_start_s", "kv_transfer_end_s", "decode_start_s", "kv_bytes");

    /** One row per request of each system, in request order: the lifecycle timestamps and the metrics. */
    static Table requests(List<String> labels, List<ServingResult> results) {
        return requests(labels, results, List.of());
    }

    /** The same, with the phase columns of disaggregated replays when {@code disaggregated} is not empty. */
    static Table requests(List<String> labels, List<ServingResult> results, List<DisaggregatedResult> disaggregated) {
        Table.Builder b = Table.builder();
        for (String c : CSV_HEADER) {
            b.text(c);
        }
        boolean phases = !disaggregated.isEmpty();
        if (phases) {
            for (String c : CSV_DISAGGREGATED) {
                b.text(c);
            }
        }
        Table t = b.build();
        List<String> row = new ArrayList<>(CSV_HEADER.size() + CSV_DISAGGREGATED.size());
        for (int s = 0; s < results.size(); s++) {
            ServingResult r = results.get(s);
            for (int i = 0; i < r.requests(); i++) {
                row.clear();
                row.add(labels.get(s));
                row.add(Integer.toString(i));
                row.add(status(r.rejection(i)));
                row.add(seconds(r.arrivalPs(i)));
                row.add(Integer.toString(r.trace().promptTokens(i)));
                row.add(Integer.toString(r.trace().outputTokens(i)));
                row.add(seconds(r.queuedPs(i)));
                row.add(seconds(r.firstScheduledPs(i)));
                row.add(seconds(r.firstTokenPs(i)));
                row.add(seconds(r.completionPs(i)));
                row.add(Integer.toString(r.preemptions(i)));
                row.add(seconds(r.ttftPs(i)));
                double tpot = r.tpotPs(i);
                row.add(Double.isNaN(tpot) ? "" : seconds(Math.round(tpot)));
                row.add(seconds(r.e2ePs(i)));
                row.add(r.completed(i) ? seconds(r.maxGapPs(i)) : "");
                row.add(r.trace().previous(i) < 0 ? "" : Integer.toString(r.trace().previous(i)));
                row.add(r.completed(i) ? seconds(r.clientFirstTokenPs(i)) : "");
                row.add(seconds(r.clientCompletionPs(i)));
                row.add(seconds(r.clientTtftPs(i)));
                double ctpot = r.clientTpotPs(i);
                row.add(Double.isNaN(ctpot) ? "" : seconds(Math.round(ctpot)));
                row.add(seconds(r.clientE2ePs(i)));
                row.add(r.completed(i) ? seconds(r.clientMaxGapPs(i)) : "");
                row.add(r.completed(i) ? seconds(r.roundTripOverheadPs(i)) : "");
                if (phases) {
                    DisaggregatedResult d = disaggregated.get(s);
                    row.add(seconds(d.prefillStartPs(i)));
                    row.add(seconds(d.prefillEndPs(i)));
                    row.add(seconds(d.kvStartPs(i)));
                    row.add(seconds(d.kvEndPs(i)));
                    row.add(seconds(d.decodeStartPs(i)));
                    row.add(d.kvStartPs(i) < 0 ? "" : Long.toString(d.kvBytes(i)));
                }
                t.row(row.toArray());
            }
        }
        return t;
    }

    private static String status(byte rejection) {
        return switch (rejection) {
            case ServingResult.NOT_REJECTED -> "completed";
            case ServingResult.REJECTED_MAX_MODEL_LEN -> "rejected-max-model-len";
            case ServingResult.REJECTED_KV_CAPACITY -> "rejected-kv-capacity";
            case ServingResult.REJECTED_SESSION_ENDED -> "rejected-session-ended";
            default -> throw new IllegalArgumentException("rejection " + rejection);
        };
    }

    /** {@code ps} as seconds with 12 decimals (exact); empty for a negative (absent) time. */
    public static String seconds(long ps) {
        if (ps < 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%d.%012d", ps / 1_000_000_000_000L, ps % 1_000_000_000_000L);
    }

    /** The terminal table: one column per system, a row per metric, then each machine and the goodput. */
    public static String text(String model, List<SystemJson> systems) {
        StringBuilder sb = new StringBuilder();
        ServingSummary first = systems.get(0).summary();
        sb.append("serve ").append(model).append(": ").append(first.workload()).append('\n');
        if (first.slo() != null) {
            sb.append("SLO ").append(first.slo()).append('\n');
        }
        sb.append('\n');
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>();
        head.add("metric");
        for (SystemJson s : systems) {
            head.add(s.summary().system());
        }
        rows.add(head.toArray(new String[0]));
        row(rows, systems, "requests", s -> Integer.toString(s.requests()));
        row(rows, systems, "completed", s -> Integer.toString(s.completedRequests()));
        row(rows, systems, "rejected", s -> Integer.toString(s.rejectedRequests()));
        row(rows, systems, "duration s", s -> fmt(s.durationSeconds(), 3));
        row(rows, systems, "output tokens/s", s -> fmt(s.outputTokensPerSecond(), 1));
        row(rows, systems, "requests/s", s -> fmt(s.requestsPerSecond(), 3));
        distribution(rows, systems, "TTFT ms", ServingSummary::ttftMs);
        distribution(rows, systems, "TPOT ms", ServingSummary::tpotMs);
        distribution(rows, systems, "TBT ms", ServingSummary::tbtMs);
        distribution(rows, systems, "E2E ms", ServingSummary::e2eMs);
        boolean anyClient = systems.stream().anyMatch(j -> j.summary().client() != null);
        if (anyClient) {
            row(rows, systems, "client path", s -> s.client() == null ? "none" : s.client().path());
            distribution(rows, systems, "client TTFT ms", s -> s.client() == null ? s.ttftMs() : s.client().ttftMs());
            distribution(rows, systems, "client TPOT ms", s -> s.client() == null ? s.tpotMs() : s.client().tpotMs());
            distribution(rows, systems, "client TBT ms", s -> s.client() == null ? s.tbtMs() : s.client().tbtMs());
            distribution(rows, systems, "client E2E ms", s -> s.client() == null ? s.e2eMs() : s.client().e2eMs());
            row(rows, systems, "round trip overhead ms mean", s -> s.client() == null ? fmt(0, 3)
                    : dist(s.client().roundTripOverheadMs(), Distribution::mean));
            row(rows, systems, "round trip overhead ms p99", s -> s.client() == null ? fmt(0, 3)
                    : dist(s.client().roundTripOverheadMs(), Distribution::p99));
            row(rows, systems, "token delay ms mean", s -> fmt(s.client() == null ? 0 : s.client().meanTokenDelayMs(), 3));
            row(rows, systems, "per-token overhead us", s -> fmt(s.client() == null ? 0
                    : 1000 * s.client().perTokenOverheadMs(), 1));
            row(rows, systems, "front-end busy %", s -> fmt(s.client() == null ? 0
                    : 100 * s.client().frontendUtilization(), 1));
        }
        if (systems.stream().anyMatch(j -> j.summary().prefixCache() != null)) {
            row(rows, systems, "prefix shared tokens", s -> s.prefixCache() == null ? "-"
                    : Long.toString(s.prefixCache().sharedTokens()));
            row(rows, systems, "prefix cache hit %", s -> s.prefixCache() == null ? "-"
                    : fmt(100 * s.prefixCache().hitShare(), 1));
            row(rows, systems, "cached blocks mean", s -> s.prefixCache() == null ? "-"
                    : fmt(s.prefixCache().meanCachedBlocks(), 1));
            row(rows, systems, "cached share of KV %", s -> s.prefixCache() == null ? "-"
                    : fmt(100 * s.prefixCache().meanCachedShare(), 2));
            row(rows, systems, "evicted blocks", s -> s.prefixCache() == null ? "-"
                    : Long.toString(s.prefixCache().evictedBlocks()));
        }
        if (systems.stream().anyMatch(j -> j.summary().speculative() != null)) {
            row(rows, systems, "tokens/verify step", s -> s.speculative() == null ? "-"
                    : fmt(s.speculative().tokensPerVerifyStep(), 3));
            row(rows, systems, "closed form", s -> s.speculative() == null ? "-"
                    : fmt(s.speculative().expectedTokensPerVerifyStep(), 3));
            row(rows, systems, "effective tok/s/user", s -> s.speculative() == null ? "-"
                    : fmt(s.speculative().effectiveTokensPerSecondPerUser(), 1));
            row(rows, systems, "draft ms/verify step", s -> s.speculative() == null ? "-"
                    : fmt(s.speculative().draftMsPerVerifyStep(), 3));
            row(rows, systems, "verify ms/step", s -> s.speculative() == null ? "-"
                    : fmt(s.speculative().verifyMsPerStep(), 3));
            row(rows, systems, "draft share %", s -> s.speculative() == null ? "-"
                    : fmt(100 * s.speculative().draftShare(), 1));
        }
        row(rows, systems, "queueing ms mean", s -> dist(s.schedulingDelayMs(), Distribution::mean));
        row(rows, systems, "queueing ms p99", s -> dist(s.schedulingDelayMs(), Distribution::p99));
        row(rows, systems, "preemptions", s -> Long.toString(s.preemptions()));
        row(rows, systems, "passes", s -> Long.toString(s.passes()));
        row(rows, systems, "mean in system", s -> fmt(s.meanRequestsInSystem(), 2));
        row(rows, systems, "machine busy %", s -> fmt(100 * s.busyShare(), 1));
        rowJson(rows, systems, "energy J/token", s -> fmt(s.energyJoulesPerToken(), 4));
        rowJson(rows, systems, "cost $/M tokens", s -> fmt(s.costUsdPerMillionTokens(), 3));
        if (first.slo() != null) {
            row(rows, systems, "SLO attained %", s -> fmt(100 * s.sloAttainment(), 1));
        }
        int[] w = new int[head.size()];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + w[0] + "s", r[0]));
            for (int i = 1; i < r.length; i++) {
                line.append("  ").append(String.format(Locale.ROOT, "%" + w[i] + "s", r[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        sb.append("\nmachines\n");
        for (SystemJson s : systems) {
            ServingSummary m = s.summary();
            sb.append(String.format(Locale.ROOT, "  %s: %s%n", m.system(), m.machine()));
            sb.append(String.format(Locale.ROOT, "    KV cache %,d tokens (%,d blocks of %d); %s scheduler; %d pass(es) in"
                    + " flight; %s%n", m.kvCapacityTokens(), m.kvBlocks(), m.kvBlockTokens(), m.scheduler(),
                    m.maxPassesInFlight(), m.stepTimes()));
        }
        for (SystemJson s : systems) {
            if (s.disaggregated() != null) {
                disaggregated(sb, s.summary().system(), s.disaggregated());
            }
        }
        for (SystemJson s : systems) {
            GoodputSearch.Goodput g = s.goodput();
            if (g == null) {
                continue;
            }
            String unit = "gpu".equals(s.systemKind()) ? "GPU" : "wafer".equals(s.systemKind()) ? "wafer" : "device";
            sb.append(String.format(Locale.ROOT, "goodput %s: %s req/s (%s req/s per %s, %d %s%s) with %.0f%% of requests"
                            + " meeting %s; %d replays%s%s%n", g.system(), fmt(g.requestsPerSecond(), 3),
                    fmt(g.perDevice(), 3), unit, g.devices(), unit, g.devices() == 1 ? "" : "s", 100 * g.level(), g.slo(),
                    g.probes().size(),
                    g.unbounded() ? " (still met at the highest rate tried)" : "",
                    g.energyJoulesPerToken() == null ? "" : String.format(Locale.ROOT,
                            "; at that rate %.4g J/token, $%.4g per million tokens", g.energyJoulesPerToken(),
                            g.costUsdPerMillionTokens())));
        }
        for (SystemJson s : systems) {
            ServingSummary.SpeculativeSummary sp = s.summary().speculative();
            if (sp != null) {
                sb.append(String.format(Locale.ROOT, "speculative %s: draft %s, k=%d, acceptance=%s, placement %s;"
                                + " tokens/verify step = accepted drafts + 1 (closed form (1 - A^(K+1)) / (1 - A) for a"
                                + " constant A); draft cost at the mean verify pass%n", s.summary().system(), sp.draft(),
                        sp.k(), sp.acceptance(), sp.placement()));
            }
        }
        sb.append("TTFT and TBT are at the server: a token counts when the pass computing it ends.\n");
        if (systems.stream().anyMatch(j -> j.disaggregated() != null)) {
            sb.append("disaggregated: the prefill system computes the first token (TTFT ends with the last prompt chunk,"
                    + " as in DistServe and Splitwise); the KV transfer and the decode queue fall in the gap to the second"
                    + " token (TBT, TPOT); energy and cost are both systems' over the whole replay.\n");
        }
        if (anyClient) {
            sb.append("client rows are at the client: from sending the request to receiving each token over the client"
                    + " path; round trip overhead = client TTFT - server TTFT; per-token overhead = token delay - RTT/2.\n");
        }
        return sb.toString();
    }

    /** A disaggregated replay's sides, its KV link and a line per phase (mean, p50, p90, p99, max in ms). */
    private static void disaggregated(StringBuilder sb, String label, DisaggregatedSummary d) {
        sb.append(String.format(Locale.ROOT, "disaggregated %s%n", label));
        for (DisaggregatedSummary.SideSummary side : List.of(d.prefill(), d.decode())) {
            sb.append(String.format(Locale.ROOT, "  %-7s %s: %s; KV cache %,d tokens; %,d passes; busy %.1f%%; %s J,"
                            + " %s W mean%n", side == d.prefill() ? "prefill" : "decode", side.system(), side.machine(),
                    side.kvCapacityTokens(), side.passes(), 100 * side.busyShare(), fmt(side.energyJoules(), 1),
                    fmt(side.averagePowerW(), 1)));
        }
        DisaggregatedSummary.Link l = d.link();
        sb.append(String.format(Locale.ROOT, "  KV link %s Gb/s (%s), latency %s us, overlap %s, %s: %,d transfers,"
                        + " %s GB, %s MB each, busy %.1f%%, at most %d in flight%n", fmt(l.bandwidthGbps(), 1),
                l.bandwidthFrom(), fmt(l.latencyUs(), 1), fmt(l.overlapFraction(), 2), l.sharing(), l.transfers(),
                fmt(l.gigabytes(), 3), fmt(l.meanMegabytesPerTransfer(), 2), 100 * l.busyShare(),
                l.maxTransfersInFlight()));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"  phase ms", "mean", "p50", "p90", "p99", "max"});
        DisaggregatedSummary.Phases p = d.phases();
        Distribution[] all = {p.prefillQueueMs(), p.prefillMs(), p.kvTransferMs(), p.decodeQueueMs(), p.decodeMs()};
        for (DisaggregatedResult.Phase ph : DisaggregatedResult.Phase.values()) {
            Distribution x = all[ph.ordinal()];
            rows.add(new String[] {"  " + ph.words(), dist(x, Distribution::mean), dist(x, Distribution::p50),
                dist(x, Distribution::p90), dist(x, Distribution::p99), dist(x, Distribution::max)});
        }
        int[] w = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + w[0] + "s", r[0]));
            for (int i = 1; i < r.length; i++) {
                line.append("  ").append(String.format(Locale.ROOT, "%" + w[i] + "s", r[i]));
            }
            sb.append(line).append('\n');
        }
    }

    private static void distribution(List<String[]> rows, List<SystemJson> systems, String name,
                                     Function<ServingSummary, Distribution> d) {
        row(rows, systems, name + " mean", s -> dist(d.apply(s), Distribution::mean));
        row(rows, systems, name + " p50", s -> dist(d.apply(s), Distribution::p50));
        row(rows, systems, name + " p90", s -> dist(d.apply(s), Distribution::p90));
        row(rows, systems, name + " p99", s -> dist(d.apply(s), Distribution::p99));
        row(rows, systems, name + " max", s -> dist(d.apply(s), Distribution::max));
    }

    private static String dist(Distribution d, java.util.function.ToDoubleFunction<Distribution> f) {
        return d == null ? "-" : fmt(f.applyAsDouble(d), 3);
    }

    private static void row(List<String[]> rows, List<SystemJson> systems, String name,
                            Function<ServingSummary, String> value) {
        String[] r = new String[systems.size() + 1];
        r[0] = name;
        for (int i = 0; i < systems.size(); i++) {
            r[i + 1] = value.apply(systems.get(i).summary());
        }
        rows.add(r);
    }

    private static void rowJson(List<String[]> rows, List<SystemJson> systems, String name,
                                Function<SystemJson, String> value) {
        String[] r = new String[systems.size() + 1];
        r[0] = name;
        for (int i = 0; i < systems.size(); i++) {
            r[i + 1] = value.apply(systems.get(i));
        }
        rows.add(r);
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
