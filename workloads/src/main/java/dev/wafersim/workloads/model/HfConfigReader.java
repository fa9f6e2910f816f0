package dev.wafersim.workloads.model;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelSpec}.
 *
 * <p>Supported {@code model_type}s and the keys read (defaults are those of the transformers config
 * class of that type):
 * <ul>
 *   <li>all: {@code num_hidden_layers}, {@code hidden_size}, {@code num_attention_heads},
 *       {@code intermediate_size}, {@code vocab_size} (required); {@code num_key_value_heads}
 *       (default: attention heads); {@code head_dim} (default: hidden / heads, which must divide);
 *       {@code tie_word_embeddings} (default false); {@code hidden_act} ({@code silu}, the only one
 *       accepted); {@code layer_types} ({@code full_attention} / {@code sliding_attention} per layer,
 *       wins over the type-specific rules below); {@code _name_or_path} (the model name).</li>
 *   <li>{@code llama}: {@code attention_bias} (q, k, v and o; default false), {@code mlp_bias}
 *       (default false). Full attention.</li>
 *   <li>{@code mistral}, {@code mixtral}: {@code sliding_window} (null = full attention; a number =
 *       every layer slides). Mixtral also {@code num_local_experts} and {@code num_experts_per_tok}
 *       (required). No biases.</li>
 *   <li>{@code qwen2}: q, k and v biases always (o none). {@code use_sliding_window} (default false);
 *       when true, layers from {@code max_window_layers} on slide over {@code sliding_window}.</li>
 *   <li>{@code gpt_oss}: {@code num_local_experts} and {@code num_experts_per_tok} or
 *       {@code experts_per_token} (required), {@code sliding_window} (required when a layer slides),
 *       {@code layer_types} (default: sliding, full, sliding, ...), {@code attention_bias} (q, k, v, o;
 *       default true). Router and experts have biases, heads have sinks, activation is the clamped
 *       SwiGLU.</li>
 * </ul>
 * If {@code model_type} is absent, it is taken from {@code architectures[0]} (e.g.
 * {@code LlamaForCausalLM}). {@code max_position_embeddings} (optional, every type) bounds the positions a
 * run accepts ({@link ModelSpec#maxPositions()}). Other keys ({@code rope_scaling}, {@code rope_theta}, norms'
 * epsilon, {@code quantization_config}, ...) do not change the op graph and are ignored — but not silently:
 * {@link #readReport} lists every key read and every key ignored with the reason, for {@code describe} and
 * the run header. The precision is chosen separately ({@link Precision}).
 *
 * <p>Every problem — no such file, malformed JSON, a missing required key, a wrong type, an
 * unsupported model type, inconsistent values — is one {@link ConfigException} naming the file, the
 * key, the value and what is allowed.
 */
public final class HfConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Supported model types, and the architecture class naming each. */
    private static final Map<String, String> TYPES = Map.of(
            "LlamaForCausalLM", "llama",
            "MistralForCausalLM", "mistral",
            "MixtralForCausalLM", "mixtral",
            "Qwen2ForCausalLM", "qwen2",
            "GptOssForCausalLM", "gpt_oss");
    private static final List<String> TYPE_NAMES = List.of("llama", "mistral", "mixtral", "qwen2", "gpt_oss");

    private HfConfigReader() {
    }

    /**
     * Reads {@code file}. The model's name is {@code _name_or_path} when present, else the name of the
     * folder holding a file called {@code config.json}, else the file name without {@code .json}.
     */
    public static ModelSpec read(Path file) {
        return readReport(file).spec();
    }

    /**
     * What reading a config gave: the model, the keys that shaped it and the keys present but ignored.
     *
     * @param spec    the model
     * @param read    keys of the file that were read, in file order
     * @param ignored keys of the file that were not read, in file order, each with the reason
     */
    public record Report(ModelSpec spec, List<String> read, Map<String, String> ignored) {
        public Report {
            read = List.copyOf(read);
            ignored = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ignored));
        }
    }

    /** Why common keys do not change the simulation; other keys get {@link #NOT_IN_OP_GRAPH}. */
    private static final Map<String, String> WHY_IGNORED = Map.of(
            "rope_scaling", "rotary embeddings cost the same whatever their scaling; the positions it allows are"
                    + " max_position_embeddings, which is read",
            "rope_theta", "a rotary frequency, not a cost",
            "torch_dtype", "the precision is --precision",
            "quantization_config", "the precision is --precision (e.g. fp8, int4)",
            "rms_norm_eps", "a constant of the norm, not a cost",
            "sliding_window", "no layer slides with these settings (see use_sliding_window, layer_types)");
    private static final String NOT_IN_OP_GRAPH = "does not change the decode op graph";

    /** Reads {@code file} as {@link #read} does, with the keys read and ignored. */
    public static Report readReport(Path file) {
        String where = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(where + ": no such file; expected the path of a Hugging Face config.json");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(where + ": not UTF-8 text; expected a Hugging Face config.json");
        } catch (AccessDeniedException e) {
            throw new ConfigException(where + ": cannot be read (permission denied); expected a readable config.json");
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read (" + e.getMessage() + "); expected a readable config.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonParseException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ConfigException(where + ": malformed JSON" + at + " (" + e.getOriginalMessage()
                    + "); expected a Hugging Face config.json object");
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": malformed JSON (" + e.getOriginalMessage()
                    + "); expected a Hugging Face config.json object");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(where + ": the top level is " + (root == null ? "empty" : root.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT)) + "; expected a JSON object (a Hugging Face config.json)");
        }
        Reader reader = new Reader(where, root);
        ModelSpec spec = reader.spec(defaultName(file), "Hugging Face config.json " + where);
        List<String> read = new ArrayList<>();
        Map<String, String> ignored = new java.util.LinkedHashMap<>();
        for (java.util.Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (reader.consulted.contains(k)) {
                read.add(k);
            } else {
                ignored.put(k, WHY_IGNORED.getOrDefault(k, NOT_IN_OP_GRAPH));
            }
        }
        return new Report(spec, read, ignored);
    }

    private static String defaultName(Path file) {
        Path fn = file.getFileName();
        String name = fn == null ? file.toString() : fn.toString();
        if (name.equals("config.json") && file.toAbsolutePath().getParent() != null
                && file.toAbsolutePath().getParent().getFileName() != null) {
            return file.toAbsolutePath().getParent().getFileName().toString();
        }
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    /** One file being read: keeps the file name for messages. */
    private static final class Reader {
        private final String where;
        private final JsonNode root;
        /** Keys looked up, present or not. */
        final java.util.Set<String> consulted = new java.util.HashSet<>();

        Reader(String where, JsonNode root) {
            this.where = where;
            this.root = root;
        }

        /** The value of {@code key} (null when absent), noting that it was read. */
        private JsonNode node(String key) {
            consulted.add(key);
            return root.get(key);
        }

        ModelSpec spec(String fallbackName, String source) {
            String type = modelType();
            String name = optText("_name_or_path");
            ModelSpec.Builder b = ModelSpec.builder(name == null || name.isBlank() ? fallbackName : name.trim())
                    .source(source);
            int layers = posInt("num_hidden_layers");
            int hidden = posInt("hidden_size");
            int heads = posInt("num_attention_heads");
            int kvHeads = optPosInt("num_key_value_heads", heads);
            if (heads % kvHeads != 0) {
                throw new ConfigException(where + ": num_key_value_heads=" + kvHeads
                        + " is not allowed; expected a divisor of num_attention_heads=" + heads);
            }
            int headDim;
            if (present("head_dim")) {
                headDim = posInt("head_dim");
            } else if (hidden % heads == 0) {
                headDim = hidden / heads;
            } else {
                throw new ConfigException(where + ": key 'head_dim' is missing and hidden_size=" + hidden
                        + " is not a multiple of num_attention_heads=" + heads + "; expected head_dim as a positive integer");
            }
            if (present("max_position_embeddings")) {
                b.maxPositions(posInt("max_position_embeddings"));
            }
            b.layers(layers).hidden(hidden).heads(heads, kvHeads).headDim(headDim)
                    .ffn(posInt("intermediate_size")).vocab(posInt("vocab_size"))
                    .tiedEmbeddings(optBool("tie_word_embeddings", false));
            String act = optText("hidden_act");
            if (act != null && !act.equals("silu") && !act.equals("swish")) {
                throw new ConfigException(where + ": hidden_act=" + act + " is not supported; expected silu");
            }
            switch (type) {
                case "llama" -> {
                    boolean bias = optBool("attention_bias", false);
                    b.qkvBias(bias).outputBias(bias).mlpBias(optBool("mlp_bias", false))
                            .attention(layerTypes(layers, () -> AttentionPattern.full(layers)));
                }
                case "mistral" -> b.attention(layerTypes(layers, () -> mistralPattern(layers)));
                case "mixtral" -> b.experts(expertCount("num_local_experts"), posInt("num_experts_per_tok"))
                        .attention(layerTypes(layers, () -> mistralPattern(layers)));
                case "qwen2" -> b.qkvBias(true).attention(layerTypes(layers, () -> qwen2Pattern(layers)));
                case "gpt_oss" -> {
                    boolean bias = optBool("attention_bias", true);
                    b.experts(expertCount("num_local_experts"), gptOssTopK()).qkvBias(bias).outputBias(bias)
                            .mlpBias(true).attentionSinks(true).activation(GatedActivation.CLAMPED_SWIGLU)
                            .attention(layerTypes(layers, () -> AttentionPattern.alternatingSlidingFirst(layers,
                                    posInt("sliding_window"))));
                }
                default -> throw new IllegalStateException(type);
            }
            try {
                return b.build();
            } catch (ConfigException e) {
                throw new ConfigException(where + ": " + e.getMessage(), e);
            }
        }

        private String modelType() {
            String type = optText("model_type");
            if (type == null) {
                JsonNode arch = node("architectures");
                if (arch != null && arch.isArray() && arch.size() > 0 && arch.get(0).isTextual()) {
                    type = TYPES.get(arch.get(0).asText());
                    if (type == null) {
                        throw new ConfigException(where + ": architectures[0]=" + arch.get(0).asText()
                                + " is not supported and model_type is missing; expected model_type one of "
                                + String.join(", ", TYPE_NAMES));
                    }
                    return type;
                }
                throw new ConfigException(where + ": key 'model_type' is missing; expected one of "
                        + String.join(", ", TYPE_NAMES));
            }
            if (!TYPE_NAMES.contains(type)) {
                throw new ConfigException(where + ": model_type=" + type + " is not supported; expected one of "
                        + String.join(", ", TYPE_NAMES));
            }
            return type;
        }

        private int expertCount(String key) {
            int e = posInt(key);
            if (e < 2) {
                throw new ConfigException(where + ": " + key + "=" + e + " is not allowed; expected at least 2 experts");
            }
            return e;
        }

        private int gptOssTopK() {
            boolean a = present("num_experts_per_tok");
            boolean c = present("experts_per_token");
            if (!a && !c) {
                throw new ConfigException(where + ": key 'num_experts_per_tok' is missing (nor is 'experts_per_token'"
                        + " given); expected a positive integer");
            }
            int k = a ? posInt("num_experts_per_tok") : posInt("experts_per_token");
            if (a && c && posInt("experts_per_token") != k) {
                throw new ConfigException(where + ": experts_per_token=" + posInt("experts_per_token")
                        + " is not allowed; expected the same value as num_experts_per_tok=" + k);
            }
            return k;
        }

        private AttentionPattern mistralPattern(int layers) {
            if (!present("sliding_window")) {
                return AttentionPattern.full(layers);
            }
            return AttentionPattern.allSliding(layers, posInt("sliding_window"));
        }

        private AttentionPattern qwen2Pattern(int layers) {
            if (!optBool("use_sliding_window", false)) {
                return AttentionPattern.full(layers);
            }
            int window = posInt("sliding_window");
            int firstSliding = nonNegInt("max_window_layers");
            List<AttentionType> t = new ArrayList<>(layers);
            for (int i = 0; i < layers; i++) {
                t.add(i >= firstSliding ? AttentionType.SLIDING : AttentionType.FULL);
            }
            return t.contains(AttentionType.SLIDING) ? new AttentionPattern(t, window) : AttentionPattern.full(layers);
        }

        /** The explicit {@code layer_types}, or {@code otherwise} when the key is absent. */
        private AttentionPattern layerTypes(int layers, java.util.function.Supplier<AttentionPattern> otherwise) {
            if (!present("layer_types")) {
                return otherwise.get();
            }
            JsonNode n = node("layer_types");
            if (!n.isArray() || n.size() != layers) {
                throw new ConfigException(where + ": layer_types=" + abbreviate(n) + " is not allowed; expected a list of "
                        + layers + " entries (num_hidden_layers), each full_attention or sliding_attention");
            }
            List<AttentionType> t = new ArrayList<>(layers);
            for (int i = 0; i < layers; i++) {
                String s = n.get(i).isTextual() ? n.get(i).asText() : n.get(i).toString();
                switch (s) {
                    case "full_attention" -> t.add(AttentionType.FULL);
                    case "sliding_attention" -> t.add(AttentionType.SLIDING);
                    default -> throw new ConfigException(where + ": layer_types[" + i + "]=" + s
                            + " is not allowed; expected full_attention or sliding_attention");
                }
            }
            return t.contains(AttentionType.SLIDING) ? new AttentionPattern(t, posInt("sliding_window"))
                    : new AttentionPattern(t, 0);
        }

        // ---- typed access ----

        /** True when the key is present with a non-null value. */
        private boolean present(String key) {
            JsonNode n = node(key);
            return n != null && !n.isNull();
        }

        private JsonNode required(String key, String allowed) {
            JsonNode n = node(key);
            if (n == null) {
                throw new ConfigException(where + ": key '" + key + "' is missing; expected " + allowed);
            }
            if (n.isNull()) {
                throw new ConfigException(where + ": key '" + key + "' is null; expected " + allowed);
            }
            return n;
        }

        private int posInt(String key) {
            JsonNode n = required(key, "a positive integer");
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
                throw new ConfigException(where + ": " + key + "=" + abbreviate(n) + " is not allowed; expected a positive integer");
            }
            return n.intValue();
        }

        private int nonNegInt(String key) {
            JsonNode n = required(key, "an integer >= 0");
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
                throw new ConfigException(where + ": " + key + "=" + abbreviate(n) + " is not allowed; expected an integer >= 0");
            }
            return n.intValue();
        }

        private int optPosInt(String key, int otherwise) {
            return present(key) ? posInt(key) : otherwise;
        }

        private boolean optBool(String key, boolean otherwise) {
            if (!present(key)) {
                return otherwise;
            }
            JsonNode n = node(key);
            if (!n.isBoolean()) {
                throw new ConfigException(where + ": " + key + "=" + abbreviate(n) + " is not allowed; expected true or false");
            }
            return n.booleanValue();
        }

        private String optText(String key) {
            if (!present(key)) {
                return null;
            }
            JsonNode n = node(key);
            if (!n.isTextual()) {
                throw new ConfigException(where + ": " + key + "=" + abbreviate(n) + " is not allowed; expected a string");
            }
            return n.asText();
        }

        private static String abbreviate(JsonNode n) {
            String s = n.toString();
            return s.length() <= 60 ? s : s.substring(0, 57) + "...";
        }
    }
}
