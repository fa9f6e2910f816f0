/**
 * Machines as a serving replay sees them: a forward pass of any composition
 * ({@link dev.wafersim.workloads.step.ForwardBatch}: decode tokens, prefill chunks, speculative verify
 * steps, mixed) and its simulated time ({@link dev.wafersim.workloads.step.StepTime}) from the
 * machine's own model ({@link dev.wafersim.workloads.step.StepModel}).
 */
package dev.wafersim.workloads.step;
