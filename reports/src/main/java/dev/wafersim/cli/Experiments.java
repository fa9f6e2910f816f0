package dev.wafersim.cli;

import dev.wafersim.cli.experiment.ExperimentFile;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.run.SystemCatalog;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Builds the layered experiment of a command: defaults, then the experiment file, then options, then {@code --set}. */
final class Experiments {
    private Experiments() {
    }

    /**
     * The experiment of a command.
     *
     * @param contents the file's contents (read by the caller with the sections it takes), or null
     * @param system   {@code --system}, or null
     * @param options  the workload options
     * @param sets     {@code --set KEY=VALUE} entries, applied in order, last
     */
    static ExperimentSpec spec(ExperimentFile.Contents contents, String system, WorkloadOptions options,
                               List<String> sets) {
        ExperimentSpec s = ExperimentSpec.defaults();
        if (contents != null) {
            s = s.overlay(contents.spec());
        }
        if (system != null) {
            s = s.with(ExperimentKey.SYSTEM, system, "", "--system");
        }
        s = s.overlay(options.layer());
        for (String entry : sets) {
            KeyValue kv = KeyValue.parse(entry, "--set");
            if (kv.value().contains(",")) {
                throw new ConfigException("--set " + entry + " is not allowed: a list of values is a sweep; run it with"
                        + " wafersim sweep --set " + entry);
            }
            s = s.assign(kv.key(), kv.value(), "--set");
        }
        return s;
    }

    /**
     * The parameter keys of the available systems among {@code systems} (names; unknown or unavailable
     * ones are skipped here and reported when their experiment is resolved).
     */
    static Set<String> parameterKeys(Collection<String> systems) {
        Set<String> keys = new HashSet<>();
        for (String name : systems) {
            for (SystemCatalog.Entry e : SystemCatalog.entries()) {
                if (e.name().equalsIgnoreCase(name.trim()) && e.available()) {
                    keys.addAll(e.schema().keys());
                }
            }
        }
        return keys;
    }

    /** Reads the {@code --config} file, or returns null when there is none. */
    static ExperimentFile.Contents read(Path file, Set<String> sections) {
        return file == null ? null : ExperimentFile.read(file, sections);
    }

    /** A {@code KEY=VALUE} pair. */
    record KeyValue(String key, String value) {
        static KeyValue parse(String entry, String option) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new ConfigException(option + " " + entry + " is not allowed; expected KEY=VALUE, e.g. " + option
                        + " hbm.reservedGB=2 or " + option + " workload.batch=8");
            }
            return new KeyValue(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
    }
}
