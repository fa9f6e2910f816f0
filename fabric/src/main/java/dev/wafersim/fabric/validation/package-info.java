/**
 * Validation types shared by both machine models: a published figure with its source, the simulated
 * value, the band it must fall in, and whether it was used to fit a parameter or held out.
 */
package dev.wafersim.fabric.validation;
