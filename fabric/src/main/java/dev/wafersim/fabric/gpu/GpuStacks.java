package dev.wafersim.fabric.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamValue;
import dev.wafersim.core.config.PresetLoader;
import java.util.Locale;
import java.util.Map;

/**
 * The software-stack presets shipped on the class path under {@code presets/gpu/stack/NAME.yaml}: one
 * commented file per stack ({@link GpuStack#NAMES}) giving every parameter of {@link GpuStack#SCHEMA} its
 * value, unit, confidence and source.
 *
 * <p>A GPU system's parameter set is its hardware preset combined with one stack preset
 * ({@link GpuPresets#load(String, String)}); {@link #select} swaps the stack of such a set, as
 * {@code --stack} does, before any {@code --set} applies.
 */
public final class GpuStacks {
    /**
     * The stack a GPU system runs unless told otherwise: TensorRT-LLM, the fastest published stack the
     * model represents (one-shot and NVLS all-reduces fused with the residual and RMSNorm, rotary inside
     * the attention kernel, CUDA graphs); see {@code presets/gpu/stack/trtllm.yaml}.
     */
    public static final String DEFAULT = "trtllm";

    /** The parameter that names the stack of a set. */
    public static final String NAME_KEY = "stack.name";

    private GpuStacks() {
    }

    /**
     * Loads a stack preset by name.
     *
     * @throws ConfigException for an unknown name, listing the known ones
     */
    public static ParamSet load(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!GpuStack.NAMES.contains(n)) {
            throw new ConfigException("stack=" + name + " is not a known GPU software stack; expected one of "
                    + String.join(", ", GpuStack.NAMES));
        }
        return PresetLoader.load("presets/gpu/stack/" + n + ".yaml", GpuStack.SCHEMA);
    }

    /**
     * The set {@code p} (a GPU system's parameters) with every stack parameter replaced by stack
     * {@code name}'s preset value, recorded with {@code origin}. Hardware values, including overrides already
     * applied to them, are kept.
     *
     * @throws ConfigException for an unknown stack, or a set that has no stack parameters
     */
    public static ParamSet select(ParamSet p, String name, String origin) {
        ParamSet stack = load(name);
        ParamSet out = p;
        for (Map.Entry<String, ParamValue> e : stack.values().entrySet()) {
            if (!p.schema().has(e.getKey())) {
                throw new ConfigException("stack=" + name + " applies to GPU systems; " + p.name()
                        + " has no parameter " + e.getKey());
            }
            out = out.withValue(e.getKey(), e.getValue().value(), origin);
        }
        return out;
    }
}
