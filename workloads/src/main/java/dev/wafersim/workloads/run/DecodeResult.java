package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.core.time.Ticks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a decode run, the same for every kind of machine: the latency of each generated token,
 * where that time went, what the run kept in memory, machine-specific figures, and the configuration
 * that produced it.
 *
 * <p>Contract: every token's latency is a whole number of picoseconds; the breakdown totals (ps, summed
 * over all tokens, one per {@link LatencyCategory}) sum exactly to the sum of the token latencies, so
 * the mean breakdown in ms sums to the mean per-token latency. {@link Builder#build()} checks both.
 *
 * <p>Derived figures: mean; p50 and p99 from an HdrHistogram of the token latencies (4 significant
 * digits from 1 ns up, so within 0.01%; the middle of the percentile's bucket, clamped to the recorded
 * minimum and maximum); tokens per second per user
 * {@code 1000 / mean ms} (each sequence of the batch gets one token per step) and in total
 * {@code batch x} that.
 *
 * <p>JSON: Jackson serializes the result from the accessors marked {@link JsonProperty} (times in ms, keys
 * ending in {@code Ms}; rates in tokens per second), with the machine's {@link MachineDetails} unwrapped
 * at the top level; {@link ResultFile} adds the version and the experiment around it.
 */
@JsonAutoDetect(getterVisibility = Visibility.NONE, isGetterVisibility = Visibility.NONE,
        fieldVisibility = Visibility.NONE)
@JsonPropertyOrder({"system", "systemKind", "model", "precision", "batch", "contextTokens", "tokens", "machine",
    "perTokenLatencyMs", "p50Ms", "p99Ms", "minMs", "maxMs", "tokensPerSecond", "tokensPerSecondTotal",
    "breakdownMs", "tokenLatenciesMs", "memory", "energyJoulesPerToken", "costUsdPerMillionTokens", "energy",
    "details", "notes", "config", "configHash", "wallSeconds"})
public final class DecodeResult {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Finest latency the histogram tells apart, ps (1 ns). */
    private static final long HISTOGRAM_LOWEST_PS = 1_000;
    /** Significant decimal digits the histogram keeps: percentiles within 0.01%. */
    private static final int HISTOGRAM_DIGITS = 4;

    private final String system;
    private final SystemKind kind;
    private final String model;
    private final String precision;
    private final int batch;
    private final long contextTokens;
    private final long[] tokenLatencyPs;
    private final long[] breakdownTotalPs;
    private final String machine;
    private final MemoryUse memory;
    private final MachineDetails details;
    private final DeviceActivity activity;
    private final EnergyCost energy;
    private final List<String> notes;
    private final ObjectNode config;
    private final String configHash;
    private final double wallSeconds;

    private final long sumPs;
    private final long p50Ps;
    private final long p99Ps;
    private final long minPs;
    private final long maxPs;

    private DecodeResult(Builder b, double wallSeconds) {
        this.system = b.system;
        this.kind = b.kind;
        this.model = b.model;
        this.precision = b.precision;
        this.batch = b.batch;
        this.contextTokens = b.contextTokens;
        this.tokenLatencyPs = b.tokenLatencyPs.clone();
        this.breakdownTotalPs = b.breakdownTotalPs.clone();
        this.machine = b.machine;
        this.memory = b.memory;
        this.details = b.details;
        this.activity = b.activity;
        this.energy = b.energy;
        this.notes = List.copyOf(b.notes);
        this.config = b.config.deepCopy();
        this.configHash = b.configHash;
        this.wallSeconds = wallSeconds;

        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        Histogram h = new Histogram(HISTOGRAM_LOWEST_PS, 2 * HISTOGRAM_LOWEST_PS, HISTOGRAM_DIGITS);
        h.setAutoResize(true);
        for (long ps : tokenLatencyPs) {
            sum = Math.addExact(sum, ps);
            min = Math.min(min, ps);
            max = Math.max(max, ps);
            h.recordValue(ps);
        }
        this.sumPs = sum;
        this.minPs = min;
        this.maxPs = max;
        this.p50Ps = clamp(h.medianEquivalentValue(h.getValueAtPercentile(50)), min, max);
        this.p99Ps = clamp(h.medianEquivalentValue(h.getValueAtPercentile(99)), min, max);
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }

    /** A builder with the request's identity, workload and configuration filled in. */
    public static Builder builder(DecodeRequest request, SystemKind kind) {
        return new Builder(request, kind);
    }

    /** The same result with the wall time of the simulation, in seconds. */
    public DecodeResult withWallSeconds(double seconds) {
        Builder b = new Builder(this);
        return new DecodeResult(b, seconds);
    }

    // ---- identity ----

    /** The system name. */
    @JsonProperty("system")
    public String system() {
        return system;
    }

    /** The system's kind. */
    public SystemKind kind() {
        return kind;
    }

    @JsonProperty("systemKind")
    private String kindWord() {
        return kind.word();
    }

    /** The model name. */
    @JsonProperty("model")
    public String model() {
        return model;
    }

    /** The precision label (e.g. {@code bf16/kv=bf16}). */
    @JsonProperty("precision")
    public String precision() {
        return precision;
    }

    /** Sequences decoded together. */
    @JsonProperty("batch")
    public int batch() {
        return batch;
    }

    /** Tokens per sequence in the KV cache when generation started. */
    @JsonProperty("contextTokens")
    public long contextTokens() {
        return contextTokens;
    }

    /** Tokens generated per sequence (decode steps). */
    @JsonProperty("tokens")
    public int tokens() {
        return tokenLatencyPs.length;
    }

    /** One line describing the machine and the layout (e.g. {@code 8 x h100-sxm, tp 8, pp 1, ...}). */
    @JsonProperty("machine")
    public String machine() {
        return machine;
    }

    /** What the run kept in its limiting memory. */
    @JsonProperty("memory")
    public MemoryUse memory() {
        return memory;
    }

    /** The machine's own figures (GPU layout, wafer mapping), unwrapped at the top level of the JSON. */
    @JsonProperty("details")
    @JsonUnwrapped
    public MachineDetails details() {
        return details;
    }

    /** The details as the type of the machine that produced them. */
    public <T extends MachineDetails> T details(Class<T> type) {
        if (!type.isInstance(details)) {
            throw new IllegalStateException("a " + kind.word() + " result has no " + type.getSimpleName());
        }
        return type.cast(details);
    }

    /** How the machine's devices spent the run, by power state. */
    public DeviceActivity activity() {
        return activity;
    }

    /** Energy and cost of the run; null until {@link #withEnergy} gave them (the catalog does). */
    @JsonProperty("energy")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public EnergyCost energy() {
        return energy;
    }

    @JsonProperty("energyJoulesPerToken")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    private Double energyJoulesPerToken() {
        return energy == null ? null : energy.energyJoulesPerToken();
    }

    @JsonProperty("costUsdPerMillionTokens")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    private Double costUsdPerMillionTokens() {
        return energy == null ? null : energy.costUsdPerMillionTokens();
    }

    /** The same result with its energy and cost. */
    public DecodeResult withEnergy(EnergyCost e) {
        Builder b = new Builder(this);
        b.energy = java.util.Objects.requireNonNull(e, "energy");
        return new DecodeResult(b, wallSeconds);
    }

    /** Notes for the reader (choices the simulator made, approximations applied). */
    @JsonProperty("notes")
    public List<String> notes() {
        return notes;
    }

    /** The effective configuration, key to value (a copy). */
    @JsonProperty("config")
    public ObjectNode config() {
        return config.deepCopy();
    }

    /** SHA-256 of the effective configuration. */
    @JsonProperty("configHash")
    public String configHash() {
        return configHash;
    }

    /** Wall time of the simulation, seconds (0 when not measured). */
    @JsonProperty("wallSeconds")
    public double wallSeconds() {
        return wallSeconds;
    }

    // ---- latencies ----

    /** Latency of generated token {@code t} (0-based), ps. */
    public long tokenLatencyPs(int t) {
        return tokenLatencyPs[t];
    }

    /** All token latencies, ps (a copy). */
    public long[] tokenLatenciesPs() {
        return tokenLatencyPs.clone();
    }

    @JsonProperty("tokenLatenciesMs")
    private double[] tokenLatenciesMs() {
        double[] ms = new double[tokenLatencyPs.length];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = Ticks.toMillis(tokenLatencyPs[i]);
        }
        return ms;
    }

    /** Sum of all token latencies, ps: the simulated time of the whole generation. */
    public long totalPs() {
        return sumPs;
    }

    /** Mean per-token latency, ms. */
    @JsonProperty("perTokenLatencyMs")
    public double meanMs() {
        return Ticks.toMillis(sumPs) / tokenLatencyPs.length;
    }

    /** Median per-token latency from the histogram, ms. */
    @JsonProperty("p50Ms")
    public double p50Ms() {
        return Ticks.toMillis(p50Ps);
    }

    /** 99th-percentile per-token latency from the histogram, ms. */
    @JsonProperty("p99Ms")
    public double p99Ms() {
        return Ticks.toMillis(p99Ps);
    }

    /** Fastest token, ms. */
    @JsonProperty("minMs")
    public double minMs() {
        return Ticks.toMillis(minPs);
    }

    /** Slowest token, ms. */
    @JsonProperty("maxMs")
    public double maxMs() {
        return Ticks.toMillis(maxPs);
    }

    /** Tokens per second each sequence (user) receives: {@code 1000 / meanMs}. */
    @JsonProperty("tokensPerSecond")
    public double tokensPerSecond() {
        return 1000.0 / meanMs();
    }

    /** Tokens per second over the whole batch: {@code batch x tokensPerSecond}. */
    @JsonProperty("tokensPerSecondTotal")
    public double tokensPerSecondTotal() {
        return batch * tokensPerSecond();
    }

    /** Time booked to {@code category}, summed over all tokens, ps. */
    public long breakdownTotalPs(LatencyCategory category) {
        return breakdownTotalPs[category.ordinal()];
    }

    /** Mean time per token booked to {@code category}, ms; the categories sum to {@link #meanMs()}. */
    public double breakdownMs(LatencyCategory category) {
        return Ticks.toMillis(breakdownTotalPs[category.ordinal()]) / tokenLatencyPs.length;
    }

    /** The mean breakdown of the categories of this kind of machine, ms per token, in category order. */
    @JsonProperty("breakdownMs")
    public Map<String, Double> breakdownMsByKey() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (LatencyCategory c : LatencyCategory.values()) {
            if (c.appliesTo(kind)) {
                m.put(c.key(), breakdownMs(c));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    // ---- JSON ----

    /**
     * The result as a JSON tree (the {@code run --json} file without the experiment): see
     * {@link ResultFile}.
     *
     * @param wafersimVersion the version of the program that produced it
     */
    public ObjectNode toJson(String wafersimVersion) {
        return MAPPER.valueToTree(new ResultFile(wafersimVersion, this, null, null, null, null));
    }

    /** Collects a result; {@link #build()} checks the contract. */
    public static final class Builder {
        private final String system;
        private final SystemKind kind;
        private final String model;
        private final String precision;
        private final int batch;
        private final long contextTokens;
        private final int expectedTokens;
        private final ObjectNode config;
        private final String configHash;
        private long[] tokenLatencyPs;
        private final long[] breakdownTotalPs = new long[LatencyCategory.values().length];
        private String machine;
        private MemoryUse memory;
        private MachineDetails details;
        private DeviceActivity activity;
        private EnergyCost energy;
        private final List<String> notes = new ArrayList<>();

        private Builder(DecodeRequest r, SystemKind kind) {
            Objects.requireNonNull(r, "request");
            this.system = r.system();
            this.kind = Objects.requireNonNull(kind, "kind");
            this.model = r.model().name();
            this.precision = r.workload().precision().label();
            this.batch = r.workload().batchSize();
            this.contextTokens = r.workload().contextTokens();
            this.expectedTokens = r.workload().tokensToGenerate();
            this.config = r.params().toJson();
            this.configHash = r.params().hash();
        }

        private Builder(DecodeResult d) {
            this.system = d.system;
            this.kind = d.kind;
            this.model = d.model;
            this.precision = d.precision;
            this.batch = d.batch;
            this.contextTokens = d.contextTokens;
            this.expectedTokens = d.tokenLatencyPs.length;
            this.config = d.config;
            this.configHash = d.configHash;
            this.tokenLatencyPs = d.tokenLatencyPs;
            System.arraycopy(d.breakdownTotalPs, 0, breakdownTotalPs, 0, breakdownTotalPs.length);
            this.machine = d.machine;
            this.memory = d.memory;
            this.details = d.details;
            this.activity = d.activity;
            this.energy = d.energy;
            this.notes.addAll(d.notes);
        }

        /** The latency of every generated token in order, ps; one entry per token of the workload. */
        public Builder tokenLatenciesPs(long[] ps) {
            if (ps.length != expectedTokens) {
                throw new IllegalArgumentException("expected " + expectedTokens + " token latencies, got " + ps.length);
            }
            for (long v : ps) {
                if (v <= 0) {
                    throw new IllegalArgumentException("token latencies must be positive, got " + v + " ps");
                }
            }
            this.tokenLatencyPs = ps.clone();
            return this;
        }

        /** Adds {@code ps} (summed over tokens) to a category. */
        public Builder addBreakdownPs(LatencyCategory category, long ps) {
            if (ps < 0) {
                throw new IllegalArgumentException(category.key() + ": negative time " + ps + " ps");
            }
            breakdownTotalPs[category.ordinal()] = Math.addExact(breakdownTotalPs[category.ordinal()], ps);
            return this;
        }

        /** One line describing the machine and layout. */
        public Builder machine(String line) {
            this.machine = Objects.requireNonNull(line, "machine");
            return this;
        }

        /** The memory the run keeps. */
        public Builder memory(MemoryUse use) {
            this.memory = Objects.requireNonNull(use, "memory");
            return this;
        }

        /** The machine's own figures; their kind must be the result's. */
        public Builder details(MachineDetails d) {
            Objects.requireNonNull(d, "details");
            if (d.kind() != kind) {
                throw new IllegalArgumentException(d.kind().word() + " details for a " + kind.word() + " result");
            }
            this.details = d;
            return this;
        }

        /** How the devices spent the run (device time per power state, over the whole run). */
        public Builder activity(DeviceActivity a) {
            this.activity = Objects.requireNonNull(a, "activity");
            return this;
        }

        /** A note for the reader. */
        public Builder note(String text) {
            notes.add(Objects.requireNonNull(text, "note"));
            return this;
        }

        /**
         * The result.
         *
         * @throws IllegalStateException when a part is missing or the breakdown does not sum to the
         *                               token latencies
         */
        public DecodeResult build() {
            if (tokenLatencyPs == null || machine == null || memory == null || details == null || activity == null) {
                throw new IllegalStateException("a result needs token latencies, a machine line, memory use, the"
                        + " machine's details and its devices' activity");
            }
            long sum = 0;
            for (long v : tokenLatencyPs) {
                sum = Math.addExact(sum, v);
            }
            long booked = 0;
            for (long v : breakdownTotalPs) {
                booked = Math.addExact(booked, v);
            }
            if (booked != sum) {
                throw new IllegalStateException("the breakdown sums to " + booked + " ps but the token latencies to "
                        + sum + " ps");
            }
            if (activity.runPs() != sum) {
                throw new IllegalStateException("the devices' activity covers " + activity.runPs()
                        + " ps but the token latencies sum to " + sum + " ps");
            }
            return new DecodeResult(this, 0);
        }
    }
}
