package dev.wafersim.workloads.speculative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import org.junit.jupiter.api.Test;

/** {@code --speculative}: parsing and the refusals of bad input. */
class SpeculativeSpecTest {
    private static final ModelSpec TARGET = ModelCatalog.resolve("llama-3.1-70b");

    private static String refused(String text) {
        return assertThrows(ConfigException.class, () -> SpeculativeSpec.parse(text, "--speculative", TARGET)).getMessage();
    }

    @Test
    void parse_constantRate_givesKEqualRates() {
        SpeculativeSpec s = SpeculativeSpec.parse("draft=llama-3.2-1b,k=4,acceptance=0.7", "--speculative", TARGET);
        assertEquals(4, s.k());
        assertArrayEquals(new double[] {0.7, 0.7, 0.7, 0.7}, s.rates());
        assertEquals(SpeculativeSpec.Placement.SAME, s.placement());
    }

    @Test
    void parse_perPositionRates_setK() {
        SpeculativeSpec s = SpeculativeSpec.parse("draft=llama-3.2-3b,acceptance=0.9/0.8/0.7,placement=separate",
                "--speculative", TARGET);
        assertEquals(3, s.k());
        assertEquals(SpeculativeSpec.Placement.SEPARATE, s.placement());
    }

    @Test
    void parse_acceptanceOutsideUnitInterval_isRefused() {
        assertTrue(refused("draft=llama-3.2-1b,k=4,acceptance=1.5").contains("acceptance=1.5 is not allowed; expected a"
                + " rate in [0, 1]"));
        assertTrue(refused("draft=llama-3.2-1b,k=4,acceptance=-0.1").contains("acceptance=-0.1 is not allowed"));
    }

    @Test
    void parse_kBelowOne_isRefused() {
        assertTrue(refused("draft=llama-3.2-1b,k=0,acceptance=0.7").contains("k=0 is not allowed; expected an integer"
                + " in [1, 64]"));
    }

    @Test
    void parse_draftLargerThanTarget_isRefused() {
        assertTrue(refused("draft=llama-3.1-405b,k=4,acceptance=0.7").contains("expected a smaller draft"));
    }

    @Test
    void parse_draftOfAnotherVocabulary_isRefused() {
        // Llama 2 7B has 32,000 tokens, Llama 3.1 128,256.
        assertTrue(refused("draft=llama-2-7b,k=4,acceptance=0.7").contains("has a vocabulary of 32,000 tokens"));
    }

    @Test
    void parse_unknownKeyOrPlacement_isRefused() {
        assertTrue(refused("draft=llama-3.2-1b,k=4,acceptance=0.7,placment=same").contains("did you mean placement"));
        assertTrue(refused("draft=llama-3.2-1b,k=4,acceptance=0.7,placement=far").contains("placement=far is not allowed"));
        assertTrue(refused("draft=llama-3.2-1b,k=3,acceptance=0.9/0.8").contains("gives 2 rates for k=3"));
    }
}
