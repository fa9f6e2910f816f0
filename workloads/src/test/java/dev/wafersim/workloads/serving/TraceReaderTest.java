package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.random.Rng;
import org.junit.jupiter.api.Test;

class TraceReaderTest {
    private static ConfigException bad(String text) {
        return assertThrows(ConfigException.class, () -> TraceReader.read(text, "t.csv"));
    }

    @Test
    void read_wafersimCsv_takesArrivalSecondsAsGiven() {
        RequestTrace t = TraceReader.read("arrival_s,prompt_tokens,output_tokens\n0.5,100,20\n\n1.25,7,1\n", "t.csv");
        assertEquals(2, t.size());
        assertEquals(500_000_000_000L, t.arrivalPs(0));
        assertEquals(1_250_000_000_000L, t.arrivalPs(1));
        assertEquals(100, t.promptTokens(0));
        assertEquals(1, t.outputTokens(1));
        assertTrue(t.description().contains("wafersim"), t.description());
    }

    @Test
    void read_azureCsv_arrivalIsSecondsSinceTheFirstRow() {
        // 18:15:47.0000000 - 18:15:46.6805900 = 0.31941 s; the columns may come in any order, extra ones ignored.
        RequestTrace t = TraceReader.read("ContextTokens,TIMESTAMP,GeneratedTokens,Extra\n"
                + "4808,2023-11-16 18:15:46.6805900,10,x\n"
                + "3180,2023-11-16 18:15:47.0000000,8,y\n"
                + "110,2023-11-16T18:15:48Z,27,z\n", "azure.csv");
        assertEquals(0, t.arrivalPs(0));
        assertEquals(319_410_000_000L, t.arrivalPs(1));
        assertEquals(1_319_410_000_000L, t.arrivalPs(2));
        assertEquals(4808, t.promptTokens(0));
        assertEquals(27, t.outputTokens(2));
    }

    @Test
    void read_azureWithUtcOffset_convertsToUtc() {
        RequestTrace t = TraceReader.read("TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2024-05-10 00:00:00.009930+00:00,1,1\n2024-05-10 02:00:01.009930+02:00,2,2\n", "a.csv");
        assertEquals(1_000_000_000_000L, t.arrivalPs(1));
    }

    @Test
    void read_mooncakeJsonLines_timestampInMilliseconds() {
        RequestTrace t = TraceReader.read("{\"timestamp\": 0, \"input_length\": 6955, \"output_length\": 52,"
                + " \"hash_ids\": [46, 47, 48]}\n{\"timestamp\": 27.5, \"input_length\": 100, \"output_length\": 3}\n",
                "m.jsonl");
        assertEquals(27_500_000_000L, t.arrivalPs(1));
        assertEquals(6955, t.promptTokens(0));
        assertEquals(3, t.outputTokens(1));
        assertTrue(t.description().contains("mooncake"));
    }

    @Test
    void read_badRows_nameFileLineColumnAndValue() {
        String h = "arrival_s,prompt_tokens,output_tokens\n";
        assertEquals("t.csv: line 3, column prompt_tokens: value '-4' is not allowed; expected an integer token count"
                + " in [1, 1073741824]", bad(h + "0,1,1\n1,-4,2\n").getMessage());
        assertEquals("t.csv: line 2, column output_tokens: value '0' is not allowed; expected an integer token count"
                + " in [1, 1073741824]", bad(h + "0,5,0\n").getMessage());
        assertEquals("t.csv: line 2, column arrival_s: value 'soon' is not allowed; expected a time >= 0 (s)",
                bad(h + "soon,5,1\n").getMessage());
        assertEquals("t.csv: line 3, column arrival_s: value '0.5' is before the previous row's arrival; expected rows"
                + " in arrival order", bad(h + "1,5,1\n0.5,5,1\n").getMessage());
        assertEquals("t.csv: line 2 has 2 fields; the header has 3", bad(h + "1,5\n").getMessage());
        assertTrue(bad(h + "-1,5,1\n").getMessage().startsWith("t.csv: line 2, column arrival_s: value '-1'"));
        assertTrue(bad(h + "0,5.5,1\n").getMessage().contains("value '5.5'"));
        assertTrue(bad(h).getMessage().contains("no requests"));
        assertTrue(bad("").getMessage().contains("empty"));
        assertTrue(bad("time,in,out\n1,2,3\n").getMessage().contains("is not a known trace format"));
        assertEquals("t.csv: line 2, column TIMESTAMP: value 'yesterday' is not allowed; expected a date-time such as"
                + " 2023-11-16 18:15:46.6805900", bad("TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,1,1\n")
                .getMessage());
        assertTrue(bad("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,1,1\n2023-11-16 18:15:45,1,1\n")
                .getMessage().contains("line 3, column TIMESTAMP"));
    }

    @Test
    void read_badMooncakeLines_nameLineAndField() {
        assertEquals("t.csv: line 2: field output_length is missing; expected timestamp, input_length and output_length",
                bad("{\"timestamp\": 1, \"input_length\": 2, \"output_length\": 3}\n{\"timestamp\": 2, \"input_length\": 2}\n")
                        .getMessage());
        assertEquals("t.csv: line 1, field input_length: value '\"many\"' is not allowed; expected an integer token count"
                + " in [1, 1073741824]", bad("{\"timestamp\": 1, \"input_length\": \"many\", \"output_length\": 3}\n")
                .getMessage());
        assertTrue(bad("{\"timestamp\": 1, \"input_length\": 2, \"output_length\": 3, \"hash_ids\": 5}\n").getMessage()
                .contains("field hash_ids"));
        assertTrue(bad("{\"timestamp\": 1, \"input_length\": 2, \"output_length\": 3}\n[1, 2]\n").getMessage()
                .startsWith("t.csv: line 2 is not a JSON object"));
        assertTrue(bad("{\"timestamp\": 1, \"input_length\": 2, \"output_length\": 3}\n{oops\n").getMessage()
                .startsWith("t.csv: line 2 is not a JSON object"));
        assertTrue(bad("{\"timestamp\": -1, \"input_length\": 2, \"output_length\": 3}\n").getMessage()
                .startsWith("t.csv: line 1, field timestamp: value '-1'"));
    }

    @Test
    void writeThenRead_everyFormat_givesTheSameRequests() {
        SyntheticWorkload w = new SyntheticWorkload(200, ArrivalProcess.parse("gamma:cv=2"),
                LengthDistribution.parse("lognormal:median=2000,sigma=1", "p"),
                LengthDistribution.parse("uniform:1..500", "o"), 4);
        RequestTrace t = w.trace(5);
        for (TraceFormat f : TraceFormat.values()) {
            RequestTrace back = TraceReader.read(TraceWriter.text(t, f), "x");
            assertEquals(t.size(), back.size(), f.word());
            for (int i = 0; i < t.size(); i++) {
                // Azure keeps 100 ns; the others every ps.
                long tolerance = f == TraceFormat.AZURE ? 50_000 : 0;
                long diff = (t.arrivalPs(i) - t.arrivalPs(0)) - (back.arrivalPs(i) - back.arrivalPs(0));
                assertTrue(Math.abs(diff) <= tolerance, f.word() + " row " + i + ": " + diff + " ps");
                assertEquals(t.promptTokens(i), back.promptTokens(i));
                assertEquals(t.outputTokens(i), back.outputTokens(i));
            }
        }
    }

    /**
     * Property: whatever a line holds, a trace with it either loads or fails with a ConfigException (never
     * another exception). Lines are random strings over the characters traces are made of, and valid lines
     * with one character changed; fixed seeds, 3 x 4,000 cases.
     */
    @Test
    void read_anyLine_loadsOrFailsWithConfigException() {
        String alphabet = "0123456789,.-+eE:T Z\"{}[]abcdt_ \t";
        String[] headers = {"arrival_s,prompt_tokens,output_tokens\n", "TIMESTAMP,ContextTokens,GeneratedTokens\n", ""};
        String[] valid = {"1.5,100,20", "2023-11-16 18:15:46.6805900,4808,10",
            "{\"timestamp\": 3, \"input_length\": 5, \"output_length\": 2, \"hash_ids\": [1]}"};
        for (int h = 0; h < headers.length; h++) {
            Rng rng = new Rng(1234 + h);
            for (int c = 0; c < 4000; c++) {
                String line;
                if (c % 2 == 0) {
                    StringBuilder sb = new StringBuilder();
                    int n = rng.nextInt(40);
                    for (int k = 0; k < n; k++) {
                        sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
                    }
                    line = sb.toString();
                } else {
                    StringBuilder sb = new StringBuilder(valid[h]);
                    int at = rng.nextInt(sb.length());
                    sb.setCharAt(at, alphabet.charAt(rng.nextInt(alphabet.length())));
                    line = sb.toString();
                }
                String text = headers[h] + (h == 2 ? valid[2] + "\n" : valid[h] + "\n") + line + "\n";
                try {
                    RequestTrace t = TraceReader.read(text, "p");
                    assertTrue(t.size() >= 1);
                } catch (ConfigException expected) {
                    assertTrue(expected.getMessage().startsWith("p: "), expected.getMessage());
                } catch (RuntimeException e) {
                    throw new AssertionError("line '" + line + "' of format " + h + " threw " + e, e);
                }
            }
        }
    }
}
