package dev.wafersim.cli.sweep;

import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One axis of a sweep: a key and its values. The key is an experiment key in its dotted form
 * ({@code system}, {@code model}, {@code workload.context}, ...) or a system parameter
 * ({@code hbm.peakBandwidthGBps}); short names and {@code set.} prefixes are normalized to these.
 *
 * @param key    the normalized key; also the CSV column
 * @param values the values in order, as text
 * @param origin where the axis came from, for messages
 */
public record SweepAxis(String key, List<String> values, String origin) {
    public SweepAxis {
        Objects.requireNonNull(key, "key");
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new ConfigException(origin + ": " + key + " has no values");
        }
        Set<String> seen = new HashSet<>();
        for (String v : values) {
            if (v.isEmpty()) {
                throw new ConfigException(origin + ": " + key + " has an empty value; expected a comma-separated list"
                        + " such as 1024,4096");
            }
            if (!seen.add(v)) {
                throw new ConfigException(origin + ": " + key + " lists " + v + " twice");
            }
        }
    }

    /** An axis from a key as the user wrote it and its values. */
    public static SweepAxis of(String key, List<?> values, String origin) {
        List<String> text = new ArrayList<>();
        for (Object v : values) {
            text.add(String.valueOf(v).trim());
        }
        return new SweepAxis(normalize(key, origin), text, origin);
    }

    /** The normalized key of {@code key}; an unknown undotted key is a {@link ConfigException}. */
    public static String normalize(String key, String origin) {
        ExperimentKey k = ExperimentKey.find(key);
        if (k != null) {
            return k.key();
        }
        ExperimentSpec.checkParamKey(key, origin);
        return key.startsWith("set.") ? key.substring(4) : key;
    }

    /** True when the axis has more than one value. */
    public boolean varies() {
        return values.size() > 1;
    }

    /** True when every value is a number. */
    public boolean numeric() {
        for (String v : values) {
            try {
                Double.parseDouble(v.replace("_", ""));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }
}
