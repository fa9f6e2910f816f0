package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.HfConfigReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every input reader, fed anything: experiment files (YAML and JSON), Hugging Face configs, sweep specs,
 * {@code --set} values, result files for the gate, CSV files for charts. Each input either loads or fails
 * with the project's {@link ConfigException} (exit code 2, one line without Jackson's
 * {@code [Source: ...]}), never another exception, never a hang (each try has {@value #LIMIT_S} s). Inputs
 * are both random text and documents built from the readers' own keys with hostile values, so most tries
 * get past the parser. Tries are kept low so the suite stays fast.
 */
class InputReadersPropertyTest {
    private static final long LIMIT_S = 20;
    private static Path dir;
    private static ExecutorService pool;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("wafersim-props");
        pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "property-try");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterContainer
    static void tearDown() throws IOException {
        pool.shutdownNow();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** Runs {@code reader}: it returns, or throws a ConfigException with a clean one-line message. */
    private static void loadsOrConfigException(Callable<?> reader, String input) {
        Future<?> f = pool.submit(reader);
        try {
            f.get(LIMIT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail("no answer within " + LIMIT_S + " s for input: " + input);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (!(c instanceof ConfigException)) {
                throw new AssertionError("input gave " + c + " instead of a ConfigException: " + input, c);
            }
            cleanMessage(c.getMessage(), input);
        }
    }

    private static void cleanMessage(String m, String input) {
        assertTrue(m != null && !m.isBlank(), "empty message for " + input);
        assertTrue(!m.contains("[Source:") && !m.contains("REDACTED") && !m.contains("reference chain"),
                "Jackson's internals in the message: " + m);
    }

    /** Runs a command line: exit 0, 1 or 2, never 4 (internal error) or a hang. */
    private static void exitsCleanly(String input, String... args) {
        Future<CliRunner> f = pool.submit(() -> CliRunner.run(args));
        CliRunner r;
        try {
            r = f.get(LIMIT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no answer within " + LIMIT_S + " s for input: " + input);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
        assertTrue(r.exitCode == Main.EXIT_OK || r.exitCode == Main.EXIT_GATE_FAILED || r.exitCode == Main.EXIT_BAD_INPUT,
                "exit " + r.exitCode + " for input " + input + "\n" + r.err);
        if (r.exitCode == Main.EXIT_BAD_INPUT) {
            cleanMessage(r.err, input);
            assertTrue(!r.err.contains("\tat "), "a stack trace for " + input + ": " + r.err);
        }
    }

    private static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    // ---- generators ----

    /** A scalar as YAML or JSON writes it, hostile ones included. */
    private static Arbitrary<String> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-1", "1", "8", "4096", "1e309", "-1e309", ".nan", ".inf", "-.inf", "NaN", "null", "~",
                        "true", "false", "auto", "\"\"", "''", "9223372036854775808", "2147483648", "1.5", "0x10", "1_000",
                        "[]", "{}", "[1, 2]", "{a: 1}", "\"a,b\"", "bf16", "fp8", "int4:g0", "int4:g64", "on", "off"),
                Arbitraries.integers().between(-5, 1 << 20).map(String::valueOf),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12).map(s -> "\"" + s.replace("\\", "")
                        .replace("\"", "") + "\""));
    }

    /** Keys an experiment file knows, misspelt ones and nonsense. */
    private static Arbitrary<String> experimentKeys() {
        return Arbitraries.of("system", "model", "modelFile", "description", "systems", "sweep", "set", "workload",
                "sytem", "workload.batch", "", "set.hbm.reservedGB");
    }

    private static Arbitrary<String> workloadKeys() {
        return Arbitraries.of("batch", "context", "tokens", "precision", "gpus", "tp", "pp", "cudaGraphs", "wafers",
                "exact", "beyondMaxPositions", "bach", "");
    }

    private static Arbitrary<String> paramKeys() {
        return Arbitraries.of("hbm.peakBandwidthGBps", "hbm.reservedGB", "kernel.cudaGraphs", "gpu.peakFp8Tflops",
                "mapping.strategy", "mapping.reduction", "hbm", "hbm.", "x.y", "set.hbm.reservedGB");
    }

    @Provide
    Arbitrary<String> experimentYaml() {
        Arbitrary<String> top = Combinators.combine(experimentKeys(), scalars()).as((k, v) -> k + ": " + v);
        Arbitrary<String> workload = Combinators.combine(workloadKeys(), scalars()).as((k, v) -> k + ": " + v)
                .list().ofMaxSize(5).map(l -> "workload: {" + String.join(", ", l) + "}");
        Arbitrary<String> set = Combinators.combine(paramKeys(), scalars()).as((k, v) -> "  " + k + ": " + v)
                .list().ofMaxSize(3).map(l -> "set:\n" + String.join("\n", l));
        Arbitrary<String> sweep = Combinators.combine(Arbitraries.of("workload.batch", "workload.context", "system",
                "model", "hbm.reservedGB", "workload.bach", "gpus"), scalars().list().ofMaxSize(3))
                .as((k, vs) -> "sweep:\n  " + k + ": [" + String.join(", ", vs) + "]");
        Arbitrary<String> systemLine = Arbitraries.of("system: h100-sxm", "system: wse3", "system: b200", "system: nope",
                "");
        Arbitrary<String> modelLine = Arbitraries.of("model: llama-3.2-1b", "model: llama-3.1-8b", "model: gpt-oss-120b",
                "model: x.json", "modelFile: missing.json", "");
        return Combinators.combine(systemLine, modelLine, Arbitraries.oneOf(top, workload, set, sweep).list().ofMaxSize(4))
                .as((s, m, rest) -> s + "\n" + m + "\n" + String.join("\n", rest) + "\n");
    }

    @Provide
    Arbitrary<String> hfConfig() {
        Arbitrary<String> keys = Arbitraries.of("model_type", "architectures", "num_hidden_layers", "hidden_size",
                "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size", "vocab_size",
                "tie_word_embeddings", "hidden_act", "attention_bias", "mlp_bias", "sliding_window", "use_sliding_window",
                "max_window_layers", "layer_types", "num_local_experts", "num_experts_per_tok", "experts_per_token",
                "max_position_embeddings", "rope_scaling", "_name_or_path");
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("\"llama\"", "\"mistral\"", "\"mixtral\"", "\"qwen2\"", "\"gpt_oss\"", "\"bert\"",
                        "[\"LlamaForCausalLM\"]", "[\"full_attention\", \"sliding_attention\"]", "[\"x\"]", "\"silu\"",
                        "\"gelu\"", "null", "true", "false", "0", "-3", "1", "2", "4", "64", "128", "2147483648", "1e400",
                        "1.5", "{\"factor\": 8.0}", "[]", "{}", "\"\"", "65536", "16777217"),
                Arbitraries.integers().between(1, 300).map(String::valueOf));
        Arbitrary<String> member = Combinators.combine(keys, values).as((k, v) -> "\"" + k + "\": " + v);
        String base = "\"model_type\": \"llama\", \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 128, \"vocab_size\": 100";
        return Combinators.combine(Arbitraries.of(true, false), member.list().ofMaxSize(6))
                .as((withBase, ms) -> "{" + (withBase ? base + (ms.isEmpty() ? "" : ", ") : "") + String.join(", ", ms)
                        + "}");
    }

    // ---- properties ----

    @Property(tries = 150)
    void experimentFile_structuredYaml_loadsOrConfigException(@ForAll("experimentYaml") String yaml) throws IOException {
        Path f = write("exp.yaml", yaml);
        loadsOrConfigException(() -> {
            ExperimentFile.Contents c = ExperimentFile.read(f, Set.of("sweep", "systems"));
            return Experiments.spec(c, null, new WorkloadOptions(), List.of()).resolve(false);
        }, yaml);
    }

    @Property(tries = 150)
    void experimentFile_anyText_loadsOrConfigException(@ForAll String text, @ForAll boolean json) throws IOException {
        Path f = write(json ? "any.json" : "any.yaml", text);
        loadsOrConfigException(() -> ExperimentFile.read(f, Set.of("sweep", "systems")), text);
    }

    @Property(tries = 150)
    void hfConfig_structured_loadsOrConfigException(@ForAll("hfConfig") String json) throws IOException {
        Path f = write("config.json", json);
        loadsOrConfigException(() -> HfConfigReader.readReport(f), json);
    }

    @Property(tries = 100)
    void hfConfig_anyBytes_loadsOrConfigException(@ForAll byte[] bytes) throws IOException {
        Path f = dir.resolve("bytes.json");
        Files.write(f, bytes);
        loadsOrConfigException(() -> HfConfigReader.readReport(f), java.util.Arrays.toString(bytes));
    }

    @Property(tries = 60)
    void sweepSpec_structured_dryRunExitsCleanly(@ForAll("experimentYaml") String yaml) throws IOException {
        Path f = write("spec.yaml", yaml);
        exitsCleanly(yaml, "sweep", "--spec", f.toString(), "--out", dir.resolve("never.csv").toString(), "--dry-run");
    }

    @Property(tries = 80)
    void setValues_anyKeyAndValue_dryRunExitsCleanly(@ForAll("setEntry") String entry,
                                                      @ForAll("systemName") String system) {
        exitsCleanly(entry, "sweep", "--system", system, "--model", "llama-3.2-1b", "--set", entry, "--out",
                dir.resolve("never.csv").toString(), "--dry-run");
    }

    @Provide
    Arbitrary<String> setEntry() {
        Arbitrary<String> keys = Arbitraries.oneOf(paramKeys(), Arbitraries.of("workload.batch", "workload.context",
                "workload.tokens", "workload.precision", "workload.gpus", "workload.wafers", "batch", "system", "model",
                "mapping.tilePadElements", "wse.clockGHz", "nonsense", "=", ""));
        Arbitrary<String> values = Arbitraries.oneOf(scalars(), Arbitraries.strings().ofMaxLength(10));
        return Combinators.combine(keys, values).as((k, v) -> k + "=" + v);
    }

    @Provide
    Arbitrary<String> systemName() {
        return Arbitraries.of("h100-sxm", "wse3", "a100-80gb");
    }

    @Property(tries = 100)
    void gateResult_anyJsonish_exitsCleanly(@ForAll("resultJson") String json) throws IOException {
        Path f = write("result.json", json);
        exitsCleanly(json, "gate", "--baseline", f.toString(), "--current", f.toString());
    }

    @Provide
    Arbitrary<String> resultJson() {
        Arbitrary<String> keys = Arbitraries.of("wafersimVersion", "system", "model", "perTokenLatencyMs",
                "tokensPerSecond", "p99Ms", "results", "label", "breakdownMs", "experiment", "config", "precision");
        Arbitrary<String> values = Arbitraries.of("1", "-1", "0", "\"x\"", "null", "[]", "{}", "[{}]", "1e999", "true",
                "{\"system\": \"a\"}", "[{\"label\": \"a\", \"perTokenLatencyMs\": 1}]");
        Arbitrary<String> obj = Combinators.combine(keys, values).as((k, v) -> "\"" + k + "\": " + v).list().ofMaxSize(6)
                .map(ms -> "{" + String.join(", ", ms) + "}");
        return Arbitraries.oneOf(obj, Arbitraries.strings().ofMaxLength(30));
    }

    @Property(tries = 150)
    void csv_anyText_parsesOrConfigException(@ForAll String text) {
        loadsOrConfigException(() -> Csv.parse(text.getBytes(StandardCharsets.UTF_8), "x.csv"), text);
    }

    @Property(tries = 40)
    void chartCsv_anyTable_exitsCleanly(@ForAll("csvText") String text) throws IOException {
        Path f = write("t.csv", text);
        exitsCleanly(text, "chart", "--csv", f.toString(), "--x", "x", "--out", dir.resolve("c.png").toString());
    }

    @Provide
    Arbitrary<String> csvText() {
        Arbitrary<String> cell = Arbitraries.of("1", "2", "", "a", "-1", "1e309", "NaN", "\"q,r\"", "ok", "failed", "0");
        Arbitrary<String> row = cell.list().ofSize(4).map(l -> String.join(",", l));
        Arbitrary<String> header = Arbitraries.of("x,perTokenLatencyMs,status,point", "point,x,status,perTokenLatencyMs",
                "x,y,z,w", "x,perTokenLatencyMs,machine,gpus");
        return Combinators.combine(header, row.list().ofMaxSize(6)).as((h, rs) -> h + "\n" + String.join("\n", rs) + "\n");
    }
}
