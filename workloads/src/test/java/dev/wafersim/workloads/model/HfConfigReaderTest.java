package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfConfigReaderTest {
    @TempDir
    Path dir;

    private static Path resource(String name) {
        try {
            return Path.of(HfConfigReaderTest.class.getClassLoader().getResource("hf/" + name + "/config.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A minimal valid Llama config with the members of {@code extra} (JSON object body) added or replaced. */
    private static String llama(String extra) {
        try {
            ObjectNode base = (ObjectNode) JSON.readTree("{\"model_type\": \"llama\", \"hidden_size\": 64,"
                    + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 128,"
                    + " \"vocab_size\": 100}");
            base.setAll((ObjectNode) JSON.readTree("{" + extra + "}"));
            return JSON.writeValueAsString(base);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String name, String json) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    private ConfigException fails(String json) throws IOException {
        Path p = write("bad.json", json);
        ConfigException ex = assertThrows(ConfigException.class, () -> HfConfigReader.read(p));
        assertTrue(ex.getMessage().startsWith(p + ": "), "message names the file: " + ex.getMessage());
        return ex;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-3.1-8b", "llama-3.2-1b", "qwen2.5-32b", "mixtral-8x7b", "gpt-oss-120b"})
    void read_publishedConfig_equalsPreset(String name) {
        ModelSpec preset = ModelCatalog.get(name);
        ModelSpec read = HfConfigReader.read(resource(name));
        assertEquals(name, read.name(), "named after the folder holding config.json");
        assertTrue(read.source().contains("config.json"), read.source());
        assertEquals(preset, read.renamed(preset.name(), preset.source()));
    }

    @Test
    void read_nameOrPath_namesModel() throws IOException {
        ModelSpec m = HfConfigReader.read(write("x.json", llama("\"_name_or_path\": \"org/toy-model\"")));
        assertEquals("org/toy-model", m.name());
        assertEquals("x", HfConfigReader.read(write("x.json", llama(""))).name(), "else the file name");
    }

    @Test
    void read_defaults_kvHeadsAndHeadDimFromHeads() throws IOException {
        ModelSpec m = HfConfigReader.read(write("m.json", llama("")));
        assertEquals(4, m.numKvHeads());
        assertEquals(16, m.headDim());
        assertEquals(false, m.tiedEmbeddings());
    }

    @Test
    void read_llamaAttentionBias_setsQkvAndOutputBias() throws IOException {
        ModelSpec m = HfConfigReader.read(write("m.json", llama("\"attention_bias\": true, \"mlp_bias\": true")));
        assertTrue(m.qkvBias() && m.outputBias() && m.mlpBias());
    }

    @Test
    void read_mistralSlidingWindow_everyLayerSlides() throws IOException {
        ModelSpec m = HfConfigReader.read(write("m.json", llama("\"model_type\": \"mistral\", \"sliding_window\": 4096")));
        assertEquals(2, m.attention().count(AttentionType.SLIDING));
        assertEquals(4096, m.attention().slidingWindowTokens());
    }

    @Test
    void read_qwen2UseSlidingWindow_layersFromMaxWindowLayersSlide() throws IOException {
        ModelSpec m = HfConfigReader.read(write("m.json", llama("\"model_type\": \"qwen2\", \"num_hidden_layers\": 4,"
                + " \"use_sliding_window\": true, \"sliding_window\": 256, \"max_window_layers\": 2")));
        assertEquals(AttentionType.FULL, m.attention().type(1));
        assertEquals(AttentionType.SLIDING, m.attention().type(2));
        assertEquals(256, m.attention().windowTokens(3));
        assertTrue(m.qkvBias());
    }

    @Test
    void read_architecturesWithoutModelType_inferred() throws IOException {
        String json = llama("\"architectures\": [\"MixtralForCausalLM\"], \"num_local_experts\": 4,"
                + " \"num_experts_per_tok\": 2").replace("\"model_type\":\"llama\",", "");
        ModelSpec m = HfConfigReader.read(write("m.json", json));
        assertEquals(4, m.numExperts());
    }

    @Test
    void read_gptOssWithoutLayerTypes_alternatesSlidingFirst() throws IOException {
        ModelSpec m = HfConfigReader.read(write("m.json", llama("\"model_type\": \"gpt_oss\", \"num_local_experts\": 4,"
                + " \"experts_per_token\": 2, \"sliding_window\": 8")));
        assertEquals(AttentionType.SLIDING, m.attention().type(0));
        assertEquals(AttentionType.FULL, m.attention().type(1));
        assertEquals(2, m.expertsPerToken());
        assertTrue(m.attentionSinks());
    }

    @Test
    void read_missingFile_oneErrorNamingFile() {
        Path p = dir.resolve("nope/config.json");
        ConfigException ex = assertThrows(ConfigException.class, () -> HfConfigReader.read(p));
        assertEquals(p + ": no such file; expected the path of a Hugging Face config.json", ex.getMessage());
    }

    @Test
    void read_malformedJson_errorGivesLine() throws IOException {
        ConfigException ex = fails("{\n  \"hidden_size\": 64,\n  oops\n}");
        assertTrue(ex.getMessage().contains("malformed JSON at line 3"), ex.getMessage());
    }

    @Test
    void read_topLevelArray_rejected() throws IOException {
        ConfigException ex = fails("[1, 2]");
        assertTrue(ex.getMessage().contains("expected a JSON object"), ex.getMessage());
    }

    @Test
    void read_missingRequiredKey_namesKey() throws IOException {
        ConfigException ex = fails(llama("").replace("\"hidden_size\":64,", ""));
        assertTrue(ex.getMessage().endsWith(": key 'hidden_size' is missing; expected a positive integer"),
                ex.getMessage());
    }

    @Test
    void read_nullRequiredKey_namesKey() throws IOException {
        ConfigException ex = fails(llama("\"vocab_size\": null"));
        assertTrue(ex.getMessage().endsWith(": key 'vocab_size' is null; expected a positive integer"), ex.getMessage());
    }

    @Test
    void read_wrongType_namesKeyAndValue() throws IOException {
        ConfigException ex = fails(llama("\"hidden_size\": \"64\""));
        assertTrue(ex.getMessage().endsWith(": hidden_size=\"64\" is not allowed; expected a positive integer"),
                ex.getMessage());
        ex = fails(llama("\"tie_word_embeddings\": 1"));
        assertTrue(ex.getMessage().endsWith(": tie_word_embeddings=1 is not allowed; expected true or false"),
                ex.getMessage());
        ex = fails(llama("\"num_hidden_layers\": 2.5"));
        assertTrue(ex.getMessage().contains("num_hidden_layers=2.5 is not allowed"), ex.getMessage());
    }

    @Test
    void read_unsupportedModelType_listsSupported() throws IOException {
        ConfigException ex = fails(llama("\"model_type\": \"bert\""));
        assertTrue(ex.getMessage().endsWith(": model_type=bert is not supported; expected one of llama, mistral, mixtral,"
                + " qwen2, gpt_oss"), ex.getMessage());
    }

    @Test
    void read_missingModelTypeAndArchitectures_namesModelType() throws IOException {
        ConfigException ex = fails(llama("").replace("\"model_type\":\"llama\",", ""));
        assertTrue(ex.getMessage().contains("key 'model_type' is missing"), ex.getMessage());
    }

    @Test
    void read_kvHeadsNotDividing_namesBothKeys() throws IOException {
        ConfigException ex = fails(llama("\"num_key_value_heads\": 3"));
        assertTrue(ex.getMessage().endsWith(": num_key_value_heads=3 is not allowed; expected a divisor of"
                + " num_attention_heads=4"), ex.getMessage());
    }

    @Test
    void read_headDimUndetermined_namesHeadDim() throws IOException {
        ConfigException ex = fails(llama("\"num_attention_heads\": 5, \"num_key_value_heads\": 5"));
        assertTrue(ex.getMessage().contains("key 'head_dim' is missing"), ex.getMessage());
    }

    @Test
    void read_mixtralWithoutExperts_namesKey() throws IOException {
        ConfigException ex = fails(llama("\"model_type\": \"mixtral\", \"num_experts_per_tok\": 2"));
        assertTrue(ex.getMessage().contains("key 'num_local_experts' is missing"), ex.getMessage());
    }

    @Test
    void read_badLayerTypes_namesEntry() throws IOException {
        ConfigException ex = fails(llama("\"layer_types\": [\"full_attention\", \"chunked_attention\"]"));
        assertTrue(ex.getMessage().contains("layer_types[1]=chunked_attention is not allowed"), ex.getMessage());
        ex = fails(llama("\"layer_types\": [\"full_attention\"]"));
        assertTrue(ex.getMessage().contains("expected a list of 2 entries"), ex.getMessage());
        ex = fails(llama("\"layer_types\": [\"full_attention\", \"sliding_attention\"]"));
        assertTrue(ex.getMessage().contains("key 'sliding_window' is missing"), ex.getMessage());
    }

    @Test
    void read_gptOssDisagreeingTopK_namesBothKeys() throws IOException {
        ConfigException ex = fails(llama("\"model_type\": \"gpt_oss\", \"num_local_experts\": 4, \"experts_per_token\": 2,"
                + " \"num_experts_per_tok\": 3, \"sliding_window\": 8"));
        assertTrue(ex.getMessage().contains("experts_per_token=2 is not allowed; expected the same value as"
                + " num_experts_per_tok=3"), ex.getMessage());
    }

    @Test
    void read_unsupportedActivation_namesKey() throws IOException {
        ConfigException ex = fails(llama("\"hidden_act\": \"gelu\""));
        assertTrue(ex.getMessage().endsWith(": hidden_act=gelu is not supported; expected silu"), ex.getMessage());
    }

    @Test
    void read_duplicateKey_rejected() throws IOException {
        ConfigException ex = fails("{\"model_type\": \"llama\", \"hidden_size\": 64, \"hidden_size\": 128}");
        assertTrue(ex.getMessage().contains("Duplicate field 'hidden_size'"), ex.getMessage());
    }

    @Test
    void resolve_presetNameOrConfigPath_bothAccepted() {
        assertEquals("llama-3.1-8b", ModelCatalog.resolve("LLAMA-3.1-8B").name());
        assertEquals(2, ModelCatalog.resolve(resource("mixtral-8x7b").toString()).expertsPerToken());
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelCatalog.resolve(dir.resolve("x.json").toString()));
        assertTrue(ex.getMessage().endsWith("no such file; expected the path of a Hugging Face config.json"),
                ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> ModelCatalog.resolve("llama-9"));
        assertTrue(ex.getMessage().startsWith("model=llama-9 is not a known model"), ex.getMessage());
    }

    @Test
    void readReport_llama31_ropeScalingIgnoredWithItsReasonMaxPositionsRead() {
        HfConfigReader.Report r = HfConfigReader.readReport(resource("llama-3.1-8b"));
        assertEquals(131072, r.spec().maxPositions(), "max_position_embeddings of the published config");
        assertTrue(r.read().contains("max_position_embeddings") && r.read().contains("num_hidden_layers"), r.read().toString());
        assertEquals("rotary embeddings cost the same whatever their scaling; the positions it allows are"
                + " max_position_embeddings, which is read", r.ignored().get("rope_scaling"));
        assertEquals("the precision is --precision", r.ignored().get("torch_dtype"));
        assertTrue(r.ignored().containsKey("bos_token_id") && !r.ignored().containsKey("hidden_size"), r.ignored().toString());
    }

    @Test
    void readReport_qwenWithoutSlidingWindow_slidingWindowListedAsIgnored() {
        HfConfigReader.Report r = HfConfigReader.readReport(resource("qwen2.5-32b"));
        assertTrue(r.read().contains("use_sliding_window"), r.read().toString());
        assertTrue(r.ignored().get("sliding_window").startsWith("no layer slides"), r.ignored().toString());
    }

    @Test
    void readReport_mistralSlidingWindow_readAndInTheModel() throws IOException {
        HfConfigReader.Report r = HfConfigReader.readReport(write("m.json", llama("\"model_type\": \"mistral\","
                + " \"sliding_window\": 4096")));
        assertTrue(r.read().contains("sliding_window"), r.read().toString());
        assertEquals(4096, r.spec().attention().slidingWindowTokens());
        assertEquals(0, r.spec().maxPositions(), "absent: not known");
    }

    @Test
    void read_maxPositionsNotAPositiveInteger_namesTheKey() throws IOException {
        ConfigException e = fails(llama("\"max_position_embeddings\": 0"));
        assertTrue(e.getMessage().endsWith("max_position_embeddings=0 is not allowed; expected a positive integer"),
                e.getMessage());
    }
}
