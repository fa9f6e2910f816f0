package dev.wafersim.workloads.run;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import java.util.Objects;

/**
 * One decode run to simulate: which system, its effective parameters (the preset after every
 * {@code --set}), the model, the workload and the machine options.
 *
 * @param system   the system name in {@link SystemCatalog} (e.g. {@code h100-sxm}, {@code wse3})
 * @param params   the effective hardware parameters; their {@code toJson()} and {@code hash()} go into the result
 * @param model    the model
 * @param workload batch, context, tokens to generate, precision, expert routing
 * @param options  machine options of the system's kind
 */
public record DecodeRequest(String system, ParamSet params, ModelSpec model, DecodeWorkload workload,
                            MachineOptions options) {
    public DecodeRequest {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(options, "options");
    }

    /**
     * The options as the type a simulator expects.
     *
     * @throws ConfigException when the options are for another kind of machine
     */
    public <T extends MachineOptions> T options(Class<T> type) {
        if (!type.isInstance(options)) {
            throw new ConfigException("system " + system + " takes " + type.getSimpleName()
                    + " but the request has " + options.getClass().getSimpleName());
        }
        return type.cast(options);
    }
}
