package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code wafersim gate} end to end on real run results and doctored copies. */
class GateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path baseline;

    @BeforeEach
    void baseline() {
        baseline = tmp.resolve("baseline.json");
        CliRunner r = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-1b", "--tokens", "3", "--json",
                baseline.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
    }

    /** A copy of the baseline whose latencies are {@code factor} times the baseline's. */
    private Path scaled(String name, double factor) throws Exception {
        ObjectNode j = (ObjectNode) JSON.readTree(baseline.toFile());
        for (String k : new String[] {"perTokenLatencyMs", "p50Ms", "p99Ms", "minMs", "maxMs"}) {
            j.put(k, j.get(k).asDouble() * factor);
        }
        j.put("tokensPerSecond", j.get("tokensPerSecond").asDouble() / factor);
        j.put("tokensPerSecondTotal", j.get("tokensPerSecondTotal").asDouble() / factor);
        Path p = tmp.resolve(name);
        Files.writeString(p, j.toString());
        return p;
    }

    private static Document xml(Path p) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readString(p).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void gate_identicalFiles_passWithEveryMetricOk() throws Exception {
        Path junit = tmp.resolve("reports/gate.xml");
        Path md = tmp.resolve("reports/gate.md");
        CliRunner r = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", baseline.toString(),
                "--junit", junit.toString(), "--markdown", md.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        assertTrue(r.lastLine().startsWith("gate PASS: 0 regressions, 0 improvements, 3 within tolerance"), r.out);
        Document d = xml(junit);
        NodeList cases = d.getElementsByTagName("testcase");
        assertEquals(3, cases.getLength());
        assertEquals(0, d.getElementsByTagName("failure").getLength());
        assertEquals("0", ((Element) d.getElementsByTagName("testsuite").item(0)).getAttribute("failures"));
        assertTrue(Files.readString(md).startsWith("### wafersim gate: PASS"));
    }

    @Test
    void gate_tenPercentSlower_exit1WithJUnitFailures() throws Exception {
        Path current = scaled("slow.json", 1.10);
        Path junit = tmp.resolve("gate.xml");
        Path md = tmp.resolve("gate.md");
        CliRunner r = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", current.toString(),
                "--junit", junit.toString(), "--markdown", md.toString());
        assertEquals(Main.EXIT_GATE_FAILED, r.exitCode, r.out + r.err);
        assertTrue(r.out.matches("(?s).*perTokenLatencyMs +[0-9.]+ +[0-9.]+ +\\+10\\.00% +±2\\.00% +REGRESSION.*"), r.out);
        assertTrue(r.out.matches("(?s).*tokensPerSecond +[0-9.]+ +[0-9.]+ +-9\\.09% +±2\\.00% +REGRESSION.*"), r.out);
        assertTrue(r.lastLine().startsWith("gate FAIL: 3 regressions"), r.out);
        Document d = xml(junit);
        NodeList failures = d.getElementsByTagName("failure");
        assertEquals(3, failures.getLength());
        Element f = (Element) failures.item(0);
        assertEquals("perTokenLatencyMs", ((Element) f.getParentNode()).getAttribute("name"));
        assertEquals("wafersim.gate.h100-sxm", ((Element) f.getParentNode()).getAttribute("classname"));
        assertTrue(f.getAttribute("message").contains("regressed by 10.00%"), f.getAttribute("message"));
        String mdText = Files.readString(md);
        assertTrue(mdText.startsWith("### wafersim gate: FAIL (3 regressions"), mdText);
        assertTrue(mdText.contains("| h100-sxm | perTokenLatencyMs (ms) |") && mdText.contains("**REGRESSION**"), mdText);

        // A wider tolerance on all default metrics lets it through.
        CliRunner wide = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", current.toString(),
                "--tolerance", "11");
        assertEquals(Main.EXIT_OK, wide.exitCode, wide.out);
        // Only latency widened: throughput and p99 still fail.
        CliRunner one = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", current.toString(),
                "--tolerance", "perTokenLatencyMs=11");
        assertEquals(Main.EXIT_GATE_FAILED, one.exitCode, one.out);
        assertTrue(one.lastLine().startsWith("gate FAIL: 2 regressions"), one.out);
    }

    @Test
    void gate_fivePercentFaster_passesAndReportsTheImprovement() throws Exception {
        Path current = scaled("fast.json", 0.95);
        Path junit = tmp.resolve("gate.xml");
        CliRunner r = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", current.toString(),
                "--junit", junit.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.out);
        assertTrue(r.out.matches("(?s).*perTokenLatencyMs +[0-9.]+ +[0-9.]+ +-5\\.00% +±2\\.00% +improved.*"), r.out);
        assertTrue(r.lastLine().startsWith("gate PASS: 0 regressions, 3 improvements"), r.out);
        Document d = xml(junit);
        assertEquals(0, d.getElementsByTagName("failure").getLength());
        assertTrue(d.getElementsByTagName("system-out").item(0).getTextContent().startsWith("improved:"));
    }

    @Test
    void gate_breakdownMetricAndWithinTolerance() throws Exception {
        Path current = scaled("same.json", 1.01);
        CliRunner r = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", current.toString(),
                "--tolerance", "breakdownMs.weightReads=1");
        assertEquals(Main.EXIT_OK, r.exitCode, r.out);
        assertTrue(r.out.contains("breakdownMs.weightReads"), r.out);
        assertTrue(r.lastLine().startsWith("gate PASS: 0 regressions, 0 improvements, 4 within tolerance"), r.out);
    }

    @Test
    void gate_badInput_exit2AndNoReports() throws Exception {
        Path junit = tmp.resolve("never.xml");
        Path malformed = tmp.resolve("malformed.json");
        Files.writeString(malformed, "{\"system\": \"h100-sxm\", ");
        Path notResult = tmp.resolve("other.json");
        Files.writeString(notResult, "{\"hello\": 1}");
        Path otherModel = tmp.resolve("70b.json");
        CliRunner run = CliRunner.run("run", "--system", "h100-sxm", "--model", "llama-3.2-3b", "--tokens", "3", "--json",
                otherModel.toString());
        assertEquals(Main.EXIT_OK, run.exitCode, run.err);
        String b = baseline.toString();
        String[][] cases = {
            {"no such file", "--current", tmp.resolve("missing.json").toString()},
            {"not valid JSON", "--current", malformed.toString()},
            {"not a wafersim result", "--current", notResult.toString()},
            {"unknown metric 'latency'", "--current", b, "--tolerance", "latency=2"},
            {"--tolerance lots", "--current", b, "--tolerance", "lots"},
            {"different experiments (h100-sxm: model llama-3.2-1b vs llama-3.2-3b", "--current", otherModel.toString()},
        };
        for (String[] c : cases) {
            String[] args = TestFiles.concat(new String[] {"gate", "--baseline", b, "--junit", junit.toString()},
                    java.util.Arrays.copyOfRange(c, 1, c.length));
            CliRunner r = CliRunner.run(args);
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode, String.join(" ", args) + ": " + r.out + r.err);
            assertTrue(r.err.contains(c[0]), "expected '" + c[0] + "' in: " + r.err);
            assertFalse(r.err.contains("at dev.wafersim"), r.err);
            assertFalse(Files.exists(junit));
        }
        // Allowed, the differences are listed and the metrics compared.
        CliRunner allowed = CliRunner.run("gate", "--baseline", b, "--current", otherModel.toString(),
                "--allow-different-config");
        assertTrue(allowed.exitCode == Main.EXIT_GATE_FAILED, allowed.out);
        assertTrue(allowed.out.contains("experiments differ (allowed by --allow-different-config)"), allowed.out);
    }

    @Test
    void gate_compareResults_matchedBySystemLabel() throws Exception {
        Path a = tmp.resolve("a.json");
        CliRunner r = CliRunner.run("compare", "--model", "llama-3.2-1b", "--systems", "h100-sxm,h200", "--tokens", "2",
                "--json", a.toString());
        assertEquals(Main.EXIT_OK, r.exitCode, r.err);
        ObjectNode j = (ObjectNode) JSON.readTree(a.toFile());
        ObjectNode h200 = (ObjectNode) j.get("results").get(1);
        h200.put("perTokenLatencyMs", h200.get("perTokenLatencyMs").asDouble() * 1.5);
        Path b = tmp.resolve("b.json");
        Files.writeString(b, j.toString());
        Path junit = tmp.resolve("g.xml");
        CliRunner g = CliRunner.run("gate", "--baseline", a.toString(), "--current", b.toString(), "--junit",
                junit.toString());
        assertEquals(Main.EXIT_GATE_FAILED, g.exitCode, g.out);
        Document d = xml(junit);
        assertEquals(6, d.getElementsByTagName("testcase").getLength());
        Element f = (Element) d.getElementsByTagName("failure").item(0);
        assertEquals("wafersim.gate.h200", ((Element) f.getParentNode()).getAttribute("classname"));
        // A run result against a compare result: different systems.
        CliRunner mixed = CliRunner.run("gate", "--baseline", baseline.toString(), "--current", a.toString());
        assertEquals(Main.EXIT_BAD_INPUT, mixed.exitCode);
    }
}
