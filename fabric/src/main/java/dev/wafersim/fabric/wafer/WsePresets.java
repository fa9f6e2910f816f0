package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.PresetLoader;
import java.util.List;

/** The built-in wafer presets: {@code wse2} and {@code wse3}, each a commented YAML file with sources. */
public final class WsePresets {
    /** Preset names. */
    public static final List<String> NAMES = List.of("wse2", "wse3");

    private WsePresets() {
    }

    /** True when {@code name} is a wafer preset. */
    public static boolean isWafer(String name) {
        return NAMES.contains(name);
    }

    /** Loads a preset's parameter set (defaults with provenance). */
    public static ParamSet load(String name) {
        if (!isWafer(name)) {
            throw new ConfigException("unknown wafer system '" + name + "'; expected one of " + String.join(", ", NAMES));
        }
        return PresetLoader.load("presets/wse/" + name + ".yaml", WseParams.SCHEMA);
    }

    /** Loads a preset and builds its parameters record. */
    public static WseParams params(String name) {
        return WseParams.from(load(name));
    }
}
