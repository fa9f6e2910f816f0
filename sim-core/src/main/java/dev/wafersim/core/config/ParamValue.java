package dev.wafersim.core.config;

/**
 * A parameter's effective value and where it came from.
 *
 * @param value      typed value (Integer, Long, Double, Boolean or String)
 * @param origin     what set it: {@code preset wse3}, {@code experiment file exp.yaml}, {@code --set}
 * @param confidence the preset's confidence in its default: vendor, measured, derived or open
 * @param source     the preset's citation for its default
 */
public record ParamValue(Object value, String origin, String confidence, String source) {
}
