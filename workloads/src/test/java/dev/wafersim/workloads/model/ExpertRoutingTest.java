package dev.wafersim.workloads.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpertRoutingTest {

    @Test
    void uniformExpected_oneToken_isK() {
        assertEquals(2.0, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(8, 2, 1), 0.0);
        assertEquals(4.0, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(128, 4, 1), 0.0);
        assertEquals(4.0, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(60, 4, 1), 0.0);
    }

    @Test
    void uniformExpected_twoTokens_matchesClosedForm() {
        // 8 * (1 - (6/8)^2) = 8 * 7/16 = 3.5; 128 * (1 - (124/128)^2) = 128 * 63/1024 = 7.875.
        assertEquals(3.5, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(8, 2, 2), 1e-12);
        assertEquals(7.875, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(128, 4, 2), 1e-12);
    }

    @Test
    void uniformExpected_batch32_gptOss() {
        // 128 * (1 - (31/32)^32); (31/32)^32 = exp(32 ln 0.96875) = exp(-1.015958) = 0.362055 -> 81.657.
        assertEquals(81.657, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(128, 4, 32), 1e-3);
    }

    @Test
    void uniformExpected_largeBatch_tendsToAllExperts() {
        // 8 * (1 - 0.75^64) = 8 - 8.07e-8.
        double d = ExpertRouting.UNIFORM_EXPECTED.distinctExperts(8, 2, 64);
        assertEquals(8.0, d, 1e-7);
        assertTrue(d < 8.0);
        assertEquals(128.0, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(128, 4, 100_000), 1e-9);
    }

    @Test
    void uniformExpected_kEqualsE_allExperts() {
        assertEquals(8.0, ExpertRouting.UNIFORM_EXPECTED.distinctExperts(8, 8, 3), 0.0);
    }

    @Test
    void allDistinct_isMinOfExpertsAndPairs() {
        assertEquals(32.0, ExpertRouting.ALL_DISTINCT.distinctExperts(128, 4, 8), 0.0);
        assertEquals(128.0, ExpertRouting.ALL_DISTINCT.distinctExperts(128, 4, 32), 0.0);
    }
}
