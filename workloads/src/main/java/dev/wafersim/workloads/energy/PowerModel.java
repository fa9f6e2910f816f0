package dev.wafersim.workloads.energy;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.workloads.run.DeviceActivity;
import dev.wafersim.workloads.run.EnergyCost;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.SystemKind;
import java.util.Locale;

/**
 * Energy and cost of a run from the time its devices spent in each {@link PowerState}.
 *
 * <p>The model. A device draws a constant power in each state; the run's energy is the sum over states of
 * device-time x power, plus, on a GPU cluster, the node overhead (CPUs, NICs, NVSwitches, fans) over the
 * whole run, in proportion to the GPUs used (a run on 2 GPUs of an 8-GPU node is charged a quarter of the
 * node: the rest serves other work):
 * <pre>
 *   GPU:   E = sum_s T_s P_s + (G / gpusPerNode) x P_node x T_run   (T_s in GPU-seconds over all G GPUs)
 *   wafer: E = wafers x P_sys x (idleShare x T_run + (1 - idleShare) x T_active / wafers)
 * </pre>
 * where a wafer is active in proportion to the PEs of the regions working (a region counts as fully
 * active for its whole step). Energy per token divides by every token the run produced (batch x tokens
 * generated, or the tokens a serving replay emitted), so one stream on a whole CS-3 and 64 streams on a GPU
 * server are compared at their own concurrency. Cost per million tokens is the devices' price per hour over
 * the run's simulated time, divided the same way.
 *
 * <p>This is the constant-power-per-state model of splitwise-sim ({@code configs/power_model/constant.yaml})
 * extended with node overhead and a wafer; ML.ENERGY measured that utilization alone swings energy per
 * response 3-5x, which is what the states capture. It ignores DVFS, temperature and power capping.
 */
public final class PowerModel {
    /** The GPU preset's key for GPUs per node (node overhead is charged per node's worth of GPUs). */
    static final String GPUS_PER_NODE = "gpu.gpusPerNode";

    private PowerModel() {
    }

    /**
     * Energy and cost of a run.
     *
     * @param kind     the kind of machine
     * @param params   the system's effective parameters (holding the {@link EnergyParams} keys)
     * @param activity its devices' time per state
     * @param tokens   output tokens the run produced, over all sequences
     */
    public static EnergyCost of(SystemKind kind, ParamSet params, DeviceActivity activity, long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("a run that produced no tokens has no energy per token");
        }
        double runSeconds = Ticks.toSeconds(activity.runPs());
        double joules;
        double nodeMaxW = 0;
        String note = null;
        if (kind == SystemKind.GPU) {
            joules = seconds(activity, PowerState.IDLE) * params.getDouble(EnergyParams.GPU_IDLE)
                    + seconds(activity, PowerState.MEMORY_BOUND) * params.getDouble(EnergyParams.GPU_MEMORY)
                    + seconds(activity, PowerState.COMPUTE_BOUND) * params.getDouble(EnergyParams.GPU_COMPUTE)
                    + seconds(activity, PowerState.COMMUNICATION) * params.getDouble(EnergyParams.GPU_COMM)
                    + nodes(params, activity) * params.getDouble(EnergyParams.NODE_OVERHEAD) * runSeconds;
            nodeMaxW = params.getDouble(EnergyParams.SERVER_MAX);
            double perNode = joules / runSeconds / nodes(params, activity);
            if (perNode > nodeMaxW * (1 + 1e-9)) {
                note = String.format(Locale.ROOT, "modelled node power %.0f W is above the server's published maximum"
                        + " %.0f W (power.serverMaxW): check the power.* parameters", perNode, nodeMaxW);
            }
        } else {
            double p = params.getDouble(EnergyParams.SYSTEM);
            double idle = params.getDouble(EnergyParams.IDLE_SHARE);
            joules = activity.devices() * p * idle * runSeconds
                    + (1 - idle) * p * seconds(activity, PowerState.ACTIVE);
        }
        double usd = activity.devices() * params.getDouble(EnergyParams.PRICE) * runSeconds / 3600.0;
        return new EnergyCost(joules, joules / runSeconds, joules / tokens, usd, usd / tokens * 1e6,
                activity.shares(), note);
    }

    /** Nodes' worth of GPUs: GPUs / gpusPerNode (a fraction for a part of a node). */
    private static double nodes(ParamSet params, DeviceActivity a) {
        return (double) a.devices() / params.getInt(GPUS_PER_NODE);
    }

    private static double seconds(DeviceActivity a, PowerState s) {
        return Ticks.toSeconds(a.ps(s));
    }
}
