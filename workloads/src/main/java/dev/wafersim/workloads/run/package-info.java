/**
 * What every decode simulator shares, whatever the machine: the system catalog
 * ({@link dev.wafersim.workloads.run.SystemCatalog}: name, kind, preset parameters, schema, simulator),
 * the request ({@link dev.wafersim.workloads.run.DecodeRequest}: effective parameters, model, workload,
 * {@link dev.wafersim.workloads.run.MachineOptions}), the simulator interface
 * ({@link dev.wafersim.workloads.run.DecodeSimulator}) and the result
 * ({@link dev.wafersim.workloads.run.DecodeResult}: per-token latencies in ps, the breakdown by
 * {@link dev.wafersim.workloads.run.LatencyCategory}, memory use, the machine's typed details
 * ({@link dev.wafersim.workloads.run.GpuDetails}, {@link dev.wafersim.workloads.run.WaferDetails}), the configuration and
 * its hash, and the JSON written by {@code wafersim run --json}).
 *
 * <p>How a simulator produces a result:
 * <pre>
 * GpuOptions o = request.options(GpuOptions.class);
 * DecodeResult.Builder b = DecodeResult.builder(request, SystemKind.GPU)
 *         .tokenLatenciesPs(latencies)                      // one per generated token, ps
 *         .addBreakdownPs(LatencyCategory.WEIGHT_READS, ps) // totals over tokens; must sum to the latencies
 *         .machine("8 x h100-sxm, tp 8, pp 1")
 *         .memory(new MemoryUse("HBM per GPU", used, usable, parts))
 *         .details(new GpuDetails(...));
 * return b.build();
 * </pre>
 */
package dev.wafersim.workloads.run;
