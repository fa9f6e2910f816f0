package dev.wafersim.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** One table, three renderings: aligned text, raw CSV and Markdown. */
class TableTest {
    private static Table sample() {
        return Table.builder().text("system").number("perTokenLatencyMs", "mean ms", "%.3f").number("batch", "batch", "")
                .build().row("wse3", 0.5334567, 1).row("h100-sxm:gpus=8", 3.25912, 64).row("b200", null, 2);
    }

    @Test
    void text_columns_alignedTwoSpacesApartNumbersRight() {
        String nl = System.lineSeparator();
        // Widths: system 15 ("h100-sxm:gpus=8"), mean ms 7, batch 5.
        String expected = "system           mean ms  batch" + nl
                + "wse3               0.533      1" + nl
                + "h100-sxm:gpus=8    3.259     64" + nl
                + "b200                   -      2" + nl;
        assertEquals(expected, sample().text());
    }

    @Test
    void csv_numbers_keepFullPrecisionAndMachineNames() {
        assertEquals("system,perTokenLatencyMs,batch\nwse3,0.5334567,1\nh100-sxm:gpus=8,3.25912,64\nb200,,2\n",
                sample().csv());
    }

    @Test
    void csv_textWithComma_isQuoted() {
        Table t = Table.builder().text("machine").build().row("8 x h100, tp 8");
        assertEquals("machine\n\"8 x h100, tp 8\"\n", t.csv());
    }

    @Test
    void markdown_table_rightAlignsNumbers() {
        assertEquals("| system | mean ms | batch |\n|---|---:|---:|\n| wse3 | 0.533 | 1 |\n"
                + "| h100-sxm:gpus=8 | 3.259 | 64 |\n| b200 | - | 2 |\n", sample().markdown());
    }

    @Test
    void row_wrongCellCount_isRejected() {
        Table t = Table.builder().text("a").text("b").build();
        assertThrows(IllegalArgumentException.class, () -> t.row("x"));
    }
}
