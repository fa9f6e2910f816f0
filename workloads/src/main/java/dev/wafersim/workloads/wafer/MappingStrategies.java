package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The registry of mapping strategies. */
public final class MappingStrategies {
    private static final Map<String, MappingStrategy> ALL = new LinkedHashMap<>();

    static {
        register(new LayerRegions(true));
        register(new LayerRegions(false));
    }

    private MappingStrategies() {
    }

    private static void register(MappingStrategy s) {
        ALL.put(s.name(), s);
    }

    /** Names of all strategies. */
    public static String[] names() {
        return ALL.keySet().toArray(new String[0]);
    }

    /** The strategy with this name. */
    public static MappingStrategy get(String name) {
        MappingStrategy s = ALL.get(name);
        if (s == null) {
            throw new ConfigException("mapping.strategy=" + name + " is not allowed; expected one of "
                    + String.join(", ", ALL.keySet()));
        }
        return s;
    }
}
