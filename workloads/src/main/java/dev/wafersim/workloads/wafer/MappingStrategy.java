package dev.wafersim.workloads.wafer;

import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;

/**
 * A named way of laying a model out on one or more wafers. Strategies are registered in
 * {@link MappingStrategies} and picked with {@code --set mapping.strategy=NAME}, so users can
 * compare them on the same workload.
 */
public interface MappingStrategy {
    /** The name used in {@code mapping.strategy}. */
    String name();

    /** One sentence on what it does. */
    String description();

    /**
     * Lays {@code model} out for {@code workload} on {@code wafers} wafers.
     *
     * @throws dev.wafersim.core.config.ConfigException when it does not fit, with the shortfall and
     *     the smallest number of wafers that would hold it
     */
    Placement place(ModelSpec model, DecodeWorkload workload, WaferDecodeConfig cfg, int wafers);
}
