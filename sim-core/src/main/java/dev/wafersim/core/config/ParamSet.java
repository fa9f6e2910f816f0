package dev.wafersim.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable, validated assignment of a value to every parameter of a {@link ParamSchema}, with
 * where each value came from. Built from a preset ({@link PresetLoader}) and refined with
 * {@link #with} (experiment files and {@code --set}); each step returns a new set.
 */
public final class ParamSet {
    private final String name;
    private final ParamSchema schema;
    private final Map<String, ParamValue> values;

    ParamSet(String name, ParamSchema schema, Map<String, ParamValue> values) {
        this.name = Objects.requireNonNull(name);
        this.schema = schema;
        this.values = Collections.unmodifiableMap(values);
        for (String k : schema.keys()) {
            if (!values.containsKey(k)) {
                throw new ConfigException("preset " + name + ": parameter " + k + " has no value");
            }
        }
    }

    /** The preset's name (e.g. {@code wse3}). */
    public String name() {
        return name;
    }

    /** The schema the values follow. */
    public ParamSchema schema() {
        return schema;
    }

    /** The effective value of every parameter, in schema order. */
    public Map<String, ParamValue> values() {
        return values;
    }

    /**
     * The union of several parameter sets with disjoint keys (e.g. a hardware preset and a mapping
     * preset), named {@code name}.
     */
    public static ParamSet combine(String name, ParamSet... parts) {
        ParamSchema schema = null;
        Map<String, ParamValue> m = new LinkedHashMap<>();
        for (ParamSet part : parts) {
            schema = schema == null ? part.schema : schema.plus(part.schema);
            m.putAll(part.values);
        }
        if (schema == null) {
            throw new IllegalArgumentException("nothing to combine");
        }
        return new ParamSet(name, schema, m);
    }

    /** The parameters of this set whose keys start with {@code prefix}, as a set of their own. */
    public ParamSet subset(String prefix) {
        java.util.List<ParamSpec> specs = new java.util.ArrayList<>();
        Map<String, ParamValue> m = new LinkedHashMap<>();
        for (ParamSpec spec : schema.specs()) {
            if (spec.key().startsWith(prefix)) {
                specs.add(spec);
                m.put(spec.key(), values.get(spec.key()));
            }
        }
        return new ParamSet(name, ParamSchema.of(specs), m);
    }

    /** Returns a copy with {@code key} set from text, validated; {@code origin} names the source. */
    public ParamSet with(String key, String text, String origin) {
        ParamSpec spec = schema.spec(key, origin);
        return put(key, spec.parse(text, origin), origin);
    }

    /** Returns a copy with {@code key} set from a YAML/JSON value, validated. */
    public ParamSet withValue(String key, Object value, String origin) {
        ParamSpec spec = schema.spec(key, origin);
        return put(key, spec.coerce(value, origin), origin);
    }

    /** Returns a copy with every entry of {@code overrides} applied in order. */
    public ParamSet withAll(Map<String, ?> overrides, String origin) {
        ParamSet s = this;
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            s = s.withValue(e.getKey(), e.getValue(), origin);
        }
        return s;
    }

    private ParamSet put(String key, Object typed, String origin) {
        Map<String, ParamValue> m = new LinkedHashMap<>(values);
        ParamValue old = values.get(key);
        m.put(key, new ParamValue(typed, origin, old.confidence(), old.source()));
        return new ParamSet(name, schema, m);
    }

    private ParamValue get(String key) {
        ParamValue v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("parameter " + key + " is not part of " + name);
        }
        return v;
    }

    public int getInt(String key) {
        return ((Number) get(key).value()).intValue();
    }

    public long getLong(String key) {
        return ((Number) get(key).value()).longValue();
    }

    public double getDouble(String key) {
        return ((Number) get(key).value()).doubleValue();
    }

    public boolean getBoolean(String key) {
        return (Boolean) get(key).value();
    }

    public String getString(String key) {
        return (String) get(key).value();
    }

    /** The effective values, key to value (Integer, Long, Double, Boolean or String), in schema order. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v.value()));
        return Collections.unmodifiableMap(m);
    }

    /** The effective configuration as a JSON object of key to value, in schema order (Jackson maps the types). */
    public ObjectNode toJson() {
        return JSON.valueToTree(asMap());
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** SHA-256 of the effective values (key=value lines in schema order), hex; equal configs hash equal. */
    public String hash() {
        StringBuilder sb = new StringBuilder(name).append('\n');
        for (Map.Entry<String, ParamValue> e : values.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue().value()).append('\n');
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
