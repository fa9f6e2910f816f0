package dev.wafersim.workloads.step;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.MachineOptions;
import java.util.Objects;

/**
 * A machine set-up for a {@link StepModel}: like a decode request, without a fixed batch and context.
 *
 * @param system       the system name in the catalog
 * @param params       the effective parameters (the preset after every {@code --set})
 * @param model        the model
 * @param precision    number formats
 * @param routing      distinct-expert assumption for MoE models
 * @param options      machine options of the system's kind (GPUs, TP, PP; wafers)
 * @param maxSequences the most sequences a pass may hold (sizes activation buffers, and the layout
 *                     when it is chosen automatically)
 * @param maxPositions the most positions one sequence may reach (prompt plus output)
 */
public record StepModelRequest(String system, ParamSet params, ModelSpec model, Precision precision,
                               ExpertRouting routing, MachineOptions options, int maxSequences,
                               long maxPositions) {
    public StepModelRequest {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(options, "options");
        if (maxSequences < 1) {
            throw new ConfigException("serving.maxRunningSequences=" + maxSequences
                    + " is not allowed; expected an integer >= 1");
        }
        if (maxPositions < 1) {
            throw new ConfigException("maximum positions " + maxPositions + " is not allowed; expected >= 1");
        }
    }

    /** The options as the type a machine expects. */
    public <T extends MachineOptions> T options(Class<T> type) {
        if (!type.isInstance(options)) {
            throw new ConfigException("system " + system + " takes " + type.getSimpleName()
                    + " but the request has " + options.getClass().getSimpleName());
        }
        return type.cast(options);
    }
}
