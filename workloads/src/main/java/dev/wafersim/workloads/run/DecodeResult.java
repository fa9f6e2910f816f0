package dev.wafersim.workloads.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.core.time.Ticks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 */
public final class DecodeResult {
    /** Top-level JSON keys the result writes itself; extras may not use them. */
    private static final Set<String> RESERVED = Set.of("wafersimVersion", "system", "systemKind", "model",
            "precision", "batch", "contextTokens", "tokens", "machine", "perTokenLatencyMs", "p50Ms", "p99Ms",
            "minMs", "maxMs", "tokensPerSecond", "tokensPerSecondTotal", "breakdownMs", "tokenLatenciesMs",
            "memory", "notes", "config", "configHash", "wallSeconds");

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
    private final Map<String, Object> extras;
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
        this.extras = Collections.unmodifiableMap(new LinkedHashMap<>(b.extras));
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
    public String system() {
        return system;
    }

    /** The system's kind. */
    public SystemKind kind() {
        return kind;
    }

    /** The model name. */
    public String model() {
        return model;
    }

    /** The precision label (e.g. {@code bf16/kv=bf16}). */
    public String precision() {
        return precision;
    }

    /** Sequences decoded together. */
    public int batch() {
        return batch;
    }

    /** Tokens per sequence in the KV cache when generation started. */
    public long contextTokens() {
        return contextTokens;
    }

    /** Tokens generated per sequence (decode steps). */
    public int tokens() {
        return tokenLatencyPs.length;
    }

    /** One line describing the machine and the layout (e.g. {@code 8 x h100-sxm, tp 8, pp 1, ...}). */
    public String machine() {
        return machine;
    }

    /** What the run kept in its limiting memory. */
    public MemoryUse memory() {
        return memory;
    }

    /** Machine-specific figures (Long, Double, String or Boolean values), in insertion order. */
    public Map<String, Object> extras() {
        return extras;
    }

    /** Notes for the reader (choices the simulator made, approximations applied). */
    public List<String> notes() {
        return notes;
    }

    /** The effective configuration, key to value (a copy). */
    public ObjectNode config() {
        return config.deepCopy();
    }

    /** SHA-256 of the effective configuration. */
    public String configHash() {
        return configHash;
    }

    /** Wall time of the simulation, seconds (0 when not measured). */
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

    /** Sum of all token latencies, ps: the simulated time of the whole generation. */
    public long totalPs() {
        return sumPs;
    }

    /** Mean per-token latency, ms. */
    public double meanMs() {
        return Ticks.toMillis(sumPs) / tokenLatencyPs.length;
    }

    /** Median per-token latency from the histogram, ms. */
    public double p50Ms() {
        return Ticks.toMillis(p50Ps);
    }

    /** 99th-percentile per-token latency from the histogram, ms. */
    public double p99Ms() {
        return Ticks.toMillis(p99Ps);
    }

    /** Fastest token, ms. */
    public double minMs() {
        return Ticks.toMillis(minPs);
    }

    /** Slowest token, ms. */
    public double maxMs() {
        return Ticks.toMillis(maxPs);
    }

    /** Tokens per second each sequence (user) receives: {@code 1000 / meanMs}. */
    public double tokensPerSecond() {
        return 1000.0 / meanMs();
    }

    /** Tokens per second over the whole batch: {@code batch x tokensPerSecond}. */
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

    // ---- JSON ----

    /**
     * The result as a JSON object. Times are in ms (keys end in {@code Ms}), rates in tokens per second;
     * extras appear at the top level under their own keys.
     *
     * @param wafersimVersion the version of the program that produced it
     */
    public ObjectNode toJson(String wafersimVersion) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("wafersimVersion", wafersimVersion);
        o.put("system", system);
        o.put("systemKind", kind.word());
        o.put("model", model);
        o.put("precision", precision);
        o.put("batch", batch);
        o.put("contextTokens", contextTokens);
        o.put("tokens", tokens());
        o.put("machine", machine);
        o.put("perTokenLatencyMs", meanMs());
        o.put("p50Ms", p50Ms());
        o.put("p99Ms", p99Ms());
        o.put("minMs", minMs());
        o.put("maxMs", maxMs());
        o.put("tokensPerSecond", tokensPerSecond());
        o.put("tokensPerSecondTotal", tokensPerSecondTotal());
        ObjectNode bd = o.putObject("breakdownMs");
        for (LatencyCategory c : LatencyCategory.values()) {
            if (c.appliesTo(kind)) {
                bd.put(c.key(), breakdownMs(c));
            }
        }
        ArrayNode lat = o.putArray("tokenLatenciesMs");
        for (long ps : tokenLatencyPs) {
            lat.add(Ticks.toMillis(ps));
        }
        ObjectNode mem = o.putObject("memory");
        mem.put("store", memory.store());
        mem.put("usedBytes", memory.usedBytes());
        mem.put("usableBytes", memory.usableBytes());
        for (Map.Entry<String, Long> e : memory.partsBytes().entrySet()) {
            mem.put(e.getKey() + "Bytes", e.getValue());
        }
        for (Map.Entry<String, Object> e : extras.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Long l) {
                o.put(e.getKey(), l);
            } else if (v instanceof Double d) {
                o.put(e.getKey(), d);
            } else if (v instanceof Boolean bo) {
                o.put(e.getKey(), bo);
            } else {
                o.put(e.getKey(), (String) v);
            }
        }
        ArrayNode n = o.putArray("notes");
        notes.forEach(n::add);
        o.set("config", config.deepCopy());
        o.put("configHash", configHash);
        o.put("wallSeconds", wallSeconds);
        return o;
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
        private final Map<String, Object> extras = new LinkedHashMap<>();
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
            this.extras.putAll(d.extras);
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

        /** A machine-specific integer figure (e.g. {@code gpus}, {@code hbmBytesUsedPerGpu}). */
        public Builder extra(String key, long value) {
            return putExtra(key, value);
        }

        /** A machine-specific real figure. */
        public Builder extra(String key, double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("extra " + key + " is not finite: " + value);
            }
            return putExtra(key, value);
        }

        /** A machine-specific text figure. */
        public Builder extra(String key, String value) {
            return putExtra(key, Objects.requireNonNull(value, key));
        }

        /** A machine-specific flag. */
        public Builder extra(String key, boolean value) {
            return putExtra(key, value);
        }

        private Builder putExtra(String key, Object value) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("extra key '" + key + "' is a key of the result itself");
            }
            if (extras.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("extra key '" + key + "' is set twice");
            }
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
            if (tokenLatencyPs == null || machine == null || memory == null) {
                throw new IllegalStateException("a result needs token latencies, a machine line and memory use");
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
            return new DecodeResult(this, 0);
        }
    }
}
