package dev.wafersim.core.config;

/** The value type of a parameter. */
public enum ParamType {
    /** A 32-bit integer. */
    INT,
    /** A 64-bit integer. */
    LONG,
    /** A finite floating-point number. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** One of a fixed set of words. */
    CHOICE,
    /** Free text. */
    STRING
}
