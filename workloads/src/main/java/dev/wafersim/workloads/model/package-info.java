/**
 * Transformer models for decode-latency studies: architectures ({@link dev.wafersim.workloads.model.ModelSpec}),
 * built-in presets ({@link dev.wafersim.workloads.model.ModelCatalog}), Hugging Face {@code config.json}
 * files ({@link dev.wafersim.workloads.model.HfConfigReader}), number formats
 * ({@link dev.wafersim.workloads.model.Precision}), the exact per-step decode op graph
 * ({@link dev.wafersim.workloads.model.DecodeStep}, {@link dev.wafersim.workloads.model.DecodeWorkload}) and the
 * op graph of any forward pass, prefill chunks and mixed batches included
 * ({@link dev.wafersim.workloads.model.ForwardStep}); both are {@link dev.wafersim.workloads.model.ForwardGraph}s.
 *
 * <p>Units: sizes are element counts; {@code ...Bytes} are bytes; {@code flops} count floating-point
 * operations, a multiply-add being two. Everything is exact integer arithmetic except the expected
 * number of distinct experts a batch touches (see {@link dev.wafersim.workloads.model.ExpertRouting}).
 * Nothing here depends on the machine that runs the graph; the wafer and GPU models consume it.
 */
package dev.wafersim.workloads.model;
