package dev.wafersim.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CSV lines and tables: RFC 4180 quoting, one record per line, partial tails, duplicates. */
class CsvTest {
    private static Csv.Table parse(String text) {
        return Csv.parse(text.getBytes(StandardCharsets.UTF_8), "t.csv");
    }

    @Test
    void line_commaQuoteAndEdgeSpace_quotedAsRfc4180() {
        assertEquals("a,\"b,c\",\" d\",\"e\"\"f\",\n", Csv.line(List.of("a", "b,c", " d", "e\"f", "")));
    }

    @Test
    void line_lineBreakInField_becomesSpaceSoOneRecordIsOneLine() {
        String line = Csv.line(List.of("x\ny\rz"));
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), line);
        assertEquals(List.of(List.of("x y z")), parse("h\n" + line).rows());
    }

    @Test
    void parse_linesRoundTrip_recordsEqualFields() {
        List<String> h = List.of("point", "error");
        List<String> r = List.of("0", "said \"no\", twice");
        Csv.Table t = parse(Csv.line(h) + Csv.line(r));
        assertEquals(h, t.header());
        assertEquals(List.of(r), t.rows());
        assertEquals(List.of(2), t.lines());
        assertEquals(0, t.partialTail());
    }

    @Test
    void parse_lastLineWithoutNewline_isAPartialTailNotARecord() {
        Csv.Table t = parse("a,b\n1,2\n3,");
        assertEquals(1, t.rows().size());
        assertEquals(2, t.partialTail());
    }

    @Test
    void parse_recordOfWrongLength_namesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("a,b\n1,2\n1,2,3\n"));
        assertEquals("t.csv: line 3 has 3 fields; the header has 2", e.getMessage());
    }

    @Test
    void parse_unterminatedQuote_oneLineWithoutJacksonSource() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("a,b\n\"1,2\n"));
        assertTrue(e.getMessage().startsWith("t.csv: not valid CSV"), e.getMessage());
        assertFalse(e.getMessage().contains("Source:"), e.getMessage());
        assertFalse(e.getMessage().contains("reference chain"), e.getMessage());
    }

    @Test
    void parse_empty_noHeader() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(""));
        assertTrue(e.getMessage().contains("no header line"), e.getMessage());
    }

    @Test
    void requireUnique_pointTwice_namesBothLines() {
        Csv.Table t = parse("point,x\n0,a\n1,b\n0,a\n");
        ConfigException e = assertThrows(ConfigException.class, () -> t.requireUnique("point", "t.csv", "chart"));
        assertTrue(e.getMessage().startsWith("chart: t.csv holds point 0 twice (lines 2 and 4)"), e.getMessage());
    }
}
