package dev.wafersim.fabric.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.PresetLoader;
import java.util.List;
import java.util.Map;

/**
 * The GPU presets shipped on the class path under {@code presets/gpu/NAME.yaml}: one commented file
 * per GPU that gives every parameter of {@link GpuParams#SCHEMA} its value, unit, confidence and
 * source.
 *
 * <p>Typical use: {@code GpuParams.from(GpuPresets.load("h100-sxm").with("kernel.cudaGraphs", "false", "--set"))}.
 */
public final class GpuPresets {
    /** The known preset names, in the order {@code wafersim describe} lists them. */
    public static final List<String> NAMES = List.of("a100-80gb", "h100-sxm", "h200", "b200");

    private GpuPresets() {
    }

    /** The parameters every GPU preset sets (for {@code wafersim describe}). */
    public static ParamSchema schema() {
        return GpuParams.SCHEMA;
    }

    /**
     * Loads a preset by name.
     *
     * @throws ConfigException for an unknown name, listing the known ones
     */
    public static ParamSet load(String name) {
        if (!NAMES.contains(name)) {
            throw new ConfigException("unknown GPU preset '" + name + "'; known GPU presets are: "
                    + String.join(", ", NAMES));
        }
        return PresetLoader.load("presets/gpu/" + name + ".yaml", GpuParams.SCHEMA);
    }

    /** Loads a preset and builds its parameters record. */
    public static GpuParams params(String name) {
        return GpuParams.from(load(name));
    }

    /**
     * Loads a preset, applies {@code key=value} overrides in order (as {@code --set} does) and builds
     * the record; a bad key or value is a {@link ConfigException} naming it.
     */
    public static GpuParams params(String name, Map<String, String> overrides, String origin) {
        ParamSet p = load(name);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            p = p.with(e.getKey(), e.getValue(), origin);
        }
        return GpuParams.from(p);
    }
}
