package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.DeviceActivity;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import org.junit.jupiter.api.Test;

/** The replay on the GPU step model of the catalog: one request on an idle H100 against the model's own pass times. */
class ServingOnGpuTest {
    private static StepModel h100() {
        SystemCatalog.Entry e = SystemCatalog.get("h100-sxm");
        return e.stepModel(new StepModelRequest("h100-sxm", e.load(), ModelCatalog.get("llama-3.2-1b"), Precision.DEFAULT,
                ExpertRouting.UNIFORM_EXPECTED, GpuOptions.auto(), 256, 4096));
    }

    @Test
    void run_oneRequestOnIdleGpu_ttftIsThePrefillPassAndTpotTheDecodeSteps() {
        StepModel m = h100();
        RequestTrace t = RequestTrace.of(new long[] {0}, new int[] {1000}, new int[] {5}, "one");
        ServingParams p = ServingParams.defaultParams();
        long prefill = m.time(ForwardBatch.prefill(0, 1000, true)).latencyPs();
        long decodes = 0;
        for (int j = 0; j < 4; j++) {
            decodes += m.time(ForwardBatch.decode(1, 1000 + j)).latencyPs();
        }
        ServingResult exact = ServingReplay.run(t, new ExactStepTimes(m), p);
        assertEquals(prefill, exact.ttftPs(0));
        assertEquals(prefill + decodes, exact.e2ePs(0));
        assertEquals(decodes / 4.0, exact.tpotPs(0), 1e-9);
        // The table interpolates the prompt between 960 and 1,024 tokens and the decode contexts between 960 and
        // 1,024: within 0.5% on this machine (README: the table's error against --exact).
        ServingResult table = ServingReplay.run(t, new StepTimeTable(m, p), p);
        assertEquals(prefill, table.ttftPs(0), 0.005 * prefill);
        assertEquals(exact.tpotPs(0), table.tpotPs(0), 0.005 * exact.tpotPs(0));
        assertTrue(table.simulatedPasses() <= 4 + 2, "corners simulated: " + table.simulatedPasses());
    }

    @Test
    void activity_oneRequest_busyTimeIsThePassesDeviceTimeAndTheRestIdle() {
        StepModel m = h100();
        RequestTrace t = RequestTrace.of(new long[] {0}, new int[] {1000}, new int[] {5}, "one");
        ServingParams p = ServingParams.defaultParams();
        // Busy device time of the five passes, straight from the step model (one GPU).
        long busy = 0;
        busy += sumBusy(m.time(ForwardBatch.prefill(0, 1000, true)));
        for (int j = 0; j < 4; j++) {
            busy += sumBusy(m.time(ForwardBatch.decode(1, 1000 + j)));
        }
        ServingResult r = ServingReplay.run(t, new ExactStepTimes(m), p);
        DeviceActivity a = r.activity();
        assertEquals(1, a.devices());
        assertEquals(r.durationPs(), a.runPs());
        assertEquals(busy, a.runPs() - a.ps(PowerState.IDLE));
        assertTrue(a.ps(PowerState.COMPUTE_BOUND) > 0, "the 1,000-token prefill is compute-bound");
        assertTrue(a.ps(PowerState.MEMORY_BOUND) > 0, "the decode steps are memory-bound");
    }

    private static long sumBusy(dev.wafersim.workloads.step.StepTime t) {
        long s = 0;
        for (long v : t.busyDevicePs()) {
            s += v;
        }
        return s;
    }
}
