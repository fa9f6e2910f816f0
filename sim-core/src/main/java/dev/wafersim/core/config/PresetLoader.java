package dev.wafersim.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a preset: a commented YAML file on the class path that gives every parameter of a schema
 * its default, unit, confidence and source:
 *
 * <pre>
 * preset: wse3
 * description: Cerebras WSE-3 (CS-3)
 * params:
 *   fabric.hopLatencyCycles: {value: 1, unit: cycles, confidence: vendor, source: "SDK timing code"}
 * </pre>
 *
 * <p>A preset must name every parameter of its schema exactly once, with the unit the schema
 * declares; anything else is an error naming the key. Values are validated like overrides.
 */
public final class PresetLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private PresetLoader() {
    }

    /** Loads the preset at class-path {@code resource} against {@code schema}. */
    public static ParamSet load(String resource, ParamSchema schema) {
        JsonNode root;
        try (InputStream in = PresetLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("preset resource " + resource + " is missing from the class path");
            }
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("preset resource " + resource + " cannot be read: " + e.getMessage(), e);
        }
        return fromTree(root, schema, resource);
    }

    static ParamSet fromTree(JsonNode root, ParamSchema schema, String where) {
        if (root == null || !root.isObject() || !root.has("preset") || !root.path("params").isObject()) {
            throw new IllegalStateException(where + ": a preset needs 'preset' and a 'params' mapping");
        }
        String name = root.get("preset").asText();
        String origin = "preset " + name;
        Map<String, ParamValue> values = new LinkedHashMap<>();
        for (ParamSpec s : schema.specs()) {
            values.put(s.key(), null);
        }
        Iterator<Map.Entry<String, JsonNode>> it = root.get("params").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            ParamSpec spec = schema.spec(key, where);
            JsonNode entry = e.getValue();
            if (!entry.isObject() || !entry.has("value") || !entry.has("unit") || !entry.has("source")
                    || !entry.has("confidence")) {
                throw new IllegalStateException(where + ": " + key + " needs value, unit, confidence and source");
            }
            if (!entry.get("unit").asText().equals(spec.unit())) {
                throw new IllegalStateException(where + ": " + key + " is in '" + entry.get("unit").asText()
                        + "' but the model expects '" + spec.unit() + "'");
            }
            String conf = entry.get("confidence").asText();
            if (!conf.matches("vendor|measured|derived|open|calibrated|assumption")) {
                throw new IllegalStateException(where + ": " + key + " has confidence '" + conf
                        + "'; expected vendor, measured, derived, open, calibrated or assumption");
            }
            Object typed = spec.coerce(toJava(entry.get("value")), where);
            values.put(key, new ParamValue(typed, origin, conf, entry.get("source").asText()));
        }
        for (Map.Entry<String, ParamValue> e : values.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalStateException(where + ": parameter " + e.getKey() + " is missing");
            }
        }
        return new ParamSet(name, schema, values);
    }

    /** Converts a JSON scalar into Integer/Long/Double/Boolean/String. */
    public static Object toJava(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isInt()) {
            return n.intValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        return n.toString();
    }
}
