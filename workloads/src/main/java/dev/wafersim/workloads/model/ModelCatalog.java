package dev.wafersim.workloads.model;

import dev.wafersim.core.config.EditDistance;
import dev.wafersim.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Built-in model presets, each copied from its published Hugging Face {@code config.json} (the URL is
 * the preset's {@link ModelSpec#source()}). Names are lower case and looked up case-insensitively.
 *
 * <p>Where the project's architecture table ({@code shared/reference/models.md}) says less than the
 * config, the config wins; those places are noted next to the preset.
 */
public final class ModelCatalog {
    private static final String HF = "https://huggingface.co/";
    private static final Map<String, ModelSpec> PRESETS = build();

    private ModelCatalog() {
    }

    /**
     * The presets. {@code maxPositions} is each config's {@code max_position_embeddings} (Llama 3.x: 131,072
     * after rope scaling; Llama 2: 4,096; Mixtral 8x7B: 32,768; Qwen2.5-32B and gpt-oss-120b: 131,072).
     */
    private static Map<String, ModelSpec> build() {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        // Llama 3.2 1B: head_dim 64 is explicit in the config (2048 / 32 = 64 anyway);
        // tie_word_embeddings true, rope_theta 500000, attention_bias false, mlp_bias false.
        add(m, ModelSpec.builder("llama-3.2-1b").source(HF + "meta-llama/Llama-3.2-1B/blob/main/config.json")
                .layers(16).hidden(2048).heads(32, 8).headDim(64).ffn(8192).vocab(128256).tiedEmbeddings(true)
                .maxPositions(131072));
        // Llama 3.2 3B: head_dim 128 (3072 / 24), tied embeddings.
        add(m, ModelSpec.builder("llama-3.2-3b").source(HF + "meta-llama/Llama-3.2-3B/blob/main/config.json")
                .layers(28).hidden(3072).heads(24, 8).headDim(128).ffn(8192).vocab(128256).tiedEmbeddings(true)
                .maxPositions(131072));
        add(m, ModelSpec.builder("llama-3.1-8b").source(HF + "meta-llama/Llama-3.1-8B/blob/main/config.json")
                .layers(32).hidden(4096).heads(32, 8).ffn(14336).vocab(128256)
                .maxPositions(131072));
        add(m, ModelSpec.builder("llama-3.1-70b").source(HF + "meta-llama/Llama-3.1-70B/blob/main/config.json")
                .layers(80).hidden(8192).heads(64, 8).ffn(28672).vocab(128256)
                .maxPositions(131072));
        add(m, ModelSpec.builder("llama-3.1-405b").source(HF + "meta-llama/Llama-3.1-405B/blob/main/config.json")
                .layers(126).hidden(16384).heads(128, 8).ffn(53248).vocab(128256)
                .maxPositions(131072));
        // Llama 2 7B: num_key_value_heads 32 = num_attention_heads (multi-head attention).
        add(m, ModelSpec.builder("llama-2-7b").source(HF + "meta-llama/Llama-2-7b-hf/blob/main/config.json")
                .layers(32).hidden(4096).heads(32, 32).ffn(11008).vocab(32000)
                .maxPositions(4096));
        add(m, ModelSpec.builder("llama-2-70b").source(HF + "meta-llama/Llama-2-70b-hf/blob/main/config.json")
                .layers(80).hidden(8192).heads(64, 8).ffn(28672).vocab(32000)
                .maxPositions(4096));
        // Qwen2.5 32B: biases on q, k and v only (Qwen2Attention: o_proj has none), which models.md calls
        // "QKV bias". use_sliding_window is false (sliding_window 131072, max_window_layers 64 unused), so
        // every layer is full attention. tie_word_embeddings false.
        add(m, ModelSpec.builder("qwen2.5-32b").source(HF + "Qwen/Qwen2.5-32B/blob/main/config.json")
                .layers(64).hidden(5120).heads(40, 8).ffn(27648).vocab(152064).qkvBias(true)
                .maxPositions(131072));
        // Mixtral 8x7B v0.1: sliding_window null (full attention on every layer); no router or expert biases.
        add(m, ModelSpec.builder("mixtral-8x7b").source(HF + "mistralai/Mixtral-8x7B-v0.1/blob/main/config.json")
                .layers(32).hidden(4096).heads(32, 8).ffn(14336).experts(8, 2).vocab(32000)
                .maxPositions(32768));
        // gpt-oss-120b: more than models.md says. head_dim 64 with 64 heads, so qDim 4096 != hidden 2880;
        // attention_bias true (q, k, v and o); a learned sink logit per head; router and experts have biases;
        // clamped SwiGLU (swiglu_limit 7.0); layer_types starts with sliding_attention and alternates, window
        // 128. The published weights are MXFP4 experts + bf16 rest: see Precision.GPT_OSS_NATIVE.
        add(m, ModelSpec.builder("gpt-oss-120b").source(HF + "openai/gpt-oss-120b/blob/main/config.json")
                .layers(36).hidden(2880).heads(64, 8).headDim(64).ffn(2880).experts(128, 4).vocab(201088)
                .qkvBias(true).outputBias(true).mlpBias(true).attentionSinks(true)
                .activation(GatedActivation.CLAMPED_SWIGLU)
                .attention(AttentionPattern.alternatingSlidingFirst(36, 128))
                .maxPositions(131072));
        return Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, ModelSpec> m, ModelSpec.Builder b) {
        ModelSpec s = b.build();
        m.put(s.name(), s);
    }

    /** Preset names in catalog order (for {@code wafersim list models}). */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    /** All presets in catalog order. */
    public static List<ModelSpec> all() {
        return List.copyOf(PRESETS.values());
    }

    /** The preset called {@code name} (case-insensitive), if any. */
    public static Optional<ModelSpec> find(String name) {
        return Optional.ofNullable(name == null ? null : PRESETS.get(name.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * The preset called {@code name} (case-insensitive).
     *
     * @throws ConfigException naming the value, the closest known name and every known name
     */
    public static ModelSpec get(String name) {
        return find(name).orElseThrow(() -> new ConfigException("model=" + name + " is not a known model; "
                + suggestion(name) + "expected one of " + String.join(", ", names())
                + " or the path of a Hugging Face config.json"));
    }

    /**
     * A preset name, or the path of a Hugging Face {@code config.json} (text ending in {@code .json},
     * or naming an existing file) read with {@link HfConfigReader}.
     */
    public static ModelSpec resolve(String nameOrPath) {
        Optional<ModelSpec> preset = find(nameOrPath);
        if (preset.isPresent()) {
            return preset.get();
        }
        if (nameOrPath != null) {
            Path path;
            try {
                path = Path.of(nameOrPath.trim());
            } catch (InvalidPathException e) {
                return get(nameOrPath);
            }
            if (nameOrPath.trim().endsWith(".json") || Files.isRegularFile(path)) {
                return HfConfigReader.read(path);
            }
        }
        return get(nameOrPath);
    }

    private static String suggestion(String name) {
        if (name == null) {
            return "";
        }
        List<String> best = EditDistance.closest(name, PRESETS.keySet());
        if (best.isEmpty()) {
            return "";
        }
        return "did you mean " + String.join(" or ", best) + "? ";
    }
}
