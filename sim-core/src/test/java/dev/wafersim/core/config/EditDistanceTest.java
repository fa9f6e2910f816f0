package dev.wafersim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EditDistanceTest {
    @Test
    void between_textbookCases() {
        // kitten -> sitten (substitute) -> sittin (substitute) -> sitting (insert): 3.
        assertEquals(3, EditDistance.between("kitten", "sitting"));
        assertEquals(3, EditDistance.between("", "abc"));
        assertEquals(0, EditDistance.between("batch", "batch"));
        // bach -> batch: one insertion.
        assertEquals(1, EditDistance.between("bach", "batch"));
    }
}
