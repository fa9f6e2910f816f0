package dev.wafersim.workloads.energy;

import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.config.PresetLoader;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.SystemKind;

/**
 * The power and price parameters of a system, with their defaults, units and sources in
 * {@code presets/energy/<system>.yaml}. Two schemas, one per kind of machine:
 *
 * <ul>
 *   <li>GPU cluster, per GPU in each {@link PowerState}: {@code power.gpuIdleW},
 *       {@code power.gpuMemoryBoundW}, {@code power.gpuComputeBoundW}, {@code power.gpuCommunicationW};
 *       per node, what is not a GPU (CPUs, NICs, NVSwitches, fans): {@code power.nodeOverheadW}; the
 *       server's published maximum {@code power.serverMaxW} (a check: a node's modelled power above it
 *       is reported); the price {@code cost.usdPerDeviceHour} per GPU.</li>
 *   <li>Wafer, per CS-3 system: {@code power.systemW} at full activity and {@code power.idleShare}, the
 *       share of it drawn with no region active; the price {@code cost.usdPerDeviceHour} per system.</li>
 * </ul>
 */
public final class EnergyParams {
    public static final String GPU_IDLE = "power.gpuIdleW";
    public static final String GPU_MEMORY = "power.gpuMemoryBoundW";
    public static final String GPU_COMPUTE = "power.gpuComputeBoundW";
    public static final String GPU_COMM = "power.gpuCommunicationW";
    public static final String NODE_OVERHEAD = "power.nodeOverheadW";
    public static final String SERVER_MAX = "power.serverMaxW";
    public static final String SYSTEM = "power.systemW";
    public static final String IDLE_SHARE = "power.idleShare";
    public static final String PRICE = "cost.usdPerDeviceHour";

    private static final ParamSpec PRICE_SPEC = ParamSpec.real(PRICE, "USD/h", 0, 1e7,
            "Price of one device (a GPU, or a whole wafer system) per hour: rental or amortized cost.");

    /** The parameters of a GPU cluster's power and price. */
    public static final ParamSchema GPU = ParamSchema.of(
            ParamSpec.real(GPU_IDLE, "W", 0, 5000, "Power of one GPU with no kernel running (idle, launch gaps)."),
            ParamSpec.real(GPU_MEMORY, "W", 0, 5000, "Power of one GPU running HBM-bound kernels (decode matmuls, "
                    + "attention, element-wise)."),
            ParamSpec.real(GPU_COMPUTE, "W", 0, 5000, "Power of one GPU running tensor-core-bound kernels (prefill)."),
            ParamSpec.real(GPU_COMM, "W", 0, 5000, "Power of one GPU during collectives and transfers."),
            ParamSpec.real(NODE_OVERHEAD, "W", 0, 1e6, "Power of a node besides its GPUs (CPUs, NICs, switches, fans)."),
            ParamSpec.real(SERVER_MAX, "W", 1, 1e6, "Published maximum power of one node (a check on the model)."),
            PRICE_SPEC);

    /** The parameters of a wafer system's power and price. */
    public static final ParamSchema WAFER = ParamSchema.of(
            ParamSpec.real(SYSTEM, "W", 1, 1e6, "Power of one wafer system (CS-3) with every region active."),
            ParamSpec.real(IDLE_SHARE, "-", 0, 1, "Share of the system power drawn with no region active "
                    + "(leakage, clocks, SRAM, cooling, I/O)."),
            PRICE_SPEC);

    private EnergyParams() {
    }

    /** The schema of a {@code kind} system. */
    public static ParamSchema schema(SystemKind kind) {
        return kind == SystemKind.GPU ? GPU : WAFER;
    }

    /** The defaults of {@code system} ({@code presets/energy/<system>.yaml}). */
    public static ParamSet defaults(String system, SystemKind kind) {
        return PresetLoader.load("presets/energy/" + system + ".yaml", schema(kind));
    }
}
