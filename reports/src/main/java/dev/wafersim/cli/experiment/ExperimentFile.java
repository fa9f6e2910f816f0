package dev.wafersim.cli.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import dev.wafersim.core.config.PresetLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An experiment file ({@code --config FILE}, YAML or JSON): the system, the model, the workload, the
 * parameter overrides, and for {@code wafersim sweep} the axes of the grid, for {@code wafersim compare}
 * the systems.
 *
 * <pre>
 * system: h100-sxm                  # or systems: [wse3, "h100-sxm:gpus=8:tp=8"] for compare
 * model: llama-3.1-70b              # or modelFile: path/to/config.json (relative to this file)
 * workload: {batch: 1, context: 4096, tokens: 128, precision: bf16, gpus: 8, tp: 8, pp: 1, cudaGraphs: on}
 * set:                              # system parameters; nested maps are joined with dots
 *   hbm.peakBandwidthGBps: 3000
 * sweep:                            # wafersim sweep only: key -> list of values
 *   workload.context: [1024, 4096, 16384]
 * </pre>
 *
 * <p>A result file of {@code wafersim run --json} is also an experiment file: its {@code experiment}
 * object is read, so {@code --config result.json} reruns the experiment that produced it.
 *
 * <p>Unknown keys, lists where a value belongs, and values that are not scalars are errors naming the
 * file and the key, with suggestions. Values are checked when the experiment is resolved.
 */
public final class ExperimentFile {
    /** Top-level keys of an experiment file. */
    public static final List<String> TOP_KEYS = List.of("description", "system", "systems", "model", "modelFile",
            "workload", "set", "sweep");

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * What a file holds.
     *
     * @param spec    the settings (origin: the file's name)
     * @param systems compare's system specs, in order (empty when absent)
     * @param sweep   sweep axes: key to values, in order (empty when absent)
     */
    public record Contents(ExperimentSpec spec, List<String> systems, Map<String, List<Object>> sweep) {
        public Contents {
            systems = List.copyOf(systems);
            sweep = Collections.unmodifiableMap(new LinkedHashMap<>(sweep));
        }
    }

    private ExperimentFile() {
    }

    /**
     * Reads {@code file}.
     *
     * @param allowed the optional sections this command takes, from {@code systems} and {@code sweep}
     * @throws ConfigException for a missing or malformed file, an unknown key or a section this command
     *                         does not take
     */
    public static Contents read(Path file, Set<String> allowed) {
        String origin = file.toString();
        JsonNode root = parse(file);
        if (root.has("wafersimVersion") && root.path("experiment").isObject()) {
            root = root.get("experiment");
            origin = origin + " (experiment)";
        } else if (root.has("wafersimVersion") && root.has("results")) {
            throw new ConfigException(origin + ": a compare result holds several experiments; give one run's result"
                    + " file, or an experiment file");
        }
        if (!root.isObject()) {
            throw new ConfigException(origin + ": expected a mapping of keys (" + String.join(", ", TOP_KEYS)
                    + "), found " + kind(root));
        }
        ExperimentSpec spec = ExperimentSpec.empty();
        List<String> systems = new ArrayList<>();
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "description" -> {
                    // Free text for the reader.
                }
                case "system", "model" -> spec = spec.with(ExperimentKey.find(key), scalar(v, origin, key), origin, key);
                case "modelFile" -> spec = spec.with(ExperimentKey.MODEL_FILE,
                        relative(file, String.valueOf(scalar(v, origin, key))), origin, key);
                case "systems" -> {
                    requireSection(allowed, "systems", origin, "wafersim compare");
                    systems.addAll(systems(v, origin));
                }
                case "workload" -> spec = workload(spec, v, origin);
                case "set" -> {
                    Map<String, JsonNode> flat = flatten(v, origin, "set");
                    for (Map.Entry<String, JsonNode> p : flat.entrySet()) {
                        String k = p.getKey();
                        ExperimentSpec.checkParamKey(k, origin + ": set");
                        spec = spec.withParam(k, scalar(p.getValue(), origin, "set." + k), origin + ": set");
                    }
                }
                case "sweep" -> {
                    requireSection(allowed, "sweep", origin, "wafersim sweep");
                    for (Map.Entry<String, JsonNode> a : flatten(v, origin, "sweep").entrySet()) {
                        sweep.put(a.getKey(), values(a.getValue(), origin, "sweep." + a.getKey()));
                    }
                }
                default -> throw new ConfigException(origin + ": unknown key '" + key + "'" + EditDistance.didYouMean(key, TOP_KEYS)
                        + "; allowed keys are " + String.join(", ", TOP_KEYS));
            }
        }
        if (root.has("model") && root.has("modelFile")) {
            throw new ConfigException(origin + ": give model or modelFile, not both");
        }
        return new Contents(spec, systems, sweep);
    }

    private static JsonNode parse(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("--config " + file + ": cannot be read: " + e.getMessage(), e);
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json");
        try {
            JsonNode n = (json ? JSON : YAML).readTree(bytes);
            if (n == null || n.isMissingNode() || n.isNull()) {
                throw new ConfigException(file + ": the file is empty; expected a mapping of keys ("
                        + String.join(", ", TOP_KEYS) + ")");
            }
            return n;
        } catch (JsonProcessingException e) {
            ConfigException nonFinite = nonFinite(file, e);
            if (nonFinite != null) {
                throw nonFinite;
            }
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(file + ": not valid " + (json ? "JSON" : "YAML") + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + dev.wafersim.cli.io.Inputs.reason(e), e);
        }
    }

    /**
     * YAML's {@code .nan} and {@code .inf} are valid YAML that Jackson's YAML parser refuses as numbers; no
     * key takes them. Returns the error naming the key (its dotted path in the file) and the value, or null
     * when {@code e} is another parse error.
     */
    private static ConfigException nonFinite(Path file, JsonProcessingException e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Malformed numeric value '([-+]?\\.(?:nan|NaN|NAN|inf"
                + "|Inf|INF))'").matcher(String.valueOf(e.getOriginalMessage()));
        if (!m.find()) {
            return null;
        }
        String key = "";
        if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p) {
            List<String> names = new ArrayList<>();
            for (com.fasterxml.jackson.core.JsonStreamContext c = p.getParsingContext(); c != null; c = c.getParent()) {
                if (c.getCurrentName() != null) {
                    names.add(0, c.getCurrentName());
                }
            }
            key = String.join(".", names);
        }
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " (line " + at.getLineNr() + ")";
        return new ConfigException(file + ": " + (key.isEmpty() ? "" : key + "=") + m.group(1) + where
                + " is not allowed; expected a finite number (YAML's .nan and .inf are values no key takes)");
    }

    private static void requireSection(Set<String> allowed, String section, String origin, String command) {
        if (!allowed.contains(section)) {
            throw new ConfigException(origin + ": '" + section + "' is only read by " + command
                    + "; remove it or use that command");
        }
    }

    private static ExperimentSpec workload(ExperimentSpec spec, JsonNode v, String origin) {
        if (!v.isObject()) {
            throw new ConfigException(origin + ": workload must be a mapping of " + String.join(", ",
                    ExperimentKey.workloadNames()) + "; found " + kind(v));
        }
        ExperimentSpec s = spec;
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String name = e.getKey();
            ExperimentKey k = ExperimentKey.find("workload." + name);
            if (k == null) {
                throw new ConfigException(origin + ": unknown key 'workload." + name + "'"
                        + EditDistance.didYouMean(name, ExperimentKey.workloadNames()) + "; workload keys are "
                        + String.join(", ", ExperimentKey.workloadNames()));
            }
            s = s.with(k, scalar(e.getValue(), origin, k.key()), origin, k.key());
        }
        return s;
    }

    private static List<String> systems(JsonNode v, String origin) {
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            for (String s : v.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        } else if (v.isArray()) {
            for (JsonNode n : v) {
                out.add(String.valueOf(scalar(n, origin, "systems")).trim());
            }
        } else {
            throw new ConfigException(origin + ": systems must be a list of system specs (e.g. [wse3, \"h100-sxm:gpus=8\"]);"
                    + " found " + kind(v));
        }
        if (out.isEmpty()) {
            throw new ConfigException(origin + ": systems is empty; expected at least one system spec");
        }
        return out;
    }

    /** Nested mappings joined with dots: {@code {hbm: {reservedGB: 2}}} is {@code hbm.reservedGB}. */
    private static Map<String, JsonNode> flatten(JsonNode v, String origin, String section) {
        if (!v.isObject()) {
            throw new ConfigException(origin + ": " + section + " must be a mapping of key to value; found " + kind(v));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        flattenInto(v, "", out, origin, section);
        return out;
    }

    private static void flattenInto(JsonNode v, String prefix, Map<String, JsonNode> out, String origin, String section) {
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flattenInto(e.getValue(), key + ".", out, origin, section);
            } else if (out.put(key, e.getValue()) != null) {
                throw new ConfigException(origin + ": " + section + "." + key + " is given twice");
            }
        }
    }

    private static Object scalar(JsonNode v, String origin, String key) {
        if (v.isArray()) {
            throw new ConfigException(origin + ": " + key + " has a list of values; lists belong under 'sweep:' of a"
                    + " wafersim sweep spec");
        }
        if (v.isObject()) {
            throw new ConfigException(origin + ": " + key + " must be a single value; found a mapping");
        }
        Object o = PresetLoader.toJava(v);
        if (o == null) {
            throw new ConfigException(origin + ": " + key + " has no value");
        }
        return o;
    }

    private static List<Object> values(JsonNode v, String origin, String key) {
        List<Object> out = new ArrayList<>();
        if (v.isArray()) {
            for (JsonNode n : v) {
                out.add(scalar(n, origin, key));
            }
        } else {
            out.add(scalar(v, origin, key));
        }
        if (out.isEmpty()) {
            throw new ConfigException(origin + ": " + key + " has no values; expected a list of at least one value");
        }
        return out;
    }

    private static String relative(Path file, String path) {
        try {
            Path p = Path.of(path);
            Path dir = file.toAbsolutePath().getParent();
            return p.isAbsolute() || dir == null ? path : dir.resolve(p).normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return path;
        }
    }

    private static String kind(JsonNode n) {
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        return "the value " + n.asText();
    }
}
