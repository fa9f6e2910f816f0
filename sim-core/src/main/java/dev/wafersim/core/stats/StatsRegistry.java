package dev.wafersim.core.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * One registry of named statistics per run. Names are dotted paths of identifiers
 * ({@code fabric.router.waveletHops}); the last segment carries the unit where there is one
 * ({@code ...LatencyPs}, {@code ...Bytes}).
 *
 * <p>Hot counters stay plain {@code long} fields in their components: the registry holds a
 * {@link LongSupplier} that reads the field when the registry is dumped, so counting costs one
 * increment and nothing else. Distributions are HdrHistograms (allocation-free recording).
 */
public final class StatsRegistry {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_][A-Za-z0-9_-]*)*");

    private final Map<String, LongSupplier> counters = new TreeMap<>();
    private final Map<String, DoubleSupplier> gauges = new TreeMap<>();
    private final Map<String, Histogram> histograms = new TreeMap<>();

    /** Registers a counter read from {@code source} at dump time. */
    public void counter(String name, LongSupplier source) {
        checkNew(name);
        counters.put(name, Objects.requireNonNull(source));
    }

    /** Registers a floating-point gauge read from {@code source} at dump time. */
    public void gauge(String name, DoubleSupplier source) {
        checkNew(name);
        gauges.put(name, Objects.requireNonNull(source));
    }

    /**
     * Creates and registers a histogram of non-negative values up to {@code highestTrackable}, with
     * {@code significantDigits} (1..5) decimal digits of precision.
     */
    public Histogram histogram(String name, long highestTrackable, int significantDigits) {
        checkNew(name);
        Histogram h = new Histogram(1, Math.max(2, highestTrackable), significantDigits);
        histograms.put(name, h);
        return h;
    }

    /** Registers an existing histogram. */
    public void histogram(String name, Histogram h) {
        checkNew(name);
        histograms.put(name, Objects.requireNonNull(h));
    }

    private void checkNew(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("statistic name '" + name + "' is not a dotted path of identifiers");
        }
        if (counters.containsKey(name) || gauges.containsKey(name) || histograms.containsKey(name)) {
            throw new IllegalArgumentException("statistic '" + name + "' is registered twice");
        }
    }

    /** Current value of a counter. */
    public long counterValue(String name) {
        LongSupplier s = counters.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no counter named '" + name + "'");
        }
        return s.getAsLong();
    }

    /** A registered histogram. */
    public Histogram histogramNamed(String name) {
        Histogram h = histograms.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no histogram named '" + name + "'");
        }
        return h;
    }

    /** All counter names, sorted. */
    public java.util.Set<String> counterNames() {
        return java.util.Collections.unmodifiableSet(counters.keySet());
    }

    /**
     * The registry as a flat JSON object sorted by name: counters as integers, gauges as numbers,
     * histograms as objects with {@code count, min, mean, p50, p90, p99, max}.
     */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        TreeMap<String, Object> all = new TreeMap<>();
        counters.forEach((k, v) -> all.put(k, v));
        gauges.forEach((k, v) -> all.put(k, v));
        histograms.forEach((k, v) -> all.put(k, v));
        for (Map.Entry<String, Object> e : all.entrySet()) {
            Object v = e.getValue();
            if (v instanceof LongSupplier ls) {
                root.put(e.getKey(), ls.getAsLong());
            } else if (v instanceof DoubleSupplier ds) {
                root.put(e.getKey(), ds.getAsDouble());
            } else {
                Histogram h = (Histogram) v;
                ObjectNode o = root.putObject(e.getKey());
                o.put("count", h.getTotalCount());
                o.put("min", h.getTotalCount() == 0 ? 0 : h.getMinValue());
                o.put("mean", h.getTotalCount() == 0 ? 0.0 : h.getMean());
                o.put("p50", h.getValueAtPercentile(50));
                o.put("p90", h.getValueAtPercentile(90));
                o.put("p99", h.getValueAtPercentile(99));
                o.put("max", h.getMaxValue());
            }
        }
        return root;
    }

    /** {@link #toJson()} as indented text. */
    public String toJsonString() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
