/**
 * The wafer-scale engine's machine model: the cycle-level fabric of routers, links and PEs
 * ({@link dev.wafersim.fabric.wafer.Fabric}), what each PE runs ({@link dev.wafersim.fabric.wafer.Role},
 * {@code program}), the collectives built on it ({@code collective}), the WSE-2/WSE-3 presets
 * ({@link dev.wafersim.fabric.wafer.WseParams}, {@link dev.wafersim.fabric.wafer.WsePresets}) and wafers
 * joined by wafer-to-wafer links on the event engine ({@link dev.wafersim.fabric.wafer.WaferPipeline}).
 *
 * <p>The GPU cluster's machine model is its sibling, {@code dev.wafersim.fabric.gpu}; types both use
 * for validation are in {@code dev.wafersim.fabric.validation}.
 */
package dev.wafersim.fabric.wafer;
