package dev.wafersim.cli.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.experiment.Setting;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.PresetLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A sweep as a manifest of points: what identifies a sweep across the processes that run its shards, and
 * the sweep's definition in a form a merge can read back.
 *
 * <p>{@link #hash} is SHA-256 over the axis keys and, for every point in order, its index, its values and
 * its experiment hash ({@code Experiment#hash()}: the system, the effective parameters, the whole model, the
 * workload and the machine options). Two runs with the same manifest hash run the same experiments under
 * the same key columns, in the same order; a changed axis, fixed option, parameter, default or model changes
 * it.
 *
 * <p>{@link #definition} writes the sweep (its base experiment with every setting, defaults included, and
 * its axes) in the experiment-file format with a {@code sweep:} section; {@link #readDefinition} reads it
 * back setting for setting, so resolving it again gives the same experiments (paths are kept as written,
 * since a model file's path is part of its model's identity).
 */
public final class SweepManifest {
    private SweepManifest() {
    }

    /**
     * The manifest hash (hex SHA-256) of {@code plan} whose points have the experiment hashes
     * {@code experimentHashes} (in point order).
     */
    public static String hash(SweepPlan plan, List<String> experimentHashes) {
        if (experimentHashes.size() != plan.size()) {
            throw new IllegalArgumentException(experimentHashes.size() + " hashes for " + plan.size() + " points");
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("wafersim sweep manifest 1\n".getBytes(StandardCharsets.UTF_8));
            for (SweepAxis a : plan.axes()) {
                md.update(("axis " + Csv.line(List.of(a.key()))).getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < plan.size(); i++) {
                List<String> line = new ArrayList<>();
                line.add(Integer.toString(i));
                line.addAll(plan.values(i));
                line.add(experimentHashes.get(i));
                md.update(Csv.line(line).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sweep's definition: the base experiment and the axes. */
    public record Definition(ExperimentSpec base, List<SweepAxis> axes) {
        public Definition {
            axes = List.copyOf(axes);
        }
    }

    /**
     * The sweep as an experiment file: {@code system}, {@code model} or {@code modelFile}, {@code workload},
     * {@code set} (every setting of {@code base}, defaults included) and {@code sweep} (the axes, values as text).
     */
    public static ObjectNode definition(ExperimentSpec base, List<SweepAxis> axes) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        ObjectNode workload = f.objectNode();
        for (ExperimentKey k : ExperimentKey.values()) {
            Setting s = base.get(k);
            if (s == null) {
                continue;
            }
            if (k.isWorkload()) {
                workload.set(k.shortName(), node(s.value()));
            } else {
                o.set(k.key(), node(s.value()));
            }
        }
        o.set("workload", workload);
        ObjectNode set = o.putObject("set");
        for (Map.Entry<String, Setting> e : base.params().entrySet()) {
            set.set(e.getKey(), node(e.getValue().value()));
        }
        ObjectNode sweep = o.putObject("sweep");
        for (SweepAxis a : axes) {
            ArrayNode values = sweep.putArray(a.key());
            a.values().forEach(values::add);
        }
        return o;
    }

    /**
     * Reads a definition written by {@link #definition}.
     *
     * @param origin what to call it in messages and in the settings' origins (the manifest file)
     * @throws ConfigException when it is not such a definition
     */
    public static Definition readDefinition(JsonNode node, String origin) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(origin + ": sweep is missing or not a mapping; expected the sweep's definition"
                    + " (system, model, workload, set, sweep)");
        }
        ExperimentSpec s = ExperimentSpec.empty();
        List<SweepAxis> axes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "system", "model", "modelFile" -> s = s.with(ExperimentKey.find(key), scalar(v, origin, key), origin,
                        key);
                case "workload" -> {
                    for (Map.Entry<String, JsonNode> w : object(v, origin, key).properties()) {
                        ExperimentKey k = ExperimentKey.find("workload." + w.getKey());
                        if (k == null || !k.isWorkload()) {
                            throw new ConfigException(origin + ": sweep.workload." + w.getKey() + " is not a workload key;"
                                    + " expected one of " + String.join(", ", ExperimentKey.workloadNames()));
                        }
                        s = s.with(k, scalar(w.getValue(), origin, k.key()), origin, k.key());
                    }
                }
                case "set" -> {
                    for (Map.Entry<String, JsonNode> p : object(v, origin, key).properties()) {
                        ExperimentSpec.checkParamKey(p.getKey(), origin + ": sweep.set");
                        s = s.withParam(p.getKey(), scalar(p.getValue(), origin, "set." + p.getKey()), origin + ": set");
                    }
                }
                case "sweep" -> {
                    for (Map.Entry<String, JsonNode> a : object(v, origin, key).properties()) {
                        if (!a.getValue().isArray()) {
                            throw new ConfigException(origin + ": sweep.sweep." + a.getKey() + " is not a list of values");
                        }
                        List<Object> values = new ArrayList<>();
                        for (JsonNode x : a.getValue()) {
                            values.add(scalar(x, origin, a.getKey()));
                        }
                        axes.add(SweepAxis.of(a.getKey(), values, origin + ": sweep"));
                    }
                }
                default -> throw new ConfigException(origin + ": sweep." + key + " is not part of a sweep's definition;"
                        + " expected system, model, modelFile, workload, set and sweep");
            }
        }
        if (axes.isEmpty()) {
            throw new ConfigException(origin + ": the sweep's definition has no axes (sweep.sweep is empty)");
        }
        return new Definition(s, axes);
    }

    private static JsonNode node(Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v instanceof Integer i) {
            return f.numberNode(i);
        }
        if (v instanceof Long l) {
            return f.numberNode(l);
        }
        if (v instanceof Double d) {
            return f.numberNode(d);
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        return f.textNode(String.valueOf(v));
    }

    private static JsonNode object(JsonNode v, String origin, String key) {
        if (!v.isObject()) {
            throw new ConfigException(origin + ": sweep." + key + " is not a mapping");
        }
        return v;
    }

    private static Object scalar(JsonNode v, String origin, String key) {
        Object o = v.isValueNode() ? PresetLoader.toJava(v) : null;
        if (o == null) {
            throw new ConfigException(origin + ": sweep." + key + " is not a single value");
        }
        return o;
    }
}
