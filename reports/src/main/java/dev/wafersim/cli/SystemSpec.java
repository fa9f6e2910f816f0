package dev.wafersim.cli;

import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code wafersim compare --systems}: {@code name[:key=value]*}, e.g.
 * {@code h100-sxm:gpus=8:tp=8} or {@code h200:precision=fp8:set.hbm.reservedGB=2}. Keys are the workload
 * and machine options by their short names ({@code gpus}, {@code tp}, {@code pp}, {@code cudaGraphs},
 * {@code wafers}, {@code exact}, {@code batch}, {@code context}, {@code tokens}, {@code precision}) and
 * system parameters as {@code set.PARAM} (or the bare dotted key).
 *
 * @param label the entry as written (trimmed): the system's name in tables, charts and JSON
 * @param name  the system name
 * @param layer the entry's settings, applied over the shared experiment
 */
record SystemSpec(String label, String name, ExperimentSpec layer) {

    /** Parses a comma-separated list of entries. */
    static List<SystemSpec> parseList(String text, String option) {
        List<SystemSpec> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                throw new ConfigException(option + "=" + text + " is not allowed; expected comma-separated system specs"
                        + " such as wse3,h100-sxm:gpus=8:tp=8");
            }
            out.add(parse(part.trim()));
        }
        return out;
    }

    /** Parses one entry. */
    static SystemSpec parse(String text) {
        String[] parts = text.split(":");
        String name = parts[0].trim();
        if (name.isEmpty()) {
            throw new ConfigException("system spec '" + text + "' has no system name; expected name[:key=value]*, e.g."
                    + " h100-sxm:gpus=8:tp=8");
        }
        String origin = "system spec " + text;
        ExperimentSpec layer = ExperimentSpec.empty().with(ExperimentKey.SYSTEM, name, origin, "system");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new ConfigException(origin + ": '" + p + "' is not allowed; expected key=value with a key among "
                        + String.join(", ", ExperimentKey.workloadNames()) + " or set.PARAM");
            }
            String key = p.substring(0, eq).trim();
            String value = p.substring(eq + 1).trim();
            ExperimentKey k = ExperimentKey.find(key);
            if (k == ExperimentKey.SYSTEM) {
                throw new ConfigException(origin + ": 'system' cannot be set inside a system spec; the name comes first");
            }
            layer = layer.assign(key, value, origin);
        }
        return new SystemSpec(text, name, layer);
    }
}
