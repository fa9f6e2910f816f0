package dev.wafersim.fabric.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.PresetLoader;
import java.util.List;
import java.util.Map;

/**
 * The GPU presets shipped on the class path under {@code presets/gpu/NAME.yaml}: one commented file
 * per GPU that gives every hardware parameter ({@link GpuParams#HARDWARE_SCHEMA}) its value, unit,
 * confidence and source. A GPU system's parameters are a hardware preset combined with a software-stack
 * preset ({@link GpuStacks}; the default {@link GpuStacks#DEFAULT}).
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
     * Loads a preset by name, with the default software stack.
     *
     * @throws ConfigException for an unknown name, listing the known ones
     */
    public static ParamSet load(String name) {
        return load(name, GpuStacks.DEFAULT);
    }

    /**
     * Loads hardware preset {@code name} combined with software-stack preset {@code stack}; the set is named
     * after the hardware.
     *
     * @throws ConfigException for an unknown preset or stack, listing the known ones
     */
    public static ParamSet load(String name, String stack) {
        if (!NAMES.contains(name)) {
            throw new ConfigException("unknown GPU preset '" + name + "'; known GPU presets are: "
                    + String.join(", ", NAMES));
        }
        ParamSet hardware = PresetLoader.load("presets/gpu/" + name + ".yaml", GpuParams.HARDWARE_SCHEMA);
        return ParamSet.combine(name, hardware, GpuStacks.load(stack));
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
