package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    @Test
    void names_allPresetsInCatalogOrder() {
        assertEquals(List.of("llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
                "llama-2-7b", "llama-2-70b", "qwen2.5-32b", "mixtral-8x7b", "gpt-oss-120b"), ModelCatalog.names());
    }

    @Test
    void get_mixedCaseAndSpaces_findsPreset() {
        assertEquals("llama-3.1-70b", ModelCatalog.get("  Llama-3.1-70B ").name());
        assertEquals("gpt-oss-120b", ModelCatalog.get("GPT-OSS-120B").name());
    }

    @Test
    void get_nearMiss_suggestsClosestAndListsAll() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelCatalog.get("mixtral-8x7"));
        assertTrue(ex.getMessage().startsWith("model=mixtral-8x7 is not a known model; did you mean mixtral-8x7b? "),
                ex.getMessage());
        for (String n : ModelCatalog.names()) {
            assertTrue(ex.getMessage().contains(n), n);
        }
    }

    @Test
    void get_unrelatedName_listsWithoutSuggestion() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ModelCatalog.get("bert-base-uncased"));
        assertFalse(ex.getMessage().contains("did you mean"), ex.getMessage());
        assertTrue(ex.getMessage().contains("expected one of llama-3.2-1b, "), ex.getMessage());
    }

    @Test
    void presets_publishedArchitecture_spotChecks() {
        // Values from each model's config.json (see ModelSpec.source()).
        ModelSpec l405 = ModelCatalog.get("llama-3.1-405b");
        assertEquals(126, l405.numLayers());
        assertEquals(16384, l405.hiddenSize());
        assertEquals(128, l405.headDim(), "16384 / 128 heads");
        ModelSpec l27 = ModelCatalog.get("llama-2-7b");
        assertEquals(32, l27.numKvHeads(), "Llama-2-7B is multi-head attention");
        ModelSpec q = ModelCatalog.get("qwen2.5-32b");
        assertTrue(q.qkvBias());
        assertFalse(q.outputBias(), "Qwen2 o_proj has no bias");
        ModelSpec g = ModelCatalog.get("gpt-oss-120b");
        assertEquals(4096, g.qDim(), "64 heads x 64, wider than hidden 2880");
        assertEquals(GatedActivation.CLAMPED_SWIGLU, g.activation());
        assertTrue(g.attentionSinks() && g.mlpBias() && g.outputBias());
        assertTrue(ModelCatalog.get("llama-3.2-3b").tiedEmbeddings());
        for (ModelSpec m : ModelCatalog.all()) {
            assertTrue(m.source().startsWith("https://huggingface.co/") && m.source().endsWith("/config.json"),
                    m.source());
        }
    }
}
