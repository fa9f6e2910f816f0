package dev.wafersim.cli;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.config.ParamValue;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.SystemCatalog;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim describe NAME}: every parameter of a system with its default, unit, confidence and
 * source, grouped by prefix; or the architecture of a model preset (or a config.json).
 *
 * <p>A system comes from {@link SystemCatalog}. A wafer system that is listed as unavailable is
 * described from its hardware preset ({@code fabric.WsePresets}) so its parameters can be read before
 * its decode simulator is in the catalog.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Show a system's parameters or a model's architecture.", "",
            "For a system: every parameter with its default, unit, confidence, source and meaning, grouped by",
            "prefix (what --set takes). For a model preset or config.json: its architecture and sizes."})
public final class DescribeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SYSTEM|MODEL", description = "A system (wafersim list systems) or a model.")
    String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String key = name.trim().toLowerCase(Locale.ROOT);
        if (SystemCatalog.names().contains(key)) {
            out.print(system(key));
        } else {
            Optional<ModelSpec> m = ModelCatalog.find(key);
            if (m.isEmpty() && !(name.endsWith(".json") || java.nio.file.Files.isRegularFile(safePath(name)))) {
                throw new ConfigException("describe " + name + ": not a known system or model"
                        + EditDistance.didYouMean(name, ListCommand.names()) + "; expected one of "
                        + String.join(", ", ListCommand.names()) + " or the path of a config.json");
            }
            if (m.isPresent()) {
                out.print(model(m.get(), null));
            } else {
                dev.wafersim.workloads.model.HfConfigReader.Report r =
                        dev.wafersim.workloads.model.HfConfigReader.readReport(safePath(name));
                out.print(model(r.spec(), r));
            }
        }
        out.flush();
        return Main.EXIT_OK;
    }

    private static java.nio.file.Path safePath(String s) {
        try {
            return java.nio.file.Path.of(s);
        } catch (java.nio.file.InvalidPathException e) {
            return java.nio.file.Path.of("");
        }
    }

    static String system(String key) {
        SystemCatalog.Entry e = SystemCatalog.entries().stream().filter(x -> x.name().equals(key)).findFirst().orElseThrow();
        StringBuilder sb = new StringBuilder();
        String nl = System.lineSeparator();
        sb.append(e.name()).append(" (").append(e.kind().word()).append("): ").append(e.description()).append(nl);
        ParamSet p;
        if (e.available()) {
            p = e.load();
        } else if (WsePresets.isWafer(e.name())) {
            sb.append("note: ").append(e.unavailableReason()).append("; these are the hardware parameters of its preset")
                    .append(nl);
            p = WsePresets.load(e.name());
        } else {
            sb.append("note: ").append(e.unavailableReason()).append(nl);
            return sb.toString();
        }
        sb.append(p.values().size()).append(" parameters; set any with --set KEY=VALUE").append(nl);
        int kw = 0;
        int vw = 0;
        int uw = 0;
        for (Map.Entry<String, ParamValue> v : p.values().entrySet()) {
            kw = Math.max(kw, v.getKey().length());
            vw = Math.max(vw, String.valueOf(v.getValue().value()).length());
            uw = Math.max(uw, p.schema().spec(v.getKey(), "describe").unit().length());
        }
        String group = null;
        String fmt = "  %-" + kw + "s  %" + vw + "s  %-" + uw + "s  %-11s %s%n";
        for (Map.Entry<String, ParamValue> v : p.values().entrySet()) {
            String k = v.getKey();
            String prefix = k.contains(".") ? k.substring(0, k.indexOf('.')) : k;
            if (!prefix.equals(group)) {
                group = prefix;
                sb.append(nl).append('[').append(prefix).append(']').append(nl);
                sb.append(String.format(Locale.ROOT, fmt, "key", "default", "unit", "confidence", "source"));
            }
            ParamSpec s = p.schema().spec(k, "describe");
            ParamValue val = v.getValue();
            sb.append(String.format(Locale.ROOT, fmt, k, val.value(), s.unit(), val.confidence(), val.source()));
            String meaning = s.description().endsWith(".") ? s.description() : s.description() + ".";
            sb.append(String.format(Locale.ROOT, "  %-" + kw + "s    %s Allowed: %s.%n", "", meaning, s.allowed()));
        }
        if (p.schema().has(dev.wafersim.workloads.client.ClientParams.NAME_KEY)) {
            sb.append(nl).append("client-path presets (serve --client NAME or --set client.name=NAME sets every client.*"
                    + " value; sources in presets/client/NAME.yaml):").append(nl);
            for (String preset : dev.wafersim.workloads.client.ClientParams.PRESETS) {
                StringBuilder line = new StringBuilder();
                for (Map.Entry<String, ParamValue> v : dev.wafersim.workloads.client.ClientParams.preset(preset).values()
                        .entrySet()) {
                    if (!v.getKey().equals(dev.wafersim.workloads.client.ClientParams.NAME_KEY)) {
                        line.append(line.length() == 0 ? "" : ", ").append(v.getKey().substring("client.".length()))
                                .append('=').append(v.getValue().value());
                    }
                }
                sb.append("  ").append(preset).append(": ").append(line).append(nl);
            }
        }
        return sb.toString();
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    static String model(ModelSpec m, dev.wafersim.workloads.model.HfConfigReader.Report report) {
        StringBuilder sb = new StringBuilder();
        String f = "%-26s %s%n";
        sb.append(String.format(Locale.ROOT, f, "model", m.name()));
        sb.append(String.format(Locale.ROOT, f, "source", m.source()));
        sb.append(String.format(Locale.ROOT, f, "layers", m.numLayers()));
        sb.append(String.format(Locale.ROOT, f, "hidden size", m.hiddenSize()));
        sb.append(String.format(Locale.ROOT, f, "attention heads (kv)", m.numHeads() + " (" + m.numKvHeads() + ")"));
        sb.append(String.format(Locale.ROOT, f, "head dim", m.headDim()));
        sb.append(String.format(Locale.ROOT, f, "ffn hidden size", m.ffnHiddenSize()));
        if (m.isMixtureOfExperts()) {
            sb.append(String.format(Locale.ROOT, f, "experts", m.expertsPerToken() + " of " + m.numExperts() + " per token"));
        }
        sb.append(String.format(Locale.ROOT, f, "vocabulary", m.vocabSize()));
        sb.append(String.format(Locale.ROOT, f, "tied embeddings", m.tiedEmbeddings()));
        sb.append(String.format(Locale.ROOT, f, "activation", m.activation()));
        sb.append(String.format(Locale.ROOT, f, "biases", String.format(Locale.ROOT, "q/k/v %s, output %s, ffn and router %s",
                yes(m.qkvBias()), yes(m.outputBias()), yes(m.mlpBias()))));
        sb.append(String.format(Locale.ROOT, f, "attention sinks", yes(m.attentionSinks())));
        for (ModelDescription.Line l : ModelDescription.lines(m, report)) {
            sb.append(String.format(Locale.ROOT, f, l.key(), l.value()));
        }
        sb.append(String.format(Locale.ROOT, f, "parameters", String.format(Locale.ROOT, "%.2f B total, %.2f B active per token",
                m.totalParameters() / 1e9, m.activeParameters() / 1e9)));
        sb.append(String.format(Locale.ROOT, f, "weights (bf16)", String.format(Locale.ROOT, "%.2f GB",
                m.weightBytes(Precision.DEFAULT) / 1e9)));
        sb.append(String.format(Locale.ROOT, f, "KV cache per token (bf16)", String.format(Locale.ROOT, "%d bytes",
                m.kvBytesPerTokenPerLayer(Precision.DEFAULT) * m.numLayers())));
        return sb.toString();
    }
}
