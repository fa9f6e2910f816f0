package dev.wafersim.workloads.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.DeviceActivity;
import dev.wafersim.workloads.run.EnergyCost;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.SystemKind;
import org.junit.jupiter.api.Test;

/** The power model against hand calculations, and on real runs. */
class PowerModelTest {
    private static ParamSet h100() {
        return SystemCatalog.get("h100-sxm").load();
    }

    @Test
    void of_gpuNode_sumsStatePowersAndNodeOverhead() {
        // 8 GPUs over 1 s: 4 GPU-s memory-bound (380 W), 2 GPU-s communication (380 W), 1 GPU-s compute (700 W),
        // 1 GPU-s idle (75 W): 1520 + 760 + 700 + 75 = 3055 J, plus one node's 4600 W x 1 s = 7655 J.
        long s = Ticks.PS_PER_S;
        DeviceActivity a = new DeviceActivity.Builder().add(PowerState.MEMORY_BOUND, 4 * s)
                .add(PowerState.COMMUNICATION, 2 * s).add(PowerState.COMPUTE_BOUND, s).build(8, s);
        EnergyCost e = PowerModel.of(SystemKind.GPU, h100(), a, 1000);
        assertEquals(7655.0, e.energyJoules(), 1e-9);
        assertEquals(7655.0, e.averagePowerW(), 1e-9);
        assertEquals(7.655, e.energyJoulesPerToken(), 1e-12);
        // 8 GPUs x $3.0/h x 1 s = $0.00666...; per million tokens over 1000 tokens x 1e6.
        assertEquals(8 * 3.0 / 3600, e.costUsd(), 1e-15);
        assertEquals(8 * 3.0 / 3600 / 1000 * 1e6, e.costUsdPerMillionTokens(), 1e-9);
        assertNull(e.note());
    }

    @Test
    void of_gpuAboveServerMaximum_saysSo() {
        ParamSet p = h100().with("power.nodeOverheadW", "9000", "test");
        long s = Ticks.PS_PER_S;
        DeviceActivity a = new DeviceActivity.Builder().add(PowerState.COMPUTE_BOUND, 8 * s).build(8, s);
        // 8 x 700 + 9000 = 14,600 W > 10,200 W.
        EnergyCost e = PowerModel.of(SystemKind.GPU, p, a, 1);
        assertNotNull(e.note());
        assertTrue(e.note().contains("14600 W is above the server's published maximum 10200 W"), e.note());
    }

    @Test
    void of_twoGpusOfANode_chargedAQuarterOfTheNodeOverhead() {
        // 2 GPUs idle for 1 s: 2 x 75 W + 4600 W x 2/8 = 1300 J.
        long s = Ticks.PS_PER_S;
        EnergyCost e = PowerModel.of(SystemKind.GPU, h100(), new DeviceActivity.Builder().build(2, s), 1);
        assertEquals(1300.0, e.energyJoules(), 1e-9);
    }

    @Test
    void of_wafer_idleShareOfSystemPowerPlusActiveShare() {
        // One CS-3 over 2 s, active 0.5 wafer-s: 23,000 W x (0.5 x 2 s) + (1 - 0.5) x 23,000 W x 0.5 s = 28,750 J.
        long s = Ticks.PS_PER_S;
        DeviceActivity a = new DeviceActivity.Builder().add(PowerState.ACTIVE, s / 2).build(1, 2 * s);
        EnergyCost e = PowerModel.of(SystemKind.WAFER, SystemCatalog.get("wse3").load(), a, 3600);
        assertEquals(28_750.0, e.energyJoules(), 1e-6);
        assertEquals(41.96 * 2 / 3600, e.costUsd(), 1e-12);
    }

    @Test
    void simulate_gpuRun_energyPerTokenFromItsOwnActivity() {
        SystemCatalog.Entry entry = SystemCatalog.get("h100-sxm");
        DecodeResult r = entry.simulate(new DecodeRequest("h100-sxm", entry.load(), ModelCatalog.get("llama-3.2-1b"),
                DecodeWorkload.of(4, 512, 3), GpuOptions.of(1, 1)));
        EnergyCost e = r.energy();
        assertNotNull(e);
        // Bounds from the state powers: between all-idle and all-compute-bound, plus one GPU's eighth of the node
        // overhead (4600 W / 8 = 575 W).
        double seconds = Ticks.toSeconds(r.totalPs());
        assertTrue(e.energyJoules() > (75 + 575) * seconds && e.energyJoules() < (700 + 575) * seconds, e.toString());
        assertEquals(e.energyJoules() / (4 * 3), e.energyJoulesPerToken(), 1e-12);
        assertEquals(1.0, e.deviceStateShares().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
    }
}
