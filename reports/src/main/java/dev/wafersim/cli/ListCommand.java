package dev.wafersim.cli;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.SystemCatalog;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wafersim list systems|models}: what the catalogs hold. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the systems or the model presets.", "",
            "wafersim describe NAME shows one in full."})
public final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "systems|models", description = "What to list.")
    String what;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        switch (what.toLowerCase(Locale.ROOT)) {
            case "systems" -> out.print(systems());
            case "models" -> out.print(models());
            default -> throw new ConfigException("list " + what + " is not allowed; expected systems or models");
        }
        out.flush();
        return Main.EXIT_OK;
    }

    static String systems() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %-6s %-12s %s%n", "system", "kind",
                "status", "description"));
        for (SystemCatalog.Entry e : SystemCatalog.entries()) {
            sb.append(String.format(Locale.ROOT, "%-12s %-6s %-12s %s%s%n", e.name(), e.kind().word(),
                    e.available() ? "available" : "unavailable", e.description(),
                    e.available() ? "" : " (" + e.unavailableReason() + ")"));
        }
        return sb.toString();
    }

    static String models() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-15s %6s %7s %11s %7s %9s %8s %9s %9s%n",
                "model", "layers", "hidden", "heads (kv)", "ffn", "experts", "vocab", "params B", "bf16 GB"));
        for (ModelSpec m : ModelCatalog.all()) {
            sb.append(row(m));
        }
        sb.append("Any Hugging Face config.json works too: --model-file PATH (wafersim describe PATH shows it).")
                .append(System.lineSeparator());
        return sb.toString();
    }

    private static String row(ModelSpec m) {
        String experts = m.isMixtureOfExperts() ? m.expertsPerToken() + " of " + m.numExperts() : "-";
        return String.format(Locale.ROOT, "%-15s %6d %7d %11s %7d %9s %8d %9.1f %9.1f%n", m.name(), m.numLayers(),
                m.hiddenSize(), m.numHeads() + " (" + m.numKvHeads() + ")", m.ffnHiddenSize(), experts, m.vocabSize(),
                m.totalParameters() / 1e9, m.weightBytes(Precision.DEFAULT) / 1e9);
    }

    /** Names of everything {@code describe} takes, for messages. */
    static List<String> names() {
        List<String> all = new java.util.ArrayList<>(SystemCatalog.names());
        all.addAll(ModelCatalog.names());
        return all;
    }
}
