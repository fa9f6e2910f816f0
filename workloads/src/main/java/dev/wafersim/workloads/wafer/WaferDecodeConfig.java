package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.wafer.WseParams;

/**
 * The effective configuration of a wafer decode run: the hardware and the mapping, built from one
 * parameter set (a wafer preset combined with the mapping defaults, plus overrides).
 *
 * @param params  the whole parameter set (for the result's configuration and hash)
 * @param wse     the wafer hardware
 * @param mapping the mapping choices
 */
public record WaferDecodeConfig(ParamSet params, WseParams wse, MappingParams mapping) {

    /** Splits a combined parameter set into its hardware and mapping records. */
    public static WaferDecodeConfig from(ParamSet params) {
        return new WaferDecodeConfig(params, WseParams.from(params), MappingParams.from(params));
    }
}
